/**
 * Terminals: the last item of a chain, turning the direction d into the
 * update. `sgd(lr)` fuses into the chain's last loop; the line searches and
 * L-BFGS read the step context (the value and the objective) and say so.
 * Each terminal is also an optimizer on its own (a chain with no stages).
 */
import { Tensor } from '../tensor/Tensor.js'
import { flattenTensors, setOwn, unflatten } from '../tensor/Tree.js'
import type { StepContext } from './Optimizer.js'
import type { Schedule } from './Schedule.js'
import { terminalOptimizer } from './chain.js'
import { dot, fromVector, toVector } from './internal/vector.js'
import { ChainError, type ChainOptimizer, type PathMap, type SgdState } from './internal/engine.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

/** x + α·p as a new vector. */
const along = (x: Float64Array, alpha: number, p: Float64Array): Float64Array => {
  const out = new Float64Array(x.length)
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * p[i]
  return out
}

const scaledVector = (p: Float64Array, alpha: number): Float64Array => along(new Float64Array(p.length), alpha, p)

const objectiveOf = (context: StepContext | undefined): NonNullable<StepContext['objective']> => context!.objective!

// -------------------------------------------------------------------------------------
// sgd
// -------------------------------------------------------------------------------------

/**
 * The terminal step: `update = −lr·d`, with `lr` a number or a schedule of
 * the step count (0 at the first step). Its state is the chain's one step count.
 * @see classicSgd — PyTorch's SGD with momentum, dampening, Nesterov and weight decay.
 */
export const sgd = (lr: number | Schedule): ChainOptimizer<SgdState> =>
  terminalOptimizer<SgdState>({
    type: 'sgd',
    name: 'sgd',
    lr,
    info: {
      label: `sgd(lr=${typeof lr === 'number' ? lr : 'schedule'})`,
      spec: typeof lr === 'number' ? { sgd: { lr } } : undefined,
      hyperparameters: (count) => ({ lr: typeof lr === 'number' ? lr : lr(count) })
    }
  })

// -------------------------------------------------------------------------------------
// backtracking (Armijo)
// -------------------------------------------------------------------------------------

/** The step count and the step size the last line search accepted. */
export interface BacktrackingState {
  /** Tags the state in a chain. */
  readonly kind: 'backtracking'
  /** Steps taken. */
  readonly count: number
  /** The step size the last line search accepted. */
  readonly stepSize: number
}

/** Options of `backtracking`, the Armijo line search; every field optional. */
export interface BacktrackingOptions {
  /** Sufficient-decrease constant c₁ of Armijo's rule. Default 1e-4. */
  readonly c1?: number
  /** Factor the trial step shrinks by. Default 0.5. */
  readonly shrink?: number
  /** First trial step. Default 1. */
  readonly init?: number
  /** Trials before giving up (the smallest trial is then taken). Default 60. */
  readonly maxTrials?: number
}

/**
 * Backtracking line search along −d (Nocedal & Wright, algorithm 3.1): the
 * first α in init, init·shrink, init·shrink², … with
 * `f(θ − αd) ≤ f(θ) − c₁·α·⟨g, d⟩`; update = −αd. If −d is not a descent
 * direction (⟨g, d⟩ ≤ 0), it searches along −g. Needs the value and the objective.
 * Defaults c₁ = 1e-4, shrink = 0.5, init = 1.
 */
