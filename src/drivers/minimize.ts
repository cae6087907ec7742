/**
 * `minimize`: run an optimizer on a value-and-gradient oracle until a stopping
 * rule fires, returning where it ended, why, and (optionally) the whole path.
 * The driver owns the optimizer state and never shows an old one, so it uses
 * the donated step (same numbers as the pure step, fewer allocations).
 *
 * The drivers' non-finite policy (`minimize` and `train` alike): a driver
 * never returns a point it cannot stand behind. It stops with reason
 * `'non-finite'` when a step produces parameters with a NaN or ±Infinity
 * (for `minimize` also when f is not finite at the new point), or when the
 * optimizer gives up on non-finite gradients by throwing
 * `NonFiniteGradientError` (`skipNonFinite` after too many in a row; the
 * Newton methods on a non-finite gradient or curvature). It then returns the
 * last point where everything was finite, with its value, and `message` says
 * what went wrong and at which step. `onStep` still sees the bad point, and
 * the returned `state` is the optimizer's state after the failed step (the
 * old one was reused in place): resume from the returned parameters with a
 * fresh state. Any other error from the objective or the optimizer is thrown.
 */
import { type Optimizer, stepOwnedApplied } from '../optim/Optimizer.js'
import { NonFiniteGradientError } from '../optim/wrappers.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors } from '../tensor/Tree.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A value-and-gradient oracle: `x ↦ [f(x), ∇f(x)]`, the gradient shaped like x. */
export type Objective = (x: TensorTree) => readonly [number, TensorTree]

/** Why the loop stopped. */
export type StopReason = 'max-steps' | 'grad-tol' | 'no-progress' | 'non-finite' | 'callback'

/** What `onStep` sees after each evaluation (step 0 is the start). */
export interface StepInfo<S = unknown> {
  /** Steps taken so far (0 at the start). */
  readonly step: number
  /** f(params). */
  readonly value: number
  /** ‖∇f(params)‖, the Euclidean norm over every leaf. */
  readonly gradNorm: number
  /** The current point. */
  readonly params: TensorTree
  /**
   * The optimizer state at this point. Valid only during the callback: the
   * driver then reuses its buffers (donated steps). Serialise it there (e.g.
   * a checkpoint) rather than keeping it.
   */
  readonly state: S
}

/** Options of `minimize`: stopping rules, trajectory, progress and resuming. */
export interface MinimizeOptions<S = unknown> {
  /** Default 1000. */
  readonly maxSteps?: number
  /** Stop when ‖∇f‖ ≤ gradTol. Default 1e-8. */
  readonly gradTol?: number
  /** Stop when the best value has not fallen by more than `minDecrease` for `patience` steps. Default: off. */
  readonly noProgress?: {
    /** Steps without a new best value tolerated before stopping. */
    readonly patience: number
    /** How far below the best a value must fall to count as progress. Default 0. */
    readonly minDecrease?: number
  }
  /** Keep every iterate (element 0 the start, element `steps` the end). Default false. */
  readonly trajectory?: boolean
  /** Keep f at every iterate in `values`. Default true; false leaves `values` empty, so memory does not grow with steps. */
  readonly keepValues?: boolean
  /** Called at the start and after each step; returning `false` stops with reason 'callback'. */
  readonly onStep?: (info: StepInfo<S>) => boolean | void
  /**
   * Resume from this optimizer state (e.g. read from a checkpoint) instead of
   * `optimizer.init(x0)`. The driver takes it over: its buffers get reused.
   */
  readonly state?: S
}

