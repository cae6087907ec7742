/**
 * Wrappers: optimizers that run an inner optimizer under a policy (skip bad
 * gradients, accumulate several, touch only part of the tree, average the
 * parameters, look ahead). They are plain optimizers (no fused kernel), pure
 * like the rest: each returns new state and leaves its inputs alone.
 */
import { type Optimizer, type StepContext, stepOwned } from './Optimizer.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, setOwn, unflatten } from '../tensor/Tree.js'
import type { PathMap } from './internal/engine.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const zerosLike = (tree: TensorTree): TensorTree => {
  const flat = flattenTensors(tree)
  return unflatten(flat.structure, flat.leaves.map((t) => Tensor.unsafeFromBuffer(t.shape, new Float64Array(t.size))))
}

const toPathMap = (tree: TensorTree, f: (x: number, i: number, path: string) => number = (x) => x): PathMap => {
  const flat = flattenTensors(tree)
  const out: Record<string, Tensor> = {}
  flat.leaves.forEach((t, j) => {
    const path = flat.paths[j]
    const data = new Float64Array(t.size)
    for (let i = 0; i < data.length; i++) data[i] = f(t.data[i], i, path)
    setOwn(out, path, Tensor.unsafeFromBuffer(t.shape, data))
  })
  return out
}

const leafAt = (map: PathMap, path: string, who: string): Tensor => {
  const t = map[path]
  if (t === undefined) throw new TypeError(`${who}: the state has nothing for parameter ${path === '' ? 'the top' : path}`)
  return t
}

/** Rebuild `like`'s tree from per-leaf values `f(path, leaf)`. */
const mapTree = (like: TensorTree, f: (leaf: Tensor, path: string, index: number) => Float64Array): TensorTree => {
  const flat = flattenTensors(like)
  return unflatten(
    flat.structure,
    flat.leaves.map((t, j) => Tensor.unsafeFromBuffer(t.shape, f(t, flat.paths[j], j)))
  )
}

// -------------------------------------------------------------------------------------
// skip non-finite gradients
// -------------------------------------------------------------------------------------

/** The inner state, the skips so far and the current run of consecutive skips. */
export interface SkipState<S> {
  /** The wrapped optimizer's state, untouched by skipped steps. */
  readonly inner: S
  /** Steps skipped so far, in all. */
  readonly skipped: number
  /** Steps skipped in a row up to now (0 after a finite gradient). */
  readonly consecutive: number
}

/** Thrown by `skipNonFinite` when too many gradients in a row were not finite. */
export class NonFiniteGradientError extends Error {
  constructor(
    /** How many steps in a row had non-finite gradients. */
    readonly consecutive: number,
    /** The parameter path of the first non-finite element this time (`''`: the top of the tree). */
    readonly path: string,
    /** That element's value (NaN or ±∞). */
    readonly value: number
  ) {
    super(
      `skipNonFinite: ${consecutive} consecutive steps had non-finite gradients (this one: ${value} at ${path === '' ? 'the top' : path}); giving up`
    )
    this.name = 'NonFiniteGradientError'
  }
}

const firstNonFinite = (grad: TensorTree): { readonly path: string; readonly value: number } | undefined => {
  const flat = flattenTensors(grad)
  for (let j = 0; j < flat.leaves.length; j++) {
    const d = flat.leaves[j].data
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return { path: flat.paths[j], value: d[i] }
  }
  return undefined
}

/**
 * Skip steps whose gradient has a NaN or ±Infinity: the update is zero and the
 * inner state is kept, the skip is counted. After `maxConsecutive` skips in a
 * row the step throws `NonFiniteGradientError` (the drivers turn it into a stop
 * reason). Default maxConsecutive = 10.
 */
export const skipNonFinite = <S>(inner: Optimizer<S>, options: { readonly maxConsecutive?: number } = {}): Optimizer<SkipState<S>> => {
  const { maxConsecutive = 10 } = options
  const run =
    (owned: boolean) =>
    (state: SkipState<S>, grad: TensorTree, params: TensorTree, into?: TensorTree, context?: StepContext): readonly [SkipState<S>, TensorTree] => {
      const bad = firstNonFinite(grad)
      if (bad !== undefined) {
        const consecutive = state.consecutive + 1
        if (consecutive >= maxConsecutive) throw new NonFiniteGradientError(consecutive, bad.path, bad.value)
        return [{ inner: state.inner, skipped: state.skipped + 1, consecutive }, zerosLike(params)]
      }
      const [s, u] = owned ? stepOwned(inner, state.inner, grad, params, into, context) : inner.step(state.inner, grad, params, context)
      return [{ inner: s, skipped: state.skipped, consecutive: 0 }, u]
    }
  return { init: (params) => ({ inner: inner.init(params), skipped: 0, consecutive: 0 }), step: (s, g, p, context) => run(false)(s, g, p, undefined, context), stepDonated: run(true) }
}

// -------------------------------------------------------------------------------------
// gradient accumulation
// -------------------------------------------------------------------------------------

/** The inner state, the gradient sum since the last inner step, and how many are in it. */
export interface AccumulateState<S> {
  /** The wrapped optimizer's state. */
  readonly inner: S
  /** The gradients summed since the last inner step, by parameter path. */
  readonly sum: PathMap
  /** How many gradients `sum` holds. */
  readonly count: number
}

/**
 * Gradient accumulation (Optax's `MultiSteps`): sum k gradients, returning zero
 * updates, and on the k-th call step the inner optimizer with their mean.
 * Equals the inner optimizer on k-times larger batches.
 */
