/**
 * `minimize`: run an optimizer on a value-and-gradient oracle until a stopping
 * rule fires, returning where it ended, why, and (optionally) the whole path.
 * The driver owns the optimizer state and never shows an old one, so it uses
 * the donated step (same numbers as the pure step, fewer allocations).
 */
import { type Optimizer, applyUpdates, stepOwned } from '../optim/Optimizer.js'
import { NonFiniteGradientError } from '../optim/wrappers.js'
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
  readonly step: number
  readonly value: number
  readonly gradNorm: number
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
  readonly noProgress?: { readonly patience: number; readonly minDecrease?: number }
  /** Keep every iterate (element 0 the start, element `steps` the end). Default false. */
  readonly trajectory?: boolean
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
  readonly params: TensorTree
  readonly value: number
  readonly gradient: TensorTree
  readonly gradNorm: number
  /** Optimizer steps taken. */
  readonly steps: number
  readonly reason: StopReason
  /** f at every iterate, `values[k] = f(x_k)`, k = 0..steps. */
  readonly values: readonly number[]
  /** Every iterate when `trajectory` was asked for. */
  readonly trajectory?: readonly TensorTree[]
  readonly state: S
  /** The message of the error that stopped a 'non-finite' run, if one did. */
  readonly message?: string
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** The Euclidean norm of all leaves of a tree together. */
export const treeNorm = (tree: TensorTree): number => {
  let s = 0
  for (const leaf of flattenTensors(tree).leaves) for (const x of leaf.data) s += x * x
  return Math.sqrt(s)
}

const allFinite = (tree: TensorTree): boolean => flattenTensors(tree).leaves.every((l) => l.data.every(Number.isFinite))

/**
 * Minimise `objective` from `x0` with `optimizer`: x ← x + update until
 * ‖∇f‖ ≤ gradTol ('grad-tol'), `maxSteps` steps ('max-steps'), no progress for
 * `patience` steps ('no-progress'), a non-finite value or iterate, or the
 * optimizer giving up on non-finite gradients ('non-finite'), or `onStep`
 * returning false ('callback'). Defaults: maxSteps 1000, gradTol 1e-8.
 * @example minimize((x) => [sumOfSquares(x), twice(x)], tensor([3]), sgd(0.25)) // x halves each step
 */
export const minimize = <S>(objective: Objective, x0: TensorTree, optimizer: Optimizer<S>, options: MinimizeOptions<S> = {}): MinimizeResult<S> => {
  const { maxSteps = 1000, gradTol = 1e-8, noProgress, trajectory = false, onStep } = options
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

  const reason = ((): StopReason => {
    for (;;) {
      values.push(value)
      if (trajectory) path.push(x)
      const gradNorm = treeNorm(gradient)
      if (onStep !== undefined && onStep({ step: steps, value, gradNorm, params: x, state }) === false) return 'callback'
      if (!Number.isFinite(value) || !allFinite(x)) return 'non-finite'
      if (gradNorm <= gradTol) return 'grad-tol'
      if (value < best - minDecrease) {
        best = value
        bestAt = steps
      } else if (steps - bestAt >= patience) return 'no-progress'
      if (steps >= maxSteps) return 'max-steps'
      try {
        const [s, u] = stepOwned(optimizer, state, gradient, x, into, { value, objective })
        state = s
        x = applyUpdates(x, u)
        into = u
      } catch (e) {
        if (e instanceof NonFiniteGradientError) {
          message = e.message
          return 'non-finite'
        }
        throw e
      }
      steps++
      ;[value, gradient] = objective(x)
    }
  })()

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