export const backtracking = (options: BacktrackingOptions = {}): ChainOptimizer<BacktrackingState> => {
  const { c1 = 1e-4, shrink = 0.5, init = 1, maxTrials = 60 } = options
  if (!(shrink > 0 && shrink < 1)) throw new ChainError(`backtracking: shrink must be in (0, 1), got ${shrink}`)
  if (!(init > 0)) throw new ChainError(`backtracking: init must be positive, got ${init}`)
  return terminalOptimizer<BacktrackingState>({
    type: 'tree',
    name: 'backtracking',
    init: () => ({ kind: 'backtracking', count: 0, stepSize: 0 }) as BacktrackingState,
    apply: (state: BacktrackingState, a) => {
      const objective = objectiveOf(a.context)
      const f0 = a.context!.value!
      const x = toVector(a.params)
      const g = toVector(a.g)
      let p = toVector(a.d).map((v) => -v)
      let slope = dot(g, p)
      if (!(slope < 0)) {
        p = g.map((v) => -v)
        slope = -dot(g, g)
      }
      let alpha = init
      for (let k = 0; k < maxTrials; k++) {
        const [f] = objective(fromVector(a.params, along(x, alpha, p)))
        if (f <= f0 + c1 * alpha * slope) break
        if (k < maxTrials - 1) alpha *= shrink
      }
      if (slope === 0) alpha = 0
      return [{ kind: 'backtracking', count: state.count + 1, stepSize: alpha }, fromVector(a.params, scaledVector(p, alpha))]
    },
    info: {
      label: `backtracking(c1=${c1}, shrink=${shrink}, init=${init})`,
      spec: { backtracking: { c1, shrink, init } },
      hyperparameters: () => ({ c1, shrink, init }),
      needs: ['value', 'objective']
    }
  })
}

// -------------------------------------------------------------------------------------
// L-BFGS with a strong-Wolfe line search
// -------------------------------------------------------------------------------------

/** The step count and the last `memory` curvature pairs (s = Δθ, y = Δ∇f), oldest first. */
export interface LbfgsState {
  /** Tags the state in a chain. */
  readonly kind: 'lbfgs'
  /** Steps taken. */
  readonly count: number
  /** The parameter changes Δθ, oldest first. */
  readonly s: readonly Tensor[]
  /** The matching gradient changes Δ∇f, oldest first. */
  readonly y: readonly Tensor[]
  /** The step size the last line search accepted. */
  readonly stepSize: number
}

/** Options of `lbfgs`; every field optional. */
export interface LbfgsOptions {
  /** Curvature pairs kept. Default 10. */
  readonly memory?: number
  /** Sufficient decrease c₁. Default 1e-4. */
  readonly c1?: number
  /** Curvature condition c₂ (strong Wolfe). Default 0.9. */
  readonly c2?: number
  /** Function evaluations per line search. Default 25. */
  readonly maxEvaluations?: number
}

/** p = −H·q by the two-loop recursion (Nocedal & Wright, algorithm 7.4), H₀ = γI with γ = sᵀy/yᵀy. */
const twoLoop = (q0: Float64Array, s: readonly Float64Array[], y: readonly Float64Array[]): Float64Array => {
  const q = q0.slice()
  const m = s.length
  const alphas = new Float64Array(m)
  const rhos = s.map((si, i) => 1 / dot(y[i], si))
  for (let i = m - 1; i >= 0; i--) {
    alphas[i] = rhos[i] * dot(s[i], q)
    for (let k = 0; k < q.length; k++) q[k] -= alphas[i] * y[i][k]
  }
  const gamma = m > 0 ? dot(s[m - 1], y[m - 1]) / dot(y[m - 1], y[m - 1]) : 1
  for (let k = 0; k < q.length; k++) q[k] *= gamma
  for (let i = 0; i < m; i++) {
    const beta = rhos[i] * dot(y[i], q)
    for (let k = 0; k < q.length; k++) q[k] += s[i][k] * (alphas[i] - beta)
  }
  for (let k = 0; k < q.length; k++) q[k] = -q[k]
  return q
}

interface Trial {
  readonly alpha: number
  readonly f: number
  readonly slope: number
  readonly grad: Float64Array
}

/** The minimiser of the cubic through two trials (N&W eq. 3.59), kept inside the bracket, else its middle. */
const cubicStep = (lo: Trial, hi: Trial): number => {
  const d1 = lo.slope + hi.slope - (3 * (lo.f - hi.f)) / (lo.alpha - hi.alpha)
  const disc = d1 * d1 - lo.slope * hi.slope
  const a = Math.min(lo.alpha, hi.alpha)
  const b = Math.max(lo.alpha, hi.alpha)
  const margin = 0.1 * (b - a)
  if (disc >= 0) {
    const d2 = Math.sign(hi.alpha - lo.alpha) * Math.sqrt(disc)
    const x = hi.alpha - ((hi.alpha - lo.alpha) * (hi.slope + d2 - d1)) / (hi.slope - lo.slope + 2 * d2)
    if (Number.isFinite(x) && x >= a + margin && x <= b - margin) return x
  }
  return (a + b) / 2
}