/** Where the run ended, why, and what it saw on the way. */
export interface MinimizeResult<S> {
  /** The final point: the last finite one after a 'non-finite' stop. */
  readonly params: TensorTree
  /** f(params). */
  readonly value: number
  /** ∇f(params). */
  readonly gradient: TensorTree
  /** ‖∇f(params)‖, the Euclidean norm over every leaf. */
  readonly gradNorm: number
  /** Optimizer steps taken. */
  readonly steps: number
  /** Why the run stopped. */
  readonly reason: StopReason
  /** f at every iterate, `values[k] = f(x_k)`, k = 0..steps (the non-finite one of a 'non-finite' stop left out). */
  readonly values: readonly number[]
  /** Every iterate when `trajectory` was asked for (the non-finite one of a 'non-finite' stop left out). */
  readonly trajectory?: readonly TensorTree[]
  /** The optimizer's state when the run stopped. */
  readonly state: S
  /** What stopped a 'non-finite' run: the step, and the value or the error's message. */
  readonly message?: string
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** The Euclidean norm of all leaves of a tree together. */
export const treeNorm = (tree: TensorTree): number => {
  let s = 0
  if (tree instanceof Tensor) {
    const data = tree.data
    for (let i = 0; i < data.length; i++) s += data[i] * data[i]
    return Math.sqrt(s)
  }
  for (const leaf of flattenTensors(tree).leaves) for (const x of leaf.data) s += x * x
  return Math.sqrt(s)
}

/** The first non-finite entry of a tree, with its path, or undefined. */
export const firstNonFiniteLeaf = (tree: TensorTree): { readonly path: string; readonly value: number } | undefined => {
  const flat = flattenTensors(tree)
  for (let j = 0; j < flat.leaves.length; j++) {
    const data = flat.leaves[j].data
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return { path: flat.paths[j] || 'the top', value: data[i] }
  }
  return undefined
}

/**
 * Minimise `objective` from `x0` with `optimizer`: x ← x + update until
 * ‖∇f‖ ≤ gradTol ('grad-tol'), `maxSteps` steps ('max-steps'), no progress for
 * `patience` steps ('no-progress'), a non-finite value or iterate, or the
 * optimizer giving up on non-finite gradients ('non-finite': the result is
 * then the last finite point, see the policy above), or `onStep` returning
 * false ('callback'). Defaults: maxSteps 1000, gradTol 1e-8.
 * @example minimize((x) => [sumOfSquares(x), twice(x)], tensor([3]), sgd(0.25)) // x halves each step
 */
export const minimize = <S>(objective: Objective, x0: TensorTree, optimizer: Optimizer<S>, options: MinimizeOptions<S> = {}): MinimizeResult<S> => {
  const { maxSteps = 1000, gradTol = 1e-8, noProgress, trajectory = false, keepValues = true, onStep } = options
  const patience = noProgress?.patience ?? Infinity
  const minDecrease = noProgress?.minDecrease ?? 0

  let x = x0
  let state = options.state ?? optimizer.init(x)
  let [value, gradient] = objective(x)
  const values: number[] = []
  const path: TensorTree[] = []
  let best = Infinity
  let bestAt = 0
  let into: TensorTree | undefined
  let steps = 0
  let message: string | undefined
  // The last point where the value and every coordinate were finite.
  let last: { readonly x: TensorTree; readonly value: number; readonly gradient: TensorTree; readonly step: number } | undefined

  const reason = ((): StopReason => {
    for (;;) {
      const gradNorm = treeNorm(gradient)
      if (onStep !== undefined && onStep({ step: steps, value, gradNorm, params: x, state }) === false) {
        if (keepValues) values.push(value)
        if (trajectory) path.push(x)
        return 'callback'
      }
      const bad = firstNonFiniteLeaf(x) ?? (Number.isFinite(value) ? undefined : { path: 'f', value })
      if (bad !== undefined) {
        message = `step ${steps}: ${bad.path === 'f' ? `f is ${bad.value}` : `parameter ${bad.path} is ${bad.value}`}${last !== undefined ? `; returning the point of step ${steps - 1}` : ''}`
        if (last === undefined) {
          // Nothing finite to fall back on: the start itself is returned, as it is.
          if (keepValues) values.push(value)
          if (trajectory) path.push(x)
        }
        return 'non-finite'
      }
      if (keepValues) values.push(value)
      if (trajectory) path.push(x)
      last = { x, value, gradient, step: steps }
      if (gradNorm <= gradTol) return 'grad-tol'
      if (value < best - minDecrease) {
        best = value
        bestAt = steps
      } else if (steps - bestAt >= patience) return 'no-progress'
      if (steps >= maxSteps) return 'max-steps'
      try {
        const next = stepOwnedApplied(optimizer, state, gradient, x, into, { value, objective })
        state = next.state
        x = next.params
        into = next.update
      } catch (e) {
        if (e instanceof NonFiniteGradientError) {
          message = `step ${steps + 1}: ${e.message}`
          return 'non-finite'
        }
        throw e
      }
      steps++
      ;[value, gradient] = objective(x)
    }
  })()

  if (reason === 'non-finite' && last !== undefined) {
    // Step back to the last finite point (the failed step is not counted).
    x = last.x
    value = last.value
    gradient = last.gradient
    steps = last.step
  }
  return {
    params: x,
    value,
    gradient,
    gradNorm: treeNorm(gradient),
    steps,
    reason,
    values,
    ...(trajectory ? { trajectory: path } : {}),
    state,
    ...(message !== undefined ? { message } : {})
  }
}
