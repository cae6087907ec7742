/**
 * Reference optimizers written straight from the textbook formulas, far
 * simpler than the library's combinators, for laws that compare a real
 * optimizer's path against a known one. Every reference here is stated in
 * the notation of the notes: θ the parameters, g the gradient, v a velocity.
 */
import type { Optimizer } from '../src/optim/Optimizer.js'
import type { TensorTree } from '../src/tensor/Tree.js'
import { mapTree, zipWith } from './internal.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The velocity of a momentum reference, `undefined` before the first step. */
export interface VelocityState {
  readonly velocity: TensorTree | undefined
}

/** A constructor of a momentum method from its momentum α and learning rate ε. */
export type MomentumForm = (alpha: number, lr: number) => Optimizer<VelocityState>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Plain gradient descent: update = −ε·g. */
export const gradientDescentReference = (lr: number): Optimizer<null> => ({
  init: () => null,
  step: (state, grad) => [state, mapTree(grad, (g) => -lr * g)]
})

const momentum =
  (advance: (alpha: number, lr: number) => (v: number, g: number) => number, move: (lr: number) => (v: number) => number): MomentumForm =>
  (alpha, lr) => ({
    init: () => ({ velocity: undefined }),
    step: (state, grad) => {
      const old = state.velocity ?? mapTree(grad, () => 0)
      const velocity = zipWith([old, grad], ([v, g]) => advance(alpha, lr)(v, g))
      return [{ velocity }, mapTree(velocity, move(lr))]
    }
  })

/** Heavy ball, the first form: `v ← αv − εg; θ ← θ + v` (v₀ = 0). */
export const heavyBallReference: MomentumForm = momentum(
  (alpha, lr) => (v, g) => alpha * v - lr * g,
  () => (v) => v
)

/**
 * Averaged momentum, the second form: `v ← αv + (1−α)g; θ ← θ − εv` (v₀ = 0).
 * Traces the heavy-ball path of rate ε when given rate ε/(1−α).
 */
export const averagedMomentumReference: MomentumForm = momentum(
  (alpha) => (v, g) => alpha * v + (1 - alpha) * g,
  (lr) => (v) => -lr * v
)

/**
 * Accumulated momentum, the third form (PyTorch's SGD): `v ← αv + g; θ ← θ − εv`
 * (v₀ = 0, so v₁ = g). Traces the heavy-ball path with the same ε.
 */
export const accumulatedMomentumReference: MomentumForm = momentum(
  (alpha) => (v, g) => alpha * v + g,
  (lr) => (v) => -lr * v
)

/**
 * Nesterov's accelerated gradient in its original look-ahead form:
 * `v ← αv − ε∇f(θ + αv); θ ← θ + v`, from θ₀ with v₀ = 0. Returns the
 * look-ahead points `θₜ + αvₜ` (t = 0…steps), which are the iterates of the
 * reformulated form `u ← αu + g; θ ← θ − ε(g + αu)` (PyTorch's nesterov).
 */
export const nesterovLookAheadPath = (
  gradient: (x: readonly number[]) => readonly number[],
  start: readonly number[],
  alpha: number,
  lr: number,
  steps: number
): number[][] => {
  let theta = start.slice()
  let v = start.map(() => 0)
  const lookAhead = (): number[] => theta.map((t, i) => t + alpha * v[i])
  const path = [lookAhead()]
  for (let t = 0; t < steps; t++) {
    const g = gradient(lookAhead())
    v = v.map((vi, i) => alpha * vi - lr * g[i])
    theta = theta.map((ti, i) => ti + v[i])
    path.push(lookAhead())
  }
  return path
}
