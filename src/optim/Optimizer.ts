/**
 * The optimizer contract: `init(params) → state`, `step(state, grad, params) → [state, update]`.
 * Nothing is mutated: every new state and update is returned, and an old state
 * stepped again gives the same result. Parameters move by `params ← params + update`.
 */
import { uninitialized } from '../tensor/alloc.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, unflatten } from '../tensor/Tree.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a step may know besides the gradient: the value f(params) and the
 * objective itself (params ↦ [f, ∇f]), for line searches, L-BFGS, SAM,
 * Polyak's step, look-ahead Nesterov and reduce-on-plateau. The drivers
 * (`minimize`, `train`) always pass both; a stage that needs one says so in its
 * docs and throws a clear error when it is missing.
 */
export interface StepContext {
  /** f(params), the value at the point the gradient was taken. */
  readonly value?: number
  /** The objective: params ↦ [f(params), ∇f(params)], for stages that evaluate other points. */
  readonly objective?: (params: TensorTree) => readonly [number, TensorTree]
}

/**
 * A pure optimizer over trees of tensors. State is keyed by parameter path
 * (`layers[0].bias`), never by position, so trees with the same paths share states.
 *
 * `stepDonated`, when present, computes exactly the same numbers as `step`
 * (bit for bit) but consumes `state`: its buffers may be overwritten and
 * reused for the new state, and `into` (an earlier update of the same tree
 * the caller no longer needs) may be overwritten with the new update. Only a
 * caller that owns the state and never shows the old one to anyone (the
 * drivers) may use it, like JAX's buffer donation.
 */
export interface Optimizer<S> {
  /** The starting state for these parameters (their paths and shapes). */
  readonly init: (params: TensorTree) => S
  /** One step: the new state and the update to add to `params`; the old state stays valid. */
  readonly step: (state: S, grad: TensorTree, params: TensorTree, context?: StepContext) => readonly [S, TensorTree]
  /** `step`'s numbers, consuming `state` and possibly overwriting `into` (see above); drivers only. */
  readonly stepDonated?: (state: S, grad: TensorTree, params: TensorTree, into?: TensorTree, context?: StepContext) => readonly [S, TensorTree]
  /**
   * The step with its update applied: the new state and `applyUpdates(params, update)`, bit for
   * bit, where the update is `step`'s (or, with `donate`, `stepDonated`'s, consuming `state`).
   * A chain computes both in one pass over memory for a lone tensor. `params` stays valid unless
   * given up: with `donate`, `into` (parameters of the same shapes the caller owns and no longer
   * needs, such as those of two steps ago, or `params` itself for a step wholly in place) may be
   * overwritten with the new parameters.
   */
  readonly stepApplied?: (state: S, grad: TensorTree, params: TensorTree, donate: boolean, context?: StepContext, into?: TensorTree) => readonly [S, TensorTree]
}

/** The state type of an optimizer: `StateOf<typeof adam>`. */
export type StateOf<O> = O extends Optimizer<infer S> ? S : never

/** The state of a stateless optimizer. */
export type EmptyState = {
  /** Tags the state; it holds nothing else. */
  readonly kind: 'empty'
}

/** The one empty state, shared (it holds nothing to mutate). */
export const emptyState: EmptyState = Object.freeze({ kind: 'empty' as const })

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The optimizer that never moves: update = 0. */
export const identity: Optimizer<EmptyState> = {
  init: () => emptyState,
  step: (state, grad) => [state, mapLeaves(grad, (g) => new Float64Array(g.size))]
}

/**
 * Lift a stateless per-element rule `(g, θ) → update` into an optimizer.
 * Example: `stateless((g) => -0.1 * g)` is plain gradient descent with lr 0.1.
 */
export const stateless = (rule: (grad: number, param: number) => number): Optimizer<EmptyState> => ({
  init: () => emptyState,
  step: (state, grad, params) => {
    const p = flattenTensors(params).leaves
    return [
      state,
      mapLeaves(grad, (g, i) => {
        const out = uninitialized(g.size)
        const th = p[i].data
        for (let k = 0; k < out.length; k++) out[k] = rule(g.data[k], th[k])
        return out
      })
    ]
  }
})

// -------------------------------------------------------------------------------------
// utilities
// -------------------------------------------------------------------------------------

/** `params + update`, leaf by leaf, as new tensors. */
export const applyUpdates = (params: TensorTree, update: TensorTree): TensorTree => {
  if (params instanceof Tensor && update instanceof Tensor) {
    // A lone tensor: the same sums, without the trees.
    const a = params.data
    const b = update.data
    if (b.length !== a.length) throw new RangeError(`applyUpdates: leaf 0 has ${a.length} values, its update ${b.length}`)
    const out = uninitialized(a.length)
    for (let k = 0; k < out.length; k++) out[k] = a[k] + b[k]
    return Tensor.unsafeLike(params, out)
  }
  const u = flattenTensors(update).leaves
  return mapLeaves(params, (p, i) => {
    const out = uninitialized(p.size)
    const a = p.data
    const b = u[i].data
    if (b.length !== a.length) throw new RangeError(`applyUpdates: leaf ${i} has ${a.length} values, its update ${b.length}`)
    for (let k = 0; k < out.length; k++) out[k] = a[k] + b[k]
    return out
  })
}

/**
 * A driver's step: the new state and parameters, through `stepApplied` (donating the state)
 * when the optimizer has it, else `stepOwned` and `applyUpdates`, which may overwrite `into`,
 * the update the previous call returned. The same numbers either way.
 */
export const stepOwnedApplied = <S>(
  optimizer: Optimizer<S>,
  state: S,
  grad: TensorTree,
  params: TensorTree,
  into?: TensorTree,
  context?: StepContext
): {
  /** The optimizer's new state (the old one was donated). */
  readonly state: S
  /** The new parameters, fresh: `params` stays valid. */
  readonly params: TensorTree
  /** The update, where it was materialised (the fallback), for the next call's `into`; undefined after `stepApplied`. */
  readonly update: TensorTree | undefined
} => {
  if (optimizer.stepApplied !== undefined) {
    const [s, p] = optimizer.stepApplied(state, grad, params, true, context)
    return { state: s, params: p, update: undefined }
  }
  const [s, u] = stepOwned(optimizer, state, grad, params, into, context)
  return { state: s, params: applyUpdates(params, u), update: u }
}

/** Step with `stepDonated` when the optimizer has one, else with `step`. */
export const stepOwned = <S>(
  optimizer: Optimizer<S>,
  state: S,
  grad: TensorTree,
  params: TensorTree,
  into?: TensorTree,
  context?: StepContext
): readonly [S, TensorTree] =>
  optimizer.stepDonated !== undefined
    ? optimizer.stepDonated(state, grad, params, into, context)
    : optimizer.step(state, grad, params, context)

const mapLeaves = (tree: TensorTree, f: (leaf: Tensor, index: number) => Float64Array): TensorTree => {
  const flat = flattenTensors(tree)
  return unflatten(
    flat.structure,
    flat.leaves.map((t, i) => Tensor.unsafeFromBuffer(t.shape, f(t, i)))
  )
}
