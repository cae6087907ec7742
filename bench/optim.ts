/**
 * W5: one Adam step (lr 1e-3, betas 0.9/0.999, eps 1e-8) on 1,000,000 float64
 * parameters with a fixed gradient; median milliseconds per step over ≥ 30
 * steps after a warm-up.
 * Every implementation applies its update, so the parameters move each step:
 * - `descent` / W5: `adam`'s pure step with its update applied (`stepApplied`;
 *   the old state and parameters stay valid), new parameters each step;
 * - `descent` / W5d: the same donating the state and the parameters
 *   (`stepApplied` with `into` = params), wholly in place, as the handwritten loop;
 * - `handwritten` / W5 and W5d: one fused in-place Float64Array loop;
 * - `handwritten-pure` / W5: the same loop writing three fresh arrays each step (new m, v and
 *   parameters, from the allocator the library uses): what a pure step costs when written by
 *   hand, shown beside W5's target, which is against the in-place loop;
 * - `handwritten-2buf` / W5: the same loop writing into one of two preallocated sets of arrays,
 *   alternately. Not a pure step (a state two steps old is overwritten); it is the cost of writing
 *   out of place without fresh memory, which separates that part of a pure step's cost from the
 *   part fresh memory adds (page faults, collections);
 * - `pytorch` / W5 and W5d: `torch.optim.Adam(...).step()` (float64, one thread), in place, when not quick;
 * - `tfjs` / W5: tfjs-core's `tf.train.adam` on the CPU backend (float32), when not quick.
 * Each implementation runs in a process of its own (peer.ts), its batches
 * interleaved with the others': in one process, the pure step's garbage was
 * collected during the other implementations' steps. Before timing, the
 * first steps of each are checked against the handwritten loop. After
 * timing, each peer says what its steps cost the process beyond the time
 * (`memory`: page faults, system time and CPU time of all threads a step):
 * what a pure step's fresh arrays cost is seen in every run.
 */
import { performance } from 'node:perf_hooks'
import { adam } from '../src/optim/aliases.js'
import type { Optimizer } from '../src/optim/Optimizer.js'
import { Tensor } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'
import { random } from '../src/tensor/Random.js'
import { uninitialized } from '../src/tensor/alloc.js'
import { type RemoteImpl, type Row, compare, crossCheck as crossCheckAnswer, median } from './harness.js'
import { type Peer, servePeer, startPeer } from './peer.js'
import { startTorch } from './torch.js'


const lr = 1e-3
const beta1 = 0.9
const beta2 = 0.999
const eps = 1e-8


/** Adam's state and parameters, as the out-of-place loops read them and write them. */
interface AdamArrays {
  readonly m: Float64Array
  readonly v: Float64Array
  readonly p: Float64Array
}

/**
 * The hand-fused Adam loop (PyTorch's arithmetic order) reading one set of
 * arrays and writing another, taken `into`:
 * - `fresh`: three fresh arrays each step (from the allocator the library
 *   uses), what a pure step costs written by hand;
 * - `twoSets`: one of two preallocated sets, alternately: out of place like a
 *   pure step, without its fresh memory.
 */
const handwrittenOutOfPlaceAdam = (n: number, p0: Float64Array, into: 'fresh' | 'twoSets') => {
  const first: AdamArrays = { m: new Float64Array(n), v: new Float64Array(n), p: Float64Array.from(p0) }
  // the second set only where it is used: arrays held for nothing would change this process's collections
  const sets = into === 'twoSets' ? [first, { m: new Float64Array(n), v: new Float64Array(n), p: new Float64Array(n) }] : [first]
  let from = first
  let t = 0
  return (g: Float64Array): Float64Array => {
    t++
    const stepSize = lr / (1 - Math.pow(beta1, t))
    const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t))
    const a1 = 1 - beta1
    const a2 = 1 - beta2
    const to = into === 'fresh' ? { m: uninitialized(n), v: uninitialized(n), p: uninitialized(n) } : sets[t & 1]
    const { m, v, p } = from
    const { m: m1, v: v1, p: p1 } = to
    for (let i = 0; i < n; i++) {
      const gi = g[i]
      const mi = beta1 * m[i] + a1 * gi
      const vi = beta2 * v[i] + a2 * (gi * gi)
      m1[i] = mi
      v1[i] = vi
      p1[i] = p[i] - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps)
    }
    from = to
    return p1
  }
}

