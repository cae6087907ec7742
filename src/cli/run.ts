/**
 * Running an optimizer on a command-line problem and keeping what the output
 * needs, and no more: the start, the end, the best value, the first step
 * below a target, a bounded sample of the run for pictures (see
 * {@link Sampler}), and — only when asked, for `--json` — f at every step and
 * every point. So memory does not grow with the step count unless the output
 * itself does.
 *
 * A run stops after `steps` steps, or early when the optimizer diverges —
 * when a new point or its value is not finite — keeping the last finite point
 * as the end, so the JSON and the plots stay finite and say where it went wrong.
 */
import { type MinimizeResult, type StepInfo, minimize } from '../drivers/minimize.js'
import type { Optimizer, StepContext } from '../optim/Optimizer.js'
import type { Tensor } from '../tensor/Tensor.js'
import type { TensorTree } from '../tensor/Tree.js'
import type { Progress } from './progress.js'
import type { Problem } from './problem.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Why a run ended. */
export type StopReason =
  | { readonly kind: 'steps' }
  /** At step `step` the point or f(point) became `value` (NaN or ±Infinity): the run ends at step − 1. */
  | { readonly kind: 'diverged'; readonly step: number; readonly value: number }
  /** The optimizer refused to step at `step` (a Newton step on a singular Hessian): the run ends at step − 1. */
  | { readonly kind: 'failed'; readonly step: number; readonly message: string }

/**
 * A bounded sample of a run, for pictures and their CSV: `steps[i]`
 * ascending, `values[i]` = f at that step and, for a function of two
 * variables, `points[i]` the point (empty otherwise).
 */
export interface RunSample {
  readonly steps: readonly number[]
  readonly values: readonly number[]
  readonly points: readonly (readonly [number, number])[]
}

/** A finished run. */
export interface RunResult {
  /** Steps taken. */
  readonly steps: number
  readonly stop: StopReason
  readonly start: readonly number[]
  /** The point after `steps` steps. */
  readonly final: readonly number[]
  /** f(start). */
  readonly startValue: number
  /** f(final). */
  readonly value: number
  /** The lowest f seen. */
  readonly best: number
  /** The first k with f < target (the `target` option), or null. */
  readonly reached: number | null
  readonly sample: RunSample
  /** f at every step (`steps + 1` numbers), when `keepValues` was asked for. */
  readonly values?: Float64Array
  /** Every point, `points[k·n … k·n + n − 1]` after k steps, when `keepPoints` was asked for. */
  readonly points?: Float64Array
}

/** What a run keeps besides its summary and sample. */
export interface RunOptions {
  readonly progress?: Progress
  /** `reached` is the first step with f below it. Default 1e-6. */
  readonly target?: number
  /** Keep f at every step (for `--json`). Default false. */
  readonly keepValues?: boolean
  /** Keep every point (for `--json --trajectory`). Default false. */
  readonly keepPoints?: boolean
}

// -------------------------------------------------------------------------------------
// growing buffers and the sampler
// -------------------------------------------------------------------------------------

/** A Float64Array that doubles when full: one number costs 8 bytes, not a boxed array element. */
class Growing {
  private data = new Float64Array(1024)
  private length = 0
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = v
  }
  /** The first `n` numbers pushed. */
  take(n: number): Float64Array {
    return this.data.slice(0, n)
  }
}

/** Steps per octave kept one by one before buckets widen: see {@link bucketWidth}. */
const perOctave = 256

/**
 * The width of the bucket holding step k: 1 below 2·256, then doubling each
 * octave (2 for k in [512, 1024), 4 in [1024, 2048), …). Buckets are aligned
 * (a bucket starts at a multiple of its width), so about 256 buckets cover
 * each octave: fine steps early, where a log step axis spreads them out, and
 * about one bucket per pixel column late, where a linear axis packs them.
 */
export const bucketWidth = (k: number): number => (k < 2 * perOctave ? 1 : 2 ** Math.floor(Math.log2(k / perOctave)))

/**
 * Streams a run into a bounded sample: per bucket (see {@link bucketWidth})
 * it keeps the first and last step and the steps with the lowest and highest
 * f and, in two dimensions, the lowest and highest x and y — so the loss
 * plot's spikes and the path's turning points survive — at most 8 per bucket,
 * about 2,000 per octave of steps: some 30,000 for 10⁷ steps.
 */
export class Sampler {
  private readonly steps: number[] = []
  private readonly values: number[] = []
  private readonly points: (readonly [number, number])[] = []
  private bucketStart = -1
  private bucketEnd = -1
  private pending: { step: number; value: number; point: readonly [number, number] | undefined }[] = []
  constructor(private readonly twoD: boolean) {}

  push(step: number, value: number, point: ArrayLike<number>): void {
    if (step >= this.bucketEnd) {
      this.flush()
      const w = bucketWidth(step)
      this.bucketStart = step - (step % w)
      this.bucketEnd = this.bucketStart + w
    }
    this.pending.push({ step, value, point: this.twoD ? [point[0], point[1]] : undefined })
    if (this.pending.length > 16) this.compact()
  }

