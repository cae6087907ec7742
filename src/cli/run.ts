/**
 * Running an optimizer on a command-line problem and keeping everything a
 * table or a plot needs: every point from the start (element 0) to the end
 * (element `steps`) and f at each. A run stops after `steps` steps, or early
 * when the optimizer diverges — when a new point or its value is not finite —
 * keeping the last finite point as the end, so the JSON and the plots stay
 * finite and say where it went wrong.
 */
import { type MinimizeResult, type StepInfo, minimize } from '../drivers/minimize.js'
import type { Optimizer, StepContext } from '../optim/Optimizer.js'
import { Tensor } from '../tensor/Tensor.js'
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
 * `progress.update(k)` is called after each step.
 */
export const runOptimizer = <S>(problem: Problem, x0: Tensor, optimizer: Optimizer<S>, steps: number, progress?: Progress): RunResult => {
  const points: number[][] = []
  const values: number[] = []
  const objective = (x: TensorTree): readonly [number, TensorTree] => problem.valueAndGradient(x as Tensor) as readonly [number, TensorTree]
  const record = (info: StepInfo): void => {
    points.push(Array.from((info.params as Tensor).data))
    values.push(info.value)
    if (info.step > 0) progress?.update(info.step)
  }
  let result: MinimizeResult<S>
  try {
    result = minimize(objective, x0, tagFailures(optimizer), { maxSteps: steps, gradTol: -Infinity, onStep: record })
  } catch (e) {
    if (!(e instanceof StepFailure)) throw e
    return { points, values, steps: points.length - 1, stop: { kind: 'failed', step: points.length, message: e.message } }
  }
  if (result.reason === 'non-finite') {
    const k = points.length - 1
    const last = points[k]
    const bad = last.find((c) => !Number.isFinite(c)) ?? values[k]
    if (k === 0) return { points, values, steps: 0, stop: { kind: 'diverged', step: 0, value: bad } }
    return { points: points.slice(0, k), values: values.slice(0, k), steps: k - 1, stop: { kind: 'diverged', step: k, value: bad } }
  }
  return { points, values, steps: result.steps, stop: { kind: 'steps' } }
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