/** The hand-fused in-place Adam loop (PyTorch's arithmetic order). */
const handwrittenAdam = (n: number) => {
  const m = new Float64Array(n)
  const v = new Float64Array(n)
  let t = 0
  return (p: Float64Array, g: Float64Array): void => {
    t++
    const stepSize = lr / (1 - Math.pow(beta1, t))
    const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t))
    const a1 = 1 - beta1
    const a2 = 1 - beta2
    for (let i = 0; i < n; i++) {
      const gi = g[i]
      const mi = beta1 * m[i] + a1 * gi
      const vi = beta2 * v[i] + a2 * (gi * gi)
      m[i] = mi
      v[i] = vi
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps)
    }
  }
}

const time = (steps: number, warmup: number, f: () => void): number => {
  for (let i = 0; i < warmup; i++) f()
  const times: number[] = []
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now()
    f()
    times.push(performance.now() - t0)
  }
  return median(times)
}

/** Largest |a − b| / max(1, |b|) over the first steps, pure and donated against handwritten. */
const crossCheck = (n: number, g: Float64Array, p0: Float64Array): number => {
  const opt = adam({ lr, betas: [beta1, beta2], eps })
  const grad = Tensor.unsafeFromBuffer([n], g)
  const params = Tensor.unsafeFromBuffer([n], p0)
  const hand = handwrittenAdam(n)
  const ph = Float64Array.from(p0)
  let pure = opt.init(params)
  let donated = opt.init(params)
  let worst = 0
  for (let k = 0; k < 3; k++) {
    const before = Float64Array.from(ph)
    hand(ph, g)
    const [s1, u1] = opt.step(pure, grad, params)
    const [s2, u2] = opt.stepDonated(donated, grad, params)
    pure = s1
    donated = s2
    const a = (u1 as Tensor).data
    const b = (u2 as Tensor).data
    for (let i = 0; i < n; i += 997) {
      if (!Object.is(a[i], b[i])) throw new Error(`bench W5: donated and pure steps differ at ${i}: ${a[i]} vs ${b[i]}`)
      const expected = ph[i] - before[i]
      worst = Math.max(worst, Math.abs(a[i] - expected) / Math.max(1e-12, Math.abs(expected)))
    }
  }
  if (worst > 1e-9) throw new Error(`bench W5: composed Adam differs from the handwritten loop (relative ${worst})`)
  return worst
}

/** W5's problem, the same in every process: 10⁶ parameters p0 and the fixed gradient g, from seed 5. */
export const w5Inputs = (): { readonly n: number; readonly g: Float64Array; readonly p0: Float64Array } => {
  const n = 1_000_000
  const rng = random(5)
  const g = Float64Array.from(rng.normal([n]).data)
  const p0 = Float64Array.from(rng.normal([n]).data)
  return { n, g, p0 }
}

/** `impl`'s step from p0 with the fixed gradient g, and its current parameters. */
export const stepperOf = (impl: Impl, n: number, g: Float64Array, p0: Float64Array): [() => void, () => Float64Array] => {
  if (impl === 'handwritten') {
    const hand = handwrittenAdam(n)
    const p = Float64Array.from(p0)
    return [() => hand(p, g), () => p]
  }
  if (impl === 'handwritten-pure' || impl === 'handwritten-2buf') {
    const hand = handwrittenOutOfPlaceAdam(n, p0, impl === 'handwritten-pure' ? 'fresh' : 'twoSets')
    let p: Float64Array = p0
    return [() => void (p = hand(g)), () => p]
  }
  const grad: TensorTree = Tensor.unsafeFromBuffer([n], g)
  const opt = adam({ lr, betas: [beta1, beta2], eps })
  let params: TensorTree = Tensor.unsafeFromBuffer([n], Float64Array.from(p0))
  let state = opt.init(params)
  const current = (): Float64Array => (params as Tensor).data
  if (impl === 'pure') {
    return [
      () => {
        const [s, p] = opt.stepApplied(state, grad, params, false)
        state = s
        params = p
      },
      current
    ]
  }
  // the parameters are ours to overwrite from the first step on (p0 is the caller's, never donated)
  let owned = false
  return [
    () => {
      // state and parameters donated, as the handwritten loop updates both in place
      const [s, p] = opt.stepApplied(state, grad, params, true, undefined, owned ? params : undefined)
      state = s
      params = p
      owned = true
    },
    current
  ]
}

