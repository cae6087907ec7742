/**
 * W5: one Adam step (lr 1e-3, betas 0.9/0.999, eps 1e-8) on 1,000,000 float64
 * parameters with a fixed gradient; median milliseconds per step over ≥ 30
 * steps after a warm-up.
 * Every implementation applies its update, so the parameters move each step:
 * - `descent` / W5: the pure step of `adam` (the old state stays valid), then
 *   `applyUpdates` (new parameters), as a pure loop does;
 * - `descent` / W5d: its donated step (state buffers and the previous update
 *   reused), then `applyUpdates`, as the drivers do;
 * - `handwritten` / W5 and W5d: one fused in-place Float64Array loop;
 * - `pytorch` / W5 and W5d: `torch.optim.Adam(...).step()` (float64, one thread), in place, when not quick;
 * - `tfjs` / W5: tfjs-core's `tf.train.adam` on the CPU backend (float32), when not quick.
 * Before timing, the first steps of each implementation are checked against the handwritten loop.
 */
import { performance } from 'node:perf_hooks'
import { adam } from '../src/optim/aliases.js'
import { type Optimizer, applyUpdates } from '../src/optim/Optimizer.js'
import { Tensor } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'
import { random } from '../src/tensor/Random.js'
import { type Row, crossCheck as crossCheckAnswer, median } from './harness.js'
import { startTorch } from './torch.js'


const lr = 1e-3
const beta1 = 0.9
const beta2 = 0.999
const eps = 1e-8


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

const descentRows = async (n: number, steps: number, warmup: number, withTorch: boolean): Promise<Row[]> => {
  const rng = random(5)
  const g = Float64Array.from(rng.normal([n]).data)
  const p0 = Float64Array.from(rng.normal([n]).data)
  crossCheck(Math.min(n, 100_000), g.subarray(0, Math.min(n, 100_000)).slice(), p0.subarray(0, Math.min(n, 100_000)).slice())

  const torch = withTorch ? await startTorch() : undefined
  if (typeof torch === 'string') process.stderr.write(`W5: PyTorch peer skipped: ${torch}\n`)
  const torchStep = typeof torch === 'object' ? torch.remote('W5') : undefined
  if (typeof torch === 'object') {
    // three steps from p0, at every 997th parameter, against the handwritten loop
    const hand = handwrittenAdam(n)
    const ph = Float64Array.from(p0)
    for (let k = 0; k < 3; k++) hand(ph, g)
    const sample = Float64Array.from({ length: Math.ceil(n / 997) }, (_, i) => ph[i * 997])
    crossCheckAnswer('W5', 'pytorch', await torch.setup('W5', { g, p0 }), sample, 1e-12)
  }

  const grad: TensorTree = Tensor.unsafeFromBuffer([n], g)
  const opt = adam({ lr, betas: [beta1, beta2], eps })

  // Interleave the implementations step by step, so that a change in
  // machine load between blocks of measurements cannot bias their ratios.
  let pureParams: TensorTree = Tensor.unsafeFromBuffer([n], Float64Array.from(p0))
  let ownedParams: TensorTree = Tensor.unsafeFromBuffer([n], Float64Array.from(p0))
  let state = opt.init(pureParams)
  let owned = opt.init(ownedParams)
  let into: TensorTree | undefined
  const hand = handwrittenAdam(n)
  const ph = Float64Array.from(p0)
  const samples = { pure: [] as number[], donated: [] as number[], hand: [] as number[], torch: [] as number[] }
  const timed = (f: () => void): number => {
    const t0 = performance.now()
    f()
    return performance.now() - t0
  }
  for (let k = 0; k < warmup + steps; k++) {
    const a = timed(() => {
      const [s, u] = opt.step(state, grad, pureParams)
      state = s
      pureParams = applyUpdates(pureParams, u)
    })
    const b = timed(() => {
      const [s, u] = opt.stepDonated(owned, grad, ownedParams, into)
      owned = s
      into = u
      ownedParams = applyUpdates(ownedParams, u)
    })
    const c = timed(() => hand(ph, g))
    const d = torchStep === undefined ? NaN : await torchStep.remote(1)
    if (k >= warmup) {
      samples.pure.push(a)
      samples.donated.push(b)
      samples.hand.push(c)
      samples.torch.push(d)
    }
  }
  if (typeof torch === 'object') torch.close()
  // the three kept walking the same path: their parameters agree at the end
  const end = (pureParams as Tensor).data
  for (let i = 0; i < n; i += 997) {
    if (!Object.is(end[i], (ownedParams as Tensor).data[i])) throw new Error(`bench W5: pure and donated parameters differ at ${i}`)
    if (Math.abs(end[i] - ph[i]) > 1e-9 * Math.max(1, Math.abs(ph[i]))) throw new Error(`bench W5: descent's parameters left the handwritten ones at ${i}`)
  }
  const handMs = median(samples.hand)
  const rows: Row[] = [
    { workload: 'W5', impl: 'descent', median: median(samples.pure), unit: 'ms' },
    { workload: 'W5d', impl: 'descent', median: median(samples.donated), unit: 'ms' },
    { workload: 'W5', impl: 'handwritten', median: handMs, unit: 'ms' },
    { workload: 'W5d', impl: 'handwritten', median: handMs, unit: 'ms' }
  ]
  if (torchStep !== undefined) {
    const torchMs = median(samples.torch)
    rows.push({ workload: 'W5', impl: 'pytorch', median: torchMs, unit: 'ms' }, { workload: 'W5d', impl: 'pytorch', median: torchMs, unit: 'ms' })
  }
  return rows
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

/** Run W5 (and W5d); quick mode uses fewer steps (still ≥ 30 timed) and skips TF.js. */
export async function benchOptim(opts: { quick: boolean }): Promise<Array<Row>> {
  const n = 1_000_000
  const steps = opts.quick ? 30 : 60
  const warmup = opts.quick ? 5 : 15
  const rows = await descentRows(n, steps, warmup, !opts.quick)
  if (!opts.quick) {
    const tf = await tfjsRow(n, steps, warmup)
    if (tf !== undefined) rows.push(tf)
  }
  return rows
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))
if (isMain) {
  void benchOptim({ quick: process.argv.includes('--quick') }).then((rows) => console.log(JSON.stringify(rows, null, 2)))
}

export type { Optimizer }
