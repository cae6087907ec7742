/**
 * The benchmark's peers compute what the workloads say: the handwritten
 * loops against descent's autodiff (itself tested against closed forms and
 * finite differences elsewhere), and the PyTorch peer, where python3 with
 * torch is installed, against the published closed form.
 */
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { extendedRosenbrockHvp } from '../../bench/curvature.js'
import { handwrittenAdam2d, minimizeAdam2d } from '../../bench/minimize.js'
import { startPeer } from '../../bench/peer.js'
import { startTorch } from '../../bench/torch.js'
import * as w from '../../bench/workloads.js'
import { grad, hvp } from '../../src/graph/index.js'
import { random } from '../../src/tensor/Random.js'
import { Tensor } from '../../src/tensor/Tensor.js'

const relative = (got: ArrayLike<number>, want: ArrayLike<number>): number => {
  let scale = 0
  let diff = 0
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]))
    diff = Math.max(diff, Math.abs(got[i] - want[i]))
  }
  return diff / scale
}

describe('extended Rosenbrock peers (one pass, no scratch)', () => {
  const { x, v } = w.extendedPoint(1000)

  it('extendedGradHandwritten is the gradient', () => {
    expect(relative(w.extendedGradHandwritten(x.data), grad(w.extendedRosenbrock)(x).data)).toBeLessThan(1e-14)
  })

  it('extendedHvpHandwritten is the tridiagonal Hessian times v', () => {
    const want = extendedRosenbrockHvp(x.data)(v.data)
    expect(relative(w.extendedHvpHandwritten(x.data, v.data), want)).toBeLessThan(1e-14)
  })
})

describe('MLP peers (register-blocked products)', () => {
  const problem = w.mlpProblem()
  const bufs = w.buffersOf(problem.params)
  const hand = w.mlpHandwritten(bufs, problem.x.data, problem.y.data)
  const flatTree = (t: w.MlpParams): Float64Array => w.flatMlp(w.buffersOf(t))

  it('mlpHandwritten gives the loss and its gradient, call after call', () => {
    const want = flatTree(grad(w.mlpLoss)(problem.params as never, problem.x, problem.y) as never)
    expect(relative(w.flatMlp(hand.grad()), want)).toBeLessThan(1e-12)
    expect(relative(w.flatMlp(hand.grad()), want)).toBeLessThan(1e-12)
    const h = hand.loss()
    expect(hand.loss()).toBe(h)
    expect(h).toBeGreaterThan(0)
  })

  it('mlpHvpHandwritten gives Hv for independent directions from one linearisation', () => {
    const product = w.mlpHvpHandwritten(bufs, problem.x.data, problem.y.data)
    const reference = hvp(w.mlpLoss)
    const shapes = [problem.params.b1, problem.params.b2, problem.params.w1, problem.params.w2]
    for (const seed of [1, 2]) {
      const v = Float64Array.from(random(seed).normal([w.flatMlp(bufs).length]).data)
      let k = 0
      const [b1, b2, w1, w2] = shapes.map((p) => Tensor.unsafeFromBuffer(p.shape, v.slice(k, (k += p.size))))
      const want = flatTree(reference(problem.params as never, { b1, b2, w1, w2 } as never, problem.x, problem.y) as never)
      expect(relative(product(v), want)).toBeLessThan(1e-11)
    }
  })
})

describe('the TF.js peer (a child process of its own)', () => {
  it('answers W1 and W4f in float32, times its own batches, and names what it cannot do', async () => {
    const peer = await startPeer<{ tfjs: string }>('TF.js', process.execPath, ['--import', 'tsx', new URL('../../bench/tfjs_peer.ts', import.meta.url).pathname])
    if (typeof peer === 'string') throw new Error(peer)
    try {
      expect(peer.info.tfjs).toMatch(/^\d+\.\d+\.\d+$/)
      const g = await peer.setup('W1')
      expect(relative(g, [-215.6, -88])).toBeLessThan(1e-6)
      const problem = w.mlpProblem()
      const [loss] = await peer.setup('W4f')
      const want = w.mlpHandwritten(w.buffersOf(problem.params), problem.x.data, problem.y.data).loss()
      expect(Math.abs(loss - want) / want).toBeLessThan(1e-5)
      expect(await peer.remote('W1').remote(3)).toBeGreaterThan(0)
      await expect(peer.setup('W9')).rejects.toThrow('TF.js peer: no TF.js workload W9')
      await expect(peer.remote('W2').remote(1)).rejects.toThrow('TF.js peer: W2 is not set up')
    } finally {
      peer.close()
    }
  }, 60_000)

  it('reports why it cannot run when the command does not exist', async () => {
    expect(await startPeer('TF.js', '/nonexistent/node', [])).toMatch(/cannot start \/nonexistent\/node/)
  })
})

