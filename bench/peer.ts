/**
 * A peer of the benchmarks in a child process of its own, driven one JSON
 * line at a time so its batches interleave with ours while its heap, its
 * garbage and its threads stay out of our measurements:
 *   {"op": "info"}                                  → what the peer is
 *   {"op": "setup", "workload": W, "dir": D}        → {"answer": [...]}; inputs are D/<name>.f64
 *   {"op": "time", "workload": W, "calls": N}       → {"ms": time of N calls}
 * Inputs are written as raw float64 files; the peer times its own batches, so
 * the pipe costs nothing. An {"error": …} reply becomes an exception.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { type RemoteImpl, settle } from './harness.js'

export interface Peer<Info> {
  readonly info: Info
  /** Hand the peer a workload's inputs; resolves to its answer, for the cross-check. */
  readonly setup: (workload: string, inputs?: Readonly<Record<string, ArrayLike<number>>>) => Promise<number[]>
  /** The workload as an implementation the harness times. */
  readonly remote: (workload: string) => RemoteImpl
  /** Any other request of the peer's own protocol, and its reply. */
  readonly ask: (request: PeerRequest) => Promise<Record<string, unknown>>
  readonly close: () => void
}

/** Start `command args` as the peer called `name`, or resolve to the reason it cannot run. */
export const startPeer = async <Info>(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Peer<Info> | string> => {
  let child: ChildProcessWithoutNullStreams
  try {
    child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
  } catch (error) {
    return `cannot start ${command}: ${(error as Error).message}`
  }
  const failed = new Promise<string>((resolve) => {
    child.on('error', (error) => resolve(`cannot start ${command}: ${error.message}`))
    child.on('exit', (code) => resolve(`${command} exited (status ${code})`))
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const ask = async (request: object): Promise<Record<string, unknown>> => {
    child.stdin.write(`${JSON.stringify(request)}\n`)
    const next = await Promise.race([lines.next(), failed])
    if (typeof next === 'string') throw new Error(`${name} peer: ${next}${stderr ? `: ${stderr.trim()}` : ''}`)
    if (next.done === true) throw new Error(`${name} peer: closed its output${stderr ? `: ${stderr.trim()}` : ''}`)
    const reply = JSON.parse(next.value) as Record<string, unknown>
    if (typeof reply.error === 'string') throw new Error(`${name} peer: ${reply.error}`)
    return reply
  }
  let info: Info
  try {
    info = (await ask({ op: 'info' })) as Info
  } catch (error) {
    child.kill()
    return (error as Error).message
  }
  const dir = mkdtempSync(join(tmpdir(), 'descent-bench-'))
  return {
    info,
    setup: async (workload, inputs = {}) => {
      for (const [input, values] of Object.entries(inputs)) {
        const data = Float64Array.from(values)
        writeFileSync(join(dir, `${input}.f64`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      }
      return (await ask({ op: 'setup', workload, dir })).answer as number[]
    },
    remote: (workload) => ({ remote: async (calls) => (await ask({ op: 'time', workload, calls })).ms as number }),
    ask,
    close: () => {
      child.stdin.end()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A request a peer answers (see the protocol above). */
export interface PeerRequest {
  readonly op: string
  readonly workload?: string
  readonly calls?: number
  readonly dir?: string
}

/**
 * The other end, for a peer written in TypeScript: answer each request line
 * on stdin with one JSON line on stdout, an exception becoming `{"error": …}`.
 * Each answer waits until this process is quiet (`settle`), so that the work a
 * batch leaves on V8's helper threads does not run during another peer's batch.
 */
export const servePeer = async (answer: (request: PeerRequest) => object | Promise<object>): Promise<void> => {
  for await (const line of createInterface({ input: process.stdin })) {
    let reply: object
    try {
      reply = await answer(JSON.parse(line) as PeerRequest)
      await settle()
    } catch (error) {
      reply = { error: (error as Error).message }
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`)
  }
}