  /** The sample so far (flushes the open bucket). */
  sample(): RunSample {
    this.flush()
    return { steps: this.steps, values: this.values, points: this.points }
  }

  /** Keep only the candidates of the open bucket: first, last, argmin and argmax of f, x and y. */
  private compact(): void {
    const p = this.pending
    const keep = new Set<number>([0, p.length - 1])
    const extremes = (key: (e: (typeof p)[number]) => number): void => {
      let lo = 0
      let hi = 0
      for (let i = 1; i < p.length; i++) {
        if (key(p[i]) < key(p[lo])) lo = i
        if (key(p[i]) > key(p[hi])) hi = i
      }
      keep.add(lo).add(hi)
    }
    extremes((e) => e.value)
    if (this.twoD) {
      extremes((e) => e.point![0])
      extremes((e) => e.point![1])
    }
    this.pending = [...keep].sort((a, b) => a - b).map((i) => p[i])
  }

  private flush(): void {
    if (this.pending.length === 0) return
    this.compact()
    for (const e of this.pending) {
      this.steps.push(e.step)
      this.values.push(e.value)
      if (e.point !== undefined) this.points.push(e.point)
    }
    this.pending = []
  }
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** An error thrown by the optimizer's own step, told apart from everything else. */
class StepFailure extends Error {}

/** The optimizer with its step errors tagged as {@link StepFailure}. */
const tagFailures = <S>(optimizer: Optimizer<S>): Optimizer<S> => {
  const tagged = <A>(step: () => A): A => {
    try {
      return step()
    } catch (e) {
      throw new StepFailure(e instanceof Error ? e.message : String(e))
    }
  }
  const donated = optimizer.stepDonated
  return {
    init: optimizer.init,
    step: (state, grad, params, context) => tagged(() => optimizer.step(state, grad, params, context)),
    ...(donated !== undefined
      ? { stepDonated: (state: S, grad: TensorTree, params: TensorTree, into?: TensorTree, context?: StepContext) => tagged(() => donated(state, grad, params, into, context)) }
      : {})
  }
}

/**
 * Take up to `steps` steps of `optimizer` from `x0` on the problem with the
 * `minimize` driver (gradients from the graph, traced and compiled on the
 * first call), never stopping on a small gradient: the run is exactly
 * `steps` long unless it diverges or the optimizer refuses to step.
 * `options.progress.update(k)` is called after each step.
 */
export const runOptimizer = <S>(problem: Problem, x0: Tensor, optimizer: Optimizer<S>, steps: number, options: RunOptions = {}): RunResult => {
  const { progress, target = 1e-6, keepValues = false, keepPoints = false } = options
  const n = x0.size
  const sampler = new Sampler(n === 2)
  const values = keepValues ? new Growing() : undefined
  const points = keepPoints ? new Growing() : undefined
  const start = Array.from(x0.data)
  let last: readonly number[] = start
  let lastValue = NaN
  let best = Infinity
  let reached: number | null = null
  let kept = 0
  let bad: number | undefined
  const objective = (x: TensorTree): readonly [number, TensorTree] => problem.valueAndGradient(x as Tensor) as readonly [number, TensorTree]
  const record = (info: StepInfo): void => {
    const data = (info.params as Tensor).data
    let finite = Number.isFinite(info.value)
    for (let i = 0; finite && i < n; i++) finite = Number.isFinite(data[i])
    if (!finite) {
      bad = Array.from(data).find((c) => !Number.isFinite(c)) ?? info.value
      return
    }
    kept = info.step + 1
    last = Array.from(data)
    lastValue = info.value
    if (info.value < best) best = info.value
    if (reached === null && info.value < target) reached = info.step
    sampler.push(info.step, info.value, data)
    values?.push(info.value)
    if (points !== undefined) for (let i = 0; i < n; i++) points.push(data[i])
    if (info.step > 0) progress?.update(info.step)
  }
  const finish = (stop: StopReason): RunResult => ({
    steps: Math.max(0, kept - 1),
    stop,
    start,
    final: last,
    startValue: sampler.sample().values[0] ?? NaN,
    value: lastValue,
    best,
    reached,
    sample: sampler.sample(),
    ...(values !== undefined ? { values: values.take(kept) } : {}),
    ...(points !== undefined ? { points: points.take(kept * n) } : {})
  })
  let result: MinimizeResult<S>
  try {
    result = minimize(objective, x0, tagFailures(optimizer), { maxSteps: steps, gradTol: -Infinity, keepValues: false, onStep: record })
  } catch (e) {
    if (!(e instanceof StepFailure)) throw e
    return finish({ kind: 'failed', step: kept, message: e.message })
  }
  if (result.reason === 'non-finite') return finish({ kind: 'diverged', step: kept, value: bad ?? NaN })
  return finish({ kind: 'steps' })
}

/** A sentence for a run that ended early, or undefined. */
export const describeStop = (run: RunResult): string | undefined =>
  run.stop.kind === 'diverged'
    ? `diverged at step ${run.stop.step} (a value became ${run.stop.value}); the result is the last finite point, step ${run.steps}`
    : run.stop.kind === 'failed'
      ? `stopped at step ${run.stop.step}: ${run.stop.message}; the result is the point after step ${run.steps}`
      : undefined