export const accumulate = <S>(inner: Optimizer<S>, options: { readonly every: number }): Optimizer<AccumulateState<S>> => {
  const k = options.every
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`accumulate: every must be a positive integer, got ${k}`)
  return {
    init: (params) => ({ inner: inner.init(params), sum: toPathMap(params, () => 0), count: 0 }),
    step: (state, grad, params) => {
      const sum = toPathMap(grad, (x, i, path) => x + leafAt(state.sum, path, 'accumulate').data[i])
      const count = state.count + 1
      if (count < k) return [{ inner: state.inner, sum, count }, zerosLike(params)]
      const mean = mapTree(grad, (_t, path) => {
        const s = sum[path].data
        const out = new Float64Array(s.length)
        for (let i = 0; i < s.length; i++) out[i] = s[i] / k
        return out
      })
      const [innerState, update] = inner.step(state.inner, mean, params)
      return [{ inner: innerState, sum: toPathMap(grad, () => 0), count: 0 }, update]
    }
  }
}

// -------------------------------------------------------------------------------------
// masking
// -------------------------------------------------------------------------------------

/**
 * Apply `inner` only to the leaves whose path satisfies `select` (e.g.
 * `(p) => !p.endsWith('bias')`); the other leaves get zero updates. The inner
 * optimizer sees a flat record keyed by the selected paths, so its state is
 * keyed by those paths too.
 */
export const masked = <S>(inner: Optimizer<S>, select: (path: string) => boolean): Optimizer<S> => {
  const subtree = (tree: TensorTree): Record<string, Tensor> => {
    const flat = flattenTensors(tree)
    const out: Record<string, Tensor> = {}
    flat.leaves.forEach((t, j) => {
      if (select(flat.paths[j])) setOwn(out, flat.paths[j], t)
    })
    return out
  }
  return {
    init: (params) => inner.init(subtree(params)),
    step: (state, grad, params) => {
      const [s, u] = inner.step(state, subtree(grad), subtree(params))
      const selected = u as Record<string, Tensor>
      const update = mapTree(params, (t, path) => (select(path) ? selected[path].data : new Float64Array(t.size)))
      return [s, update]
    }
  }
}

// -------------------------------------------------------------------------------------
// parameter averaging
// -------------------------------------------------------------------------------------

/** The inner state and the running average of the parameters. */
export interface ParameterEmaState<S> {
  /** The wrapped optimizer's state. */
  readonly inner: S
  /** The running average of the parameters, by parameter path. */
  readonly average: PathMap
}

/**
 * Polyak averaging of the iterates by an EMA: after each step, with θ' = θ + update,
 * `θ̄ ← decay·θ̄ + (1 − decay)·θ'`, starting at θ̄₀ = θ₀. The update is the
 * inner one; read the average with `averagedParams`. Default decay = 0.999.
 */
export const parameterEma = <S>(inner: Optimizer<S>, options: { readonly decay?: number } = {}): Optimizer<ParameterEmaState<S>> => {
  const { decay = 0.999 } = options
  return {
    init: (params) => ({ inner: inner.init(params), average: toPathMap(params) }),
    step: (state, grad, params) => {
      const [s, u] = inner.step(state.inner, grad, params)
      const uf = flattenTensors(u).leaves
      const pf = flattenTensors(params)
      const average: Record<string, Tensor> = {}
      pf.leaves.forEach((t, j) => {
        const path = pf.paths[j]
        const old = leafAt(state.average, path, 'parameterEma').data
        const out = new Float64Array(t.size)
        for (let i = 0; i < out.length; i++) out[i] = decay * old[i] + (1 - decay) * (t.data[i] + uf[j].data[i])
        setOwn(average, path, Tensor.unsafeFromBuffer(t.shape, out))
      })
      return [{ inner: s, average }, u]
    }
  }
}

/** The averaged parameters of a `parameterEma` state, in the shape of `like`. */
export const averagedParams = <S>(state: ParameterEmaState<S>, like: TensorTree): TensorTree =>
  mapTree(like, (_t, path) => leafAt(state.average, path, 'averagedParams').data)

// -------------------------------------------------------------------------------------
// lookahead
// -------------------------------------------------------------------------------------

/** The inner (fast) state, the slow weights and the steps since they last moved. */
export interface LookaheadState<S> {
  /** The wrapped (fast) optimizer's state. */
  readonly inner: S
  /** The slow weights, by parameter path. */
  readonly slow: PathMap
  /** Fast steps since the slow weights last moved. */
  readonly count: number
}

/**
 * Lookahead (Zhang et al. 2019): the inner optimizer moves the fast weights;
 * every k steps the slow weights move `slow ← slow + α(fast − slow)` and the
 * parameters jump to them. Defaults k = 5, α = 0.5.
 */
export const lookahead = <S>(inner: Optimizer<S>, options: { readonly k?: number; readonly alpha?: number } = {}): Optimizer<LookaheadState<S>> => {
  const { k = 5, alpha = 0.5 } = options
  return {
    init: (params) => ({ inner: inner.init(params), slow: toPathMap(params), count: 0 }),
    step: (state, grad, params) => {
      const [s, u] = inner.step(state.inner, grad, params)
      const count = state.count + 1
      if (count < k) return [{ inner: s, slow: state.slow, count }, u]
      const uf = flattenTensors(u).leaves
      const slow: Record<string, Tensor> = {}
      const update = mapTree(params, (t, path, j) => {
        const old = leafAt(state.slow, path, 'lookahead').data
        const next = new Float64Array(t.size)
        const out = new Float64Array(t.size)
        for (let i = 0; i < out.length; i++) {
          const fast = t.data[i] + uf[j].data[i]
          next[i] = old[i] + alpha * (fast - old[i])
          out[i] = next[i] - t.data[i]
        }
        setOwn(slow, path, Tensor.unsafeFromBuffer(t.shape, next))
        return out
      })
      return [{ inner: s, slow, count: 0 }, update]
    }
  }
}