/** The implementations, each timed in a process of its own: its garbage is collected during its own steps, never another's. */
export const IMPLS = ['pure', 'donated', 'handwritten', 'handwritten-pure', 'handwritten-2buf'] as const
export type Impl = (typeof IMPLS)[number]

/** What an implementation's timed steps cost its process beyond their time, a step on average. */
export interface StepCost {
  /** Minor page faults: fresh pages the kernel mapped (and zeroed). */
  readonly faults: number
  /** Milliseconds of system (kernel) time, all threads. */
  readonly systemMs: number
  /** Milliseconds of CPU time, user and system, all threads (V8's collector runs on helpers). */
  readonly cpuMs: number
}

/**
 * One implementation's steps from p0 with the fixed gradient, as a peer
 * (`--peer=<impl>`, protocol in peer.ts): `setup` takes three steps and
 * answers the parameters at every 997th index; `time` takes more steps.
 * - pure: `stepApplied` without donation, the pure step with its update applied (the old state and
 *   parameters stay valid; bit for bit `applyUpdates(params, step(...)[1])`);
 * - donated: `stepApplied` donating the state and the parameters (after the first step, which
 *   makes them ours), so the step runs wholly in place as the handwritten loop does;
 * - handwritten: the fused in-place loop;
 * - handwritten-pure: the fused loop into fresh arrays;
 * - handwritten-2buf: the fused loop into two preallocated sets of arrays, alternately.
 * `memory` answers the StepCost of the steps taken by `time` requests so far,
 * counted from the first one (between batches the peer is idle).
 */
const servePeerOf = async (impl: Impl): Promise<void> => {
  const { n, g, p0 } = w5Inputs()
  // each implementation holds only its own arrays: another's 8 MB buffers would change this process's garbage collections
  const [step, current] = stepperOf(impl, n, g, p0)
  let steps = 0
  let since: { usage: NodeJS.ResourceUsage; cpu: NodeJS.CpuUsage } | undefined
  await servePeer((request) => {
    if (request.op === 'info') return { impl }
    if (request.op === 'setup') {
      for (let k = 0; k < 3; k++) step()
      const p = current()
      return { answer: Array.from({ length: Math.ceil(n / 997) }, (_, i) => p[i * 997]) }
    }
    if (request.op === 'time') {
      since ??= { usage: process.resourceUsage(), cpu: process.cpuUsage() }
      const calls = request.calls ?? 1
      const t0 = performance.now()
      for (let i = 0; i < calls; i++) step()
      const ms = performance.now() - t0
      steps += calls
      return { ms }
    }
    if (request.op === 'memory') {
      if (since === undefined || steps === 0) return { error: 'no steps timed yet' }
      const usage = process.resourceUsage()
      const cpu = process.cpuUsage(since.cpu)
      const cost: StepCost = {
        faults: (usage.minorPageFault - since.usage.minorPageFault) / steps,
        systemMs: cpu.system / 1000 / steps,
        cpuMs: (cpu.user + cpu.system) / 1000 / steps
      }
      return cost
    }
    return { error: `unknown op ${request.op}` }
  })
}

/** W5's rows, and what each of our processes' steps cost beyond their time (StepCost, by implementation). */
export interface OptimBench {
  readonly rows: Row[]
  readonly costs: Readonly<Record<string, StepCost>>
}

