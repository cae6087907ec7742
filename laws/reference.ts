/**
 * Reference optimizers written straight from the textbook formulas, far
 * simpler than the library's combinators, for laws that compare a real
 * optimizer's path against a known one. Every reference here is stated in
 * the notation of the notes: θ the parameters, g the gradient, v a velocity.
 */
import type { Optimizer } from '../src/optim/Optimizer.js'
import type { TensorTree } from '../src/tensor/Tree.js'
import { mapTree, valuesOf, withValues, zipWith } from './internal.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The velocity of a momentum reference, `undefined` before the first step. */
export interface VelocityState {
  /** The velocity v after the last step, a tree like the gradient; `undefined` (read as v₀ = 0) before the first. */
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

// -------------------------------------------------------------------------------------
// the published update rules (PyTorch's torch.optim), one element at a time
// -------------------------------------------------------------------------------------

/** A learning rate: a number, or a schedule of the step count (0 at the first step). */
export type LearningRate = number | ((count: number) => number)

/** The learning rate at a step count (0 at the first step). */
export const rateAt = (lr: LearningRate, count: number): number => (typeof lr === 'number' ? lr : lr(count))

/** Hyper-parameters of the published rules, PyTorch's names in camelCase; `lr` is required. */
export interface UpdateRuleHyperParameters {
  /** The learning rate, or a schedule of the step count (0 at the first step); every kind needs it. */
  readonly lr: LearningRate
  /** L2 decay λ added to the gradient, g ← g + λθ (default 0). */
  readonly weightDecay?: number
  /** Momentum μ (default 0; kind 'momentum' needs it): SGD's buffer b ← μb + (1 − τ)g, update −lr·b; for 'rmsprop', b ← μb + g/(√v + ε), update −lr·b. */
  readonly momentum?: number
  /** SGD's dampening τ (default 0), from the second step on: the first step sets b = g, as PyTorch does; without momentum it has no effect. */
  readonly dampening?: number
  /** SGD's Nesterov momentum (default false): the update is −lr·(g + μb) instead of −lr·b; needs μ > 0 and τ = 0 (a RangeError otherwise, as PyTorch raises). */
  readonly nesterov?: boolean
  /** Adam: (β₁, β₂) (default (0.9, 0.999)). */
  readonly betas?: readonly [number, number]
  /** Adam's AMSGrad variant (default false): divide by the running maximum of v, not by v, as PyTorch does. */
  readonly amsgrad?: boolean
  /** ε (default 1e-8; AdaGrad 1e-10). */
  readonly eps?: number
  /** RMSProp's smoothing α of v ← αv + (1 − α)g² (default 0.99). */
  readonly alpha?: number
  /** Centered RMSProp (default false): also average m ← αm + (1 − α)g, and divide by √(v − m²) + ε. */
  readonly centered?: boolean
  /** AdaGrad's learning-rate decay: lr/(1 + (t − 1)·lrDecay) at step t (default 0). */
  readonly lrDecay?: number
  /** AdaGrad's starting value of the accumulated g² in every element (default 0). */
  readonly initialAccumulatorValue?: number
}

/** The kinds whose update rule is pinned. */
export type RuleKind = 'sgd' | 'momentum' | 'rmsprop' | 'adam' | 'adagrad'

/** One element's state: named numbers, all 0 before the first step. */
type Cell = Readonly<Record<string, number>>

/** One element's step: the state, the gradient g (decay already added), θ, t (1 at the first step) → new state and update. */
type CellStep = (s: Cell, g: number, t: number) => readonly [Cell, number]

const cellRules: { readonly [K in RuleKind]: (h: UpdateRuleHyperParameters) => CellStep } = {
  sgd: (h) => (s, g, t) => [s, -rateAt(h.lr, t - 1) * g],
  momentum: (h) => {
    const mu = h.momentum ?? 0
    const tau = h.dampening ?? 0
    if (h.nesterov === true && (mu <= 0 || tau !== 0)) {
      throw new RangeError(`updateRuleReference: Nesterov momentum requires a momentum > 0 and zero dampening (PyTorch's rule), got momentum ${mu}, dampening ${tau}`)
    }
    // PyTorch keeps no buffer without momentum: the update is −lr·g, whatever the dampening
    if (mu === 0) return (s, g, t) => [s, -rateAt(h.lr, t - 1) * g]
    return (s, g, t) => {
      // PyTorch: the buffer starts as g itself (no dampening on the first step).
      const b = t === 1 ? g : mu * s.b + (1 - tau) * g
      const d = h.nesterov === true ? g + mu * b : b
      return [{ b }, -rateAt(h.lr, t - 1) * d]
    }
  },
  rmsprop: (h) => {
    const alpha = h.alpha ?? 0.99
    const eps = h.eps ?? 1e-8
    const mu = h.momentum ?? 0
    return (s, g, t) => {
      const v = alpha * (s.v ?? 0) + (1 - alpha) * g * g
      const m = h.centered === true ? alpha * (s.m ?? 0) + (1 - alpha) * g : 0
      const a = Math.sqrt(v - m * m) + eps
      const lr = rateAt(h.lr, t - 1)
      if (mu === 0) return [{ v, m }, (-lr * g) / a]
      const b = mu * (s.b ?? 0) + g / a
      return [{ v, m, b }, -lr * b]
    }
  },
  adam: (h) => {
    const [b1, b2] = h.betas ?? [0.9, 0.999]
    const eps = h.eps ?? 1e-8
    return (s, g, t) => {
      const m = b1 * (s.m ?? 0) + (1 - b1) * g
      const v = b2 * (s.v ?? 0) + (1 - b2) * g * g
      const vMax = h.amsgrad === true ? Math.max(s.vMax ?? 0, v) : v
      const denominator = Math.sqrt(vMax) / Math.sqrt(1 - b2 ** t) + eps
      return [{ m, v, vMax }, (-rateAt(h.lr, t - 1) / (1 - b1 ** t)) * (m / denominator)]
    }
  },
  adagrad: (h) => {
    const eps = h.eps ?? 1e-10
    const decay = h.lrDecay ?? 0
    return (s, g, t) => {
      const sum = (t === 1 ? (h.initialAccumulatorValue ?? 0) : s.sum) + g * g
      const lr = rateAt(h.lr, t - 1) / (1 + (t - 1) * decay)
      return [{ sum }, (-lr * g) / (Math.sqrt(sum) + eps)]
    }
  }
}

/** The reference's state: the step count and one cell per element, in flatten order. */
export interface RuleState {
  /** Steps taken: 0 after `init`, 1 after the first step. */
  readonly t: number
  /** Each element's named state, in flatten order (empty after `init`): none for SGD; b for momentum; v, m (and b with momentum) for RMSProp; m, v, vMax for Adam; sum for AdaGrad. */
  readonly cells: readonly Cell[]
}

/**
 * The published update rule of a kind, written one element at a time straight
 * from PyTorch's documentation: an independent reference for `matchesUpdateRule`.
 */
export const updateRuleReference = (kind: RuleKind, h: UpdateRuleHyperParameters): Optimizer<RuleState> => {
  const cell = cellRules[kind](h)
  const lambda = h.weightDecay ?? 0
  return {
    init: () => ({ t: 0, cells: [] }),
    step: (state, grad, params) => {
      const t = state.t + 1
      const gs = valuesOf(grad)
      const ps = valuesOf(params)
      const cells: Cell[] = []
      const us = gs.map((g, i) => {
        const [c, u] = cell(state.cells[i] ?? {}, g + lambda * ps[i], t)
        cells.push(c)
        return u
      })
      return [{ t, cells }, withValues(grad, us)]
    }
  }
}
