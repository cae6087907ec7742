/**
 * The benchmark harness's `settle`: after a batch, it waits until this
 * process's threads are quiet, so that work one implementation leaves behind
 * does not land in another's batch; and it gives up after `maxMs` however
 * busy the process stays.
 */
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { settle } from '../../bench/harness.js'

describe('settle', () => {
  it('returns after one quiet window when nothing runs', async () => {
    const t0 = performance.now()
    await settle(5, 2000)
    expect(performance.now() - t0).toBeLessThan(1000)
  })

  it('waits while another thread of this process is busy, then gives up at maxMs', async () => {
    // a thread spinning for 400 ms: the process is busy until it ends
    const worker = new Worker('const t = Date.now(); while (Date.now() - t < 400) {}', { eval: true })
    await new Promise((resolve) => worker.once('online', resolve))
    const t0 = performance.now()
    await settle(5, 150)
    const waited = performance.now() - t0
    await worker.terminate()
    expect(waited).toBeGreaterThanOrEqual(145)
    expect(waited).toBeLessThan(400)
  })
})