const descentRows = async (quick: boolean, withTorch: boolean): Promise<OptimBench> => {
  const { n, g, p0 } = w5Inputs()
  crossCheck(Math.min(n, 100_000), g.subarray(0, Math.min(n, 100_000)).slice(), p0.subarray(0, Math.min(n, 100_000)).slice())
  // the handwritten loop's parameters after three steps, at every 997th index: what each peer must answer
  const hand = handwrittenAdam(n)
  const ph = Float64Array.from(p0)
  for (let k = 0; k < 3; k++) hand(ph, g)
  const sample = Float64Array.from({ length: Math.ceil(n / 997) }, (_, i) => ph[i * 997])

  const impls: Record<string, RemoteImpl> = {}
  const peers: { close: () => void }[] = []
  const ours: Partial<Record<Impl, Peer<{ impl: Impl }>>> = {}
  try {
    for (const impl of IMPLS) {
      const peer = await startPeer<{ impl: Impl }>(`W5 ${impl}`, process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, `--peer=${impl}`])
      if (typeof peer === 'string') throw new Error(`W5: ${peer}`)
      peers.push(peer)
      ours[impl] = peer
      crossCheckAnswer('W5', impl, await peer.setup('W5'), sample, impl.startsWith('handwritten') ? 0 : 1e-12)
      impls[impl] = peer.remote('W5')
    }
    const torch = withTorch ? await startTorch() : undefined
    if (typeof torch === 'string') process.stderr.write(`W5: PyTorch peer skipped: ${torch}\n`)
    if (typeof torch === 'object') {
      peers.push(torch)
      crossCheckAnswer('W5', 'pytorch', await torch.setup('W5', { g, p0 }), sample, 1e-12)
      impls.pytorch = torch.remote('W5')
    }
    // batches of about 12 pure steps: each holds whole garbage collections of the pure step's
    // 24 MB a step, and what one leaves behind when its batch ends is waited out (`settle`)
    const ms = await compare(impls, { quick, batchMs: 60 })
    const rows: Row[] = [
      { workload: 'W5', impl: 'descent', median: ms.pure / 1000, unit: 'ms' },
      { workload: 'W5d', impl: 'descent', median: ms.donated / 1000, unit: 'ms' },
      { workload: 'W5', impl: 'handwritten', median: ms.handwritten / 1000, unit: 'ms' },
      { workload: 'W5d', impl: 'handwritten', median: ms.handwritten / 1000, unit: 'ms' },
      { workload: 'W5', impl: 'handwritten-pure', median: ms['handwritten-pure'] / 1000, unit: 'ms' },
      { workload: 'W5', impl: 'handwritten-2buf', median: ms['handwritten-2buf'] / 1000, unit: 'ms' }
    ]
    if (ms.pytorch !== undefined) rows.push({ workload: 'W5', impl: 'pytorch', median: ms.pytorch / 1000, unit: 'ms' }, { workload: 'W5d', impl: 'pytorch', median: ms.pytorch / 1000, unit: 'ms' })
    const costs: Record<string, StepCost> = {}
    for (const impl of IMPLS) costs[impl] = (await ours[impl]!.ask({ op: 'memory' })) as unknown as StepCost
    return { rows, costs }
  } finally {
    for (const p of peers) p.close()
  }
}

const tfjsRow = async (n: number, steps: number, warmup: number): Promise<Row | undefined> => {
  try {
    const tf = await import('@tensorflow/tfjs-core')
    await import('@tensorflow/tfjs-backend-cpu')
    await tf.setBackend('cpu')
    const rng = random(5)
    const variable = tf.variable(tf.tensor1d(Float32Array.from(rng.normal([n]).data)))
    const grad = tf.tensor1d(Float32Array.from(rng.normal([n]).data))
    const optimizer = tf.train.adam(lr, beta1, beta2, eps)
    const name = variable.name
    const ms = time(Math.max(5, Math.floor(steps / 3)), Math.max(1, Math.floor(warmup / 2)), () => {
      optimizer.applyGradients([{ name, tensor: grad }])
      variable.dataSync()
    })
    return { workload: 'W5', impl: 'tfjs', median: ms, unit: 'ms' }
  } catch {
    return undefined
  }
}

/** Run W5 (and W5d); quick mode uses shorter batches and skips PyTorch and TF.js. */
export async function benchOptim(opts: { quick: boolean }): Promise<OptimBench> {
  const result = await descentRows(opts.quick, !opts.quick)
  if (!opts.quick) {
    const tf = await tfjsRow(1_000_000, 60, 15)
    if (tf !== undefined) result.rows.push(tf)
  }
  return result
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))
const peerOf = process.argv.find((a) => a.startsWith('--peer='))?.slice('--peer='.length)
if (isMain && peerOf !== undefined) {
  const impl = IMPLS.find((i) => i === peerOf)
  if (impl === undefined) throw new Error(`bench W5: no implementation ${peerOf} (one of ${IMPLS.join(', ')})`)
  void servePeerOf(impl)
} else if (isMain) {
  void benchOptim({ quick: process.argv.includes('--quick') }).then((result) => console.log(JSON.stringify(result, null, 2)))
}

export type { Optimizer }