/**
 * A step size satisfying the strong Wolfe conditions (N&W algorithms 3.5 and 3.6):
 * φ(α) ≤ φ(0) + c₁αφ'(0) and |φ'(α)| ≤ c₂|φ'(0)|; the best trial when the budget runs out.
 */
const strongWolfe = (phi: (alpha: number) => Trial, zero: Trial, alpha1: number, c1: number, c2: number, budget: number): Trial => {
  let evaluations = 0
  const trial = (alpha: number): Trial => {
    evaluations++
    return phi(alpha)
  }
  const armijo = (t: Trial): boolean => t.f <= zero.f + c1 * t.alpha * zero.slope
  const curvature = (t: Trial): boolean => Math.abs(t.slope) <= -c2 * zero.slope
  const zoom = (lo0: Trial, hi0: Trial): Trial => {
    let lo = lo0
    let hi = hi0
    while (evaluations < budget) {
      const t = trial(cubicStep(lo, hi))
      if (!armijo(t) || t.f >= lo.f) hi = t
      else {
        if (curvature(t)) return t
        if (t.slope * (hi.alpha - lo.alpha) >= 0) hi = lo
        lo = t
      }
      if (Math.abs(hi.alpha - lo.alpha) <= 1e-16 * Math.max(1, lo.alpha)) break
    }
    return lo
  }
  let previous = zero
  let alpha = alpha1
  for (let i = 0; evaluations < budget; i++) {
    const t = trial(alpha)
    if (!armijo(t) || (i > 0 && t.f >= previous.f)) return zoom(previous, t)
    if (curvature(t)) return t
    if (t.slope >= 0) return zoom(t, previous)
    previous = t
    alpha *= 2
  }
  return previous
}

/**
 * L-BFGS (Nocedal & Wright, algorithm 7.5): the search direction p = −H·d from
 * the two-loop recursion over the last `memory` pairs, then a step size from
 * a strong-Wolfe zoom line search on the objective (the first step tries
 * α = 1/‖d‖, later ones α = 1); update = αp. A pair is kept only when sᵀy > 0.
 * Needs the objective. Defaults memory 10, c₁ = 1e-4, c₂ = 0.9.
 */
export const lbfgs = (options: LbfgsOptions = {}): ChainOptimizer<LbfgsState> => {
  const { memory = 10, c1 = 1e-4, c2 = 0.9, maxEvaluations = 25 } = options
  if (!Number.isInteger(memory) || memory < 1) throw new ChainError(`lbfgs: memory must be a positive integer, got ${memory}`)
  if (!(0 < c1 && c1 < c2 && c2 < 1)) throw new ChainError(`lbfgs: needs 0 < c1 < c2 < 1, got c1 = ${c1}, c2 = ${c2}`)
  return terminalOptimizer<LbfgsState>({
    type: 'tree',
    name: 'lbfgs',
    init: () => ({ kind: 'lbfgs', count: 0, s: [], y: [], stepSize: 0 }) as LbfgsState,
    apply: (state: LbfgsState, a) => {
      const objective = objectiveOf(a.context)
      const x = toVector(a.params)
      const d = toVector(a.d)
      const g = toVector(a.g)
      const s = state.s.map((t) => t.data)
      const y = state.y.map((t) => t.data)
      let p = twoLoop(d, s, y)
      let slope0 = dot(g, p)
      if (!(slope0 < 0)) {
        p = d.map((v) => -v)
        slope0 = dot(g, p)
      }
      const f0 = a.context?.value ?? objective(a.params)[0]
      const zero: Trial = { alpha: 0, f: f0, slope: slope0, grad: g }
      const phi = (alpha: number): Trial => {
        const [f, gt] = objective(fromVector(a.params, along(x, alpha, p)))
        const grad = toVector(gt)
        return { alpha, f, slope: dot(grad, p), grad }
      }
      const pNorm = Math.sqrt(dot(p, p))
      const first = s.length === 0 ? Math.min(1, 1 / pNorm) : 1
      const best = slope0 < 0 ? strongWolfe(phi, zero, first, c1, c2, maxEvaluations) : zero
      const step = scaledVector(p, best.alpha)
      const change = best.grad.map((v, i) => v - g[i])
      let sNext = state.s
      let yNext = state.y
      if (best.alpha > 0 && dot(step, change) > 1e-12 * Math.sqrt(dot(step, step) * dot(change, change))) {
        sNext = [...state.s, Tensor.unsafeFromBuffer([step.length], step.slice())].slice(-memory)
        yNext = [...state.y, Tensor.unsafeFromBuffer([change.length], change)].slice(-memory)
      }
      return [{ kind: 'lbfgs', count: state.count + 1, s: sNext, y: yNext, stepSize: best.alpha }, fromVector(a.params, step)]
    },
    info: {
      label: `lbfgs(memory=${memory})`,
      spec: { lbfgs: { memory } },
      hyperparameters: () => ({ memory, c1, c2 }),
      needs: ['objective']
    }
  })
}

