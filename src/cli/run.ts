/**
 * Running an optimizer on a command-line problem and keeping everything a
 * table or a plot needs: every point from the start (element 0) to the end
 * (element `steps`) and f at each. A run stops after `steps` steps, or early
 * when the optimizer diverges — when a new point or its value is not finite —
 * keeping the last finite point as the end, so the JSON and the plots stay
 * finite and say where it went wrong.
 */
import { type Optimizer, applyUpdates, stepOwned } from '../optim/Optimizer'
import { Tensor } from '../tensor/Tensor'
import type { TensorTree } from '../tensor/Tree'
import type { Progress } from './progress'
import type { Problem } from './problem'

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

/** A finished run: `points[k]` after k steps, `values[k]` = f(points[k]). */
export interface RunResult {
  readonly points: readonly (readonly number[])[]
  readonly values: readonly number[]
  /** Steps taken: `points.length − 1`. */
  readonly steps: number
  readonly stop: StopReason
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/**
 * Take up to `steps` steps of `optimizer` from `x0` on the problem, with the
 * gradient from the graph (traced and compiled on the first call, reused
 * after). `progress.update(k)` is called after each step.
 */
export const runOptimizer = <S>(problem: Problem, x0: Tensor, optimizer: Optimizer<S>, steps: number, progress?: Progress): RunResult => {
  const n = x0.size
  let x: Tensor = x0
  let state = optimizer.init(x)
  let [value, gradient] = problem.valueAndGradient(x)
  const points: number[][] = [Array.from(x.data)]
  const values: number[] = [value]
  if (!Number.isFinite(value)) return { points, values, steps: 0, stop: { kind: 'diverged', step: 0, value } }
  for (let k = 1; k <= steps; k++) {
    let stepped: readonly [S, TensorTree]
    try {
      stepped = stepOwned(optimizer, state, gradient as TensorTree, x)
    } catch (e) {
      // second-order optimizers throw on a singular Hessian: the run ends there, the rest of it stands
      return { points, values, steps: k - 1, stop: { kind: 'failed', step: k, message: e instanceof Error ? e.message : String(e) } }
    }
    const [next, update] = stepped
    const moved = applyUpdates(x, update) as Tensor
    const coordinates = Array.from(moved.data)
    const bad = coordinates.find((c) => !Number.isFinite(c))
    if (bad !== undefined) return { points, values, steps: k - 1, stop: { kind: 'diverged', step: k, value: bad } }
    ;[value, gradient] = problem.valueAndGradient(moved)
    if (!Number.isFinite(value)) return { points, values, steps: k - 1, stop: { kind: 'diverged', step: k, value } }
    state = next
    x = moved
    points.push(coordinates.length === n ? coordinates : coordinates.slice(0, n))
    values.push(value)
    progress?.update(k)
  }
  return { points, values, steps, stop: { kind: 'steps' } }
}

/** The first k with `values[k] < target`, or null when the run never got there. */
export const stepsToReach = (run: RunResult, target: number): number | null => {
  const k = run.values.findIndex((v) => v < target)
  return k < 0 ? null : k
}

/** A sentence for a diverged run, or undefined. */
export const describeStop = (run: RunResult): string | undefined =>
  run.stop.kind === 'diverged'
    ? `diverged at step ${run.stop.step} (a value became ${run.stop.value}); the result is the last finite point, step ${run.steps}`
    : run.stop.kind === 'failed'
      ? `stopped at step ${run.stop.step}: ${run.stop.message}; the result is the point after step ${run.steps}`
      : undefined
