/**
 * The PyTorch peer: bench/torch_peer.py in a child process of /usr/bin/python3
 * (or $PYTHON), float64 on one thread, driven one JSON line at a time so its
 * batches interleave with ours. The inputs are written as raw float64 files;
 * the peer times its own batches, so the pipe costs nothing.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { RemoteImpl } from './harness.js'

/** What the peer says about itself. */
export interface TorchInfo {
  readonly torch: string
  readonly python: string
  readonly threads: number
  readonly blas: readonly string[]
}

export interface TorchPeer {
  readonly info: TorchInfo
  /** Hand the peer a workload's inputs; resolves to its answer, for the cross-check. */
  readonly setup: (workload: string, inputs?: Readonly<Record<string, ArrayLike<number>>>) => Promise<number[]>
  /** The workload as an implementation the harness times. */
  readonly remote: (workload: string) => RemoteImpl
  readonly close: () => void
}

/** Start the peer with `python` (default $PYTHON, else /usr/bin/python3), or resolve to the reason it cannot run (no python3, no torch). */
export const startTorch = async (python: string = process.env.PYTHON ?? '/usr/bin/python3'): Promise<TorchPeer | string> => {
  let child: ChildProcessWithoutNullStreams
  try {
    child = spawn(python, [new URL('./torch_peer.py', import.meta.url).pathname], {
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['pipe', 'pipe', 'pipe']
    })
  } catch (error) {
    return `cannot start ${python}: ${(error as Error).message}`
  }
  const failed = new Promise<string>((resolve) => {
    child.on('error', (error) => resolve(`cannot start ${python}: ${error.message}`))
    child.on('exit', (code) => resolve(`${python} exited (status ${code})`))
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const ask = async (request: object): Promise<Record<string, unknown>> => {
    child.stdin.write(`${JSON.stringify(request)}\n`)
    const next = await Promise.race([lines.next(), failed])
    if (typeof next === 'string') throw new Error(`PyTorch peer: ${next}${stderr ? `: ${stderr.trim()}` : ''}`)
    if (next.done === true) throw new Error(`PyTorch peer: closed its output${stderr ? `: ${stderr.trim()}` : ''}`)
    const reply = JSON.parse(next.value) as Record<string, unknown>
    if (typeof reply.error === 'string') throw new Error(`PyTorch peer: ${reply.error}`)
    return reply
  }
  let info: TorchInfo
  try {
    info = (await ask({ op: 'info' })) as unknown as TorchInfo
  } catch (error) {
    child.kill()
    return (error as Error).message
  }
  const dir = mkdtempSync(join(tmpdir(), 'descent-bench-'))
  return {
    info,
    setup: async (workload, inputs = {}) => {
      for (const [name, values] of Object.entries(inputs)) {
        const data = Float64Array.from(values)
        writeFileSync(join(dir, `${name}.f64`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      }
      return (await ask({ op: 'setup', workload, dir })).answer as number[]
    },
    remote: (workload) => ({ remote: async (calls) => (await ask({ op: 'time', workload, calls })).ms as number }),
    close: () => {
      child.stdin.end()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