// -------------------------------------------------------------------------------------
// look-ahead Nesterov
// -------------------------------------------------------------------------------------

/** The step count and the velocity v per parameter. */
export interface NesterovLookaheadState {
  /** Tags the state in a chain. */
  readonly kind: 'nesterovLookahead'
  /** Steps taken. */
  readonly count: number
  /** The velocity, by parameter path. */
  readonly v: PathMap
}

/**
 * Nesterov's momentum in the look-ahead form (Sutskever et al. 2013):
 * `v ← μv − lr·∇f(θ + μv)`, `θ ← θ + v`; the gradient is taken at the
 * look-ahead point, from the objective (the gradient passed in is not used).
 * Its look-ahead points θ + μv follow PyTorch's `SGD(nesterov=True)` exactly.
 * Needs the objective. Default momentum μ = 0.9.
 */
export const nesterovLookahead = (options: { readonly lr: number; readonly momentum?: number }): ChainOptimizer<NesterovLookaheadState> => {
  const { lr, momentum: mu = 0.9 } = options
  return terminalOptimizer<NesterovLookaheadState>({
    type: 'tree',
    name: 'nesterovLookahead',
    init: (params) => {
      const flat = flattenTensors(params)
      const v: Record<string, Tensor> = {}
      flat.leaves.forEach((l, j) => setOwn(v, flat.paths[j], Tensor.unsafeFromBuffer(l.shape, new Float64Array(l.size))))
      return { kind: 'nesterovLookahead', count: 0, v } as NesterovLookaheadState
    },
    apply: (state: NesterovLookaheadState, a) => {
      const flat = flattenTensors(a.params)
      const vOld = toVector(unflatten(flat.structure, flat.paths.map((p) => {
        const t = state.v[p]
        if (t === undefined) throw new TypeError(`nesterovLookahead: the state has no velocity for parameter ${p === '' ? 'the top' : p}`)
        return t
      })))
      const x = toVector(a.params)
      const [, gAhead] = objectiveOf(a.context)(fromVector(a.params, along(x, mu, vOld)))
      const v = along(scaledVector(vOld, mu), -lr, toVector(gAhead))
      const update = fromVector(a.params, v)
      const vTree = flattenTensors(fromVector(a.params, v))
      const vMap: Record<string, Tensor> = {}
      vTree.leaves.forEach((l, j) => setOwn(vMap, flat.paths[j], l))
      return [{ kind: 'nesterovLookahead', count: state.count + 1, v: vMap }, update]
    },
    info: {
      label: `nesterovLookahead(lr=${lr}, μ=${mu})`,
      spec: { nesterovLookahead: { lr, momentum: mu } },
      hyperparameters: () => ({ lr, momentum: mu }),
      needs: ['objective']
    }
  })
}