describe('the W5 peers (each Adam implementation in a process of its own)', () => {
  const optimTs = new URL('../../bench/optim.ts', import.meta.url).pathname
  const start = async (impl: string) => {
    const peer = await startPeer<{ impl: string }>(`W5 ${impl}`, process.execPath, ['--import', 'tsx', optimTs, `--peer=${impl}`])
    if (typeof peer === 'string') throw new Error(peer)
    return peer
  }

  it('the out-of-place loops (fresh arrays, two alternating sets) step as the in-place loop, bit for bit, and report their steps\' costs', async () => {
    const peers = await Promise.all(['handwritten', 'handwritten-pure', 'handwritten-2buf', 'pure'].map(start))
    try {
      // three steps each: the two-set loop has read from and written to both sets
      const [inPlace, fresh, twoSets, ours] = await Promise.all(peers.map((p) => p.setup('W5')))
      expect(inPlace.length).toBe(Math.ceil(1e6 / 997))
      expect(fresh).toEqual(inPlace)
      expect(twoSets).toEqual(inPlace)
      expect(relative(ours, inPlace)).toBeLessThan(1e-12)
      await expect(peers[2].ask({ op: 'memory' })).rejects.toThrow('W5 handwritten-2buf peer: no steps timed yet')
      for (const p of peers) expect(await p.remote('W5').remote(2)).toBeGreaterThan(0)
      const costs = await Promise.all(peers.map((p) => p.ask({ op: 'memory' })))
      for (const c of costs) {
        expect(c.faults).toBeGreaterThanOrEqual(0)
        expect(c.systemMs).toBeGreaterThanOrEqual(0)
        expect(c.cpuMs).toBeGreaterThan(0)
      }
      // counted from the first timed batch, a step at a time: the in-place loop allocates nothing, while
      // the peer's setup (g, p0, m and v: 4 × 8 MB, about 7,800 pages) faulted before it
      expect(costs[0].faults).toBeLessThan(500)
    } finally {
      for (const p of peers) p.close()
    }
  }, 60_000)

  it('names the implementations when asked for one it does not have', async () => {
    const reason = await startPeer('W5', process.execPath, ['--import', 'tsx', optimTs, '--peer=handwriten'])
    expect(reason).toMatch(/no implementation handwriten \(one of pure, donated, handwritten, handwritten-pure, handwritten-2buf\)/)
  }, 60_000)
})

describe('the PyTorch peer', () => {
  it('reports why it cannot run when there is no such python', async () => {
    const reason = await startTorch('/nonexistent/python3')
    expect(reason).toMatch(/cannot start \/nonexistent\/python3/)
  })

  it.runIf(existsSync('/usr/bin/python3'))('answers W1 with the closed-form gradient, or says torch is missing', async () => {
    const peer = await startTorch('/usr/bin/python3')
    if (typeof peer === 'string') {
      expect(peer).toMatch(/torch/)
      return
    }
    try {
      expect(peer.info.threads).toBe(1)
      const g = await peer.setup('W1')
      expect(g[0]).toBeCloseTo(-215.6, 12)
      expect(g[1]).toBeCloseTo(-88, 12)
      expect(await peer.remote('W1').remote(3)).toBeGreaterThan(0)
    } finally {
      peer.close()
    }
  }, 60_000)
})

describe('minimize-adam-2d peer (hand-written Adam around the compiled gradient)', () => {
  it('ends where minimize with adam ends', () => {
    expect(relative(handwrittenAdam2d(), minimizeAdam2d())).toBeLessThan(1e-12)
  })
})
