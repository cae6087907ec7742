/**
 * Stages: one constructor per pipeline stage of the JSON spec, named as its
 * key, and the two constructors users write their own stages with
 * (`elementwise` for per-element rules, `custom` for whole-tree ones).
 *
 * Per-element stages are rules on scalar symbols written with the library's
 * own ops; a run of them compiles into one loop per leaf. Every hyper-parameter
 * (β, ρ, ε, λ, …) is a number or a schedule of the step count.
 */
import { type Sym, type SymLike, abs, max, neg, sign, stack } from '../graph/index.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, unflatten } from '../tensor/Tree.js'
import type { Schedule } from './Schedule.js'
import { type NoState, type SlotsLayer, type Stage, type TreeLayer, makeStage } from './chain.js'
import { ChainError, type CustomArgs, type ElementwiseImpl, type PathMap, type RuleInputs, type StageInfo } from './internal/engine.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

/** A hyper-parameter: a number, or a schedule of the step count (0 at the first step). */
export type Hyper = number | Schedule

const at = (x: Hyper, count: number): number => (typeof x === 'number' ? x : x(count))

const show = (x: Hyper): string => (typeof x === 'number' ? String(x) : 'schedule')

/** `name(a=1, b=2, flag)` from labelled values; false flags and undefined values are left out. */
const label = (name: string, parts: readonly (readonly [string, Hyper | boolean | undefined])[]): string =>
  `${name}(${parts
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? k : `${k}=${show(v as Hyper)}`))
    .join(', ')})`

/** The JSON spec of a stage, or undefined when a hyper-parameter is a function. */
const specOf = (key: string, fields: Readonly<Record<string, Hyper | boolean | undefined>>): unknown => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    if (typeof v === 'function') return undefined
    out[k] = v
  }
  return { [key]: out }
}

const hyperOf = (fields: Readonly<Record<string, Hyper>>) => (count: number): Readonly<Record<string, number>> =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, at(v, count)]))

/** Elementwise maximum, as the graph's max over a stack of the two (NaN wins, as in Math.max). */
const maximum = (a: SymLike, b: SymLike): Sym => max(stack([a, b]))
/** Elementwise minimum: −max(−a, −b). */
const minimum = (a: SymLike, b: SymLike): Sym => neg(maximum(neg(a), neg(b)))

interface BuiltinOptions {
  readonly name: string
  readonly slots?: readonly string[]
  readonly initial?: Readonly<Record<string, number>>
  readonly initialScalars?: Readonly<Record<string, number>>
  readonly perStepNames?: readonly string[]
  readonly perStep?: ElementwiseImpl['perStep']
  readonly fromSumOfSquares?: ElementwiseImpl['fromSumOfSquares']
  readonly rule: (x: RuleInputs) => Record<string, SymLike>
  readonly info: StageInfo
}

const builtin = <L>(o: BuiltinOptions): Stage<L> =>
  makeStage<L>({
    type: 'elementwise',
    name: o.name,
    slots: o.slots ?? [],
    initial: o.initial,
    initialScalars: o.initialScalars,
    perStepNames: o.perStepNames ?? [],
    perStep: o.perStep,
    fromSumOfSquares: o.fromSumOfSquares,
    rule: o.rule,
    info: o.info
  })

const info = (name: string, fields: Readonly<Record<string, Hyper | boolean | undefined>>, symbols: Readonly<Record<string, string>> = {}): StageInfo => {
  const hypers = Object.fromEntries(Object.entries(fields).filter((e): e is [string, Hyper] => typeof e[1] === 'number' || typeof e[1] === 'function'))
  return {
    label: label(name, Object.entries(fields).map(([k, v]) => [symbols[k] ?? k, v] as const)),
    spec: specOf(name, fields),
    hyperparameters: hyperOf(hypers)
  }
}

// -------------------------------------------------------------------------------------
// first-moment stages
// -------------------------------------------------------------------------------------

/** The per-parameter slots of `momentum`'s state: `v`, the velocity buffer. */
export type MomentumSlots = {
  /** The velocity v ← βv + (1 − dampening)·d, by parameter path. */
  readonly v: PathMap
}
/** The per-parameter slots of `ewma`'s state: `m`, the running average. */
export type EwmaSlots = {
  /** m ← βm + (1 − β)d, by parameter path (not debiased). */
  readonly m: PathMap
}
/** The per-parameter slots of `rms`'s state: `nu`, the mean square; `mu`, the mean (centered only); `nuMax`, its running max (amsgrad only). */
export type RmsSlots = {
  /** r, the running mean of g², by parameter path. */
  readonly nu: PathMap
  /** m, the running mean of g; only with `centered`. */
  readonly mu?: PathMap
  /** The running maximum of r̂; only with `amsgrad`. */
  readonly nuMax?: PathMap
}
/** The per-parameter slots of `adagrad`'s state: `sum`, the sum of squared gradients. */
export type AdaGradSlots = {
  /** r = r₀ + Σ g², by parameter path (r₀ = `initialAccumulatorValue`). */
  readonly sum: PathMap
}
/** The per-parameter slots of `infNorm`'s state: `u`, the exponentially weighted infinity norm (Adamax). */
export type InfNormSlots = {
  /** u ← max(βu, |g| + ε), by parameter path. */
  readonly u: PathMap
}
/** The per-parameter slots of `adadelta`'s state: running means of squared gradients (`square`) and of squared updates (`delta`). */
export type AdadeltaSlots = {
  /** s, the running mean of g², by parameter path. */
  readonly square: PathMap
  /** a, the running mean of the squared updates δ², by parameter path. */
  readonly delta: PathMap
}
/** The per-parameter slots of `lion`'s state: `m`, the momentum. */
export type LionSlots = {
  /** The momentum m ← β₂m + (1 − β₂)d, by parameter path. */
  readonly m: PathMap
}
/** The per-parameter slots of `nadam`'s state: first (`m`) and second (`v`) moments. */
export type NadamSlots = {
  /** m, the running mean of d, by parameter path. */
  readonly m: PathMap
  /** v, the running mean of g², by parameter path. */
  readonly v: PathMap
}

/** Options of `momentum`; every field optional. */
export interface MomentumOptions {
  /** Momentum factor β. Default 0.9. */
  readonly beta?: Hyper
  /** Dampening. Default 0. */
  readonly dampening?: Hyper
  /** Pass d + βv instead of v. Default false. */
  readonly nesterov?: boolean
}

/**
 * Heavy-ball momentum (PyTorch's SGD buffer): `v₁ = d`, `v ← βv + (1 − dampening)·d`;
 * passes v, or `d + βv` with `nesterov`. Defaults β = 0.9, dampening = 0.
 * @see `chain(momentum({ beta }), sgd(lr))` = `torch.optim.SGD(lr, momentum=beta)`.
 */
export const momentum = (options: MomentumOptions = {}): Stage<SlotsLayer<'momentum', MomentumSlots>> => {
  const { beta = 0.9, dampening = 0, nesterov = false } = options
  return builtin({
    name: 'momentum',
    slots: ['v'],
    perStepNames: ['a', 'c', 'beta'],
    perStep: (t) => {
      const b = at(beta, t - 1)
      return { values: t === 1 ? [0, 1, b] : [b, 1 - at(dampening, t - 1), b] }
    },
    rule: ({ d, v, a, c, beta: b }) => {
      const v1 = a.mul(v).add(c.mul(d))
      return { v: v1, d: nesterov ? d.add(b.mul(v1)) : v1 }
    },
    info: info('momentum', { beta, dampening: dampening === 0 ? undefined : dampening, nesterov }, { beta: 'β' })
  })
}

/** Options of `ewma`; every field optional. */
export interface EwmaOptions {
  /** Decay β. Default 0.9. */
  readonly beta?: Hyper
  /** Divide by 1 − βᵗ (as a product with the step's 1/(1 − βᵗ)). Default false. */
  readonly debias?: boolean
}

/**
 * Exponentially weighted moving average of d: `m ← βm + (1 − β)d`; passes m,
 * or m/(1 − βᵗ) with `debias`, computed as `m · (1/(1 − βᵗ))`: the reciprocal
 * is a per-step number, so the step's loop multiplies instead of dividing
 * (PyTorch's Adam folds the same factor into its step size). Defaults β = 0.9, debias = false.
 * @see `chain(ewma({ beta: β₁, debias: true }), rms({ rho: β₂, debias: true }), sgd(lr))` = Adam.
 */
export const ewma = (options: EwmaOptions = {}): Stage<SlotsLayer<'ewma', EwmaSlots>> => {
  const { beta = 0.9, debias = false } = options
  return builtin({
    name: 'ewma',
    slots: ['m'],
    perStepNames: ['beta', 'omb', 'ibc'],
    perStep: (t) => {
      const b = at(beta, t - 1)
      return { values: [b, 1 - b, 1 / (1 - Math.pow(b, t))] }
    },
    rule: ({ d, m, beta: b, omb, ibc }) => {
      const m1 = b.mul(m).add(omb.mul(d))
      return { m: m1, d: debias ? m1.mul(ibc) : m1 }
    },
    info: info('ewma', { beta, debias }, { beta: 'β' })
  })
}

// -------------------------------------------------------------------------------------
// second-moment stages
// -------------------------------------------------------------------------------------

/** Options of `rms`; every field optional. */
export interface RmsOptions {
  /** Decay ρ of the mean square. Default 0.99 (PyTorch RMSprop's alpha). */
  readonly rho?: Hyper
  /** Default 1e-8. */
  readonly eps?: Hyper
  /** Subtract the squared mean gradient: r̂ = r − m², m ← ρm + (1 − ρ)g. Default false. */
  readonly centered?: boolean
  /** Divide by √(1 − ρᵗ) (Adam's second-moment correction). Default false. */
  readonly debias?: boolean
  /** √(r̂ + ε) instead of √r̂ + ε. Default false. */
  readonly epsInside?: boolean
  /** Use the running maximum of r̂ (AMSGrad). Default false. */
  readonly amsgrad?: boolean
}

/**
 * Root-mean-square scaling: `r ← ρr + (1 − ρ)g²`; passes `d / (√r̂ + ε)` where
 * r̂ is r (or r − m² when centered, or its running max with amsgrad), divided by
 * 1 − ρᵗ under the root with `debias` (as `√r̂/√(1 − ρᵗ) + ε`, PyTorch's Adam form).
 * Defaults ρ = 0.99, ε = 1e-8, everything else off.
 * @see `chain(rms({ rho: α }), sgd(lr))` = `torch.optim.RMSprop(lr, alpha=α)`.
 */
export const rms = (options: RmsOptions = {}): Stage<SlotsLayer<'rms', RmsSlots>> => {
  const { rho = 0.99, eps = 1e-8, centered = false, debias = false, epsInside = false, amsgrad = false } = options
  return builtin({
    name: 'rms',
    slots: ['nu', ...(centered ? ['mu'] : []), ...(amsgrad ? ['nuMax'] : [])],
    perStepNames: ['rho', 'omr', 'eps', 'bc', 'sbc'],
    perStep: (t) => {
      const r = at(rho, t - 1)
      const bc = 1 - Math.pow(r, t)
      return { values: [r, 1 - r, at(eps, t - 1), bc, Math.sqrt(bc)] }
    },
    rule: ({ g, d, nu, mu, nuMax, rho: r, omr, eps: e, bc, sbc }) => {
      const out: Record<string, Sym> = {}
      out.nu = r.mul(nu).add(omr.mul(g.mul(g)))
      let mean = out.nu
      if (centered) {
        out.mu = r.mul(mu).add(omr.mul(g))
        mean = out.nu.sub(out.mu.mul(out.mu))
      }
      if (amsgrad) mean = out.nuMax = maximum(nuMax, mean)
      const denominator = epsInside ? (debias ? mean.div(bc).add(e).sqrt() : mean.add(e).sqrt()) : debias ? mean.sqrt().div(sbc).add(e) : mean.sqrt().add(e)
      out.d = d.div(denominator)
      return out
    },
    info: info('rms', { rho, eps, centered, debias, epsInside, amsgrad }, { rho: 'ρ', eps: 'ε' })
  })
}

/** Options of `adagrad`; every field optional. */
export interface AdaGradOptions {
  /** Default 1e-10 (PyTorch). */
  readonly eps?: Hyper
  /** Starting value of the sum of squares. Default 0. */
  readonly initialAccumulatorValue?: number
}

/**
 * AdaGrad scaling: `r ← r + g²`; passes `d / (√r + ε)`. Defaults ε = 1e-10, r₀ = 0.
 * @see `chain(adagrad(), sgd(lr))` = `torch.optim.Adagrad(lr)`.
 */
export const adagrad = (options: AdaGradOptions = {}): Stage<SlotsLayer<'adagrad', AdaGradSlots>> => {
  const { eps = 1e-10, initialAccumulatorValue = 0 } = options
  return builtin({
    name: 'adagrad',
    slots: ['sum'],
    initial: { sum: initialAccumulatorValue },
    perStepNames: ['eps'],
    perStep: (t) => ({ values: [at(eps, t - 1)] }),
    rule: ({ g, d, sum, eps: e }) => {
      const s = sum.add(g.mul(g))
      return { sum: s, d: d.div(s.sqrt().add(e)) }
    },
    info: info('adagrad', { eps, initialAccumulatorValue: initialAccumulatorValue === 0 ? undefined : initialAccumulatorValue }, { eps: 'ε' })
  })
}

/**
 * Infinity-norm scaling (Adamax's denominator): `u ← max(βu, |g| + ε)`; passes `d / u`.
 * Defaults β = 0.999, ε = 1e-8.
 */
export const infNorm = (options: { readonly beta?: Hyper; readonly eps?: Hyper } = {}): Stage<SlotsLayer<'infNorm', InfNormSlots>> => {
  const { beta = 0.999, eps = 1e-8 } = options
  return builtin({
    name: 'infNorm',
    slots: ['u'],
    perStepNames: ['beta', 'eps'],
    perStep: (t) => ({ values: [at(beta, t - 1), at(eps, t - 1)] }),
    rule: ({ g, d, u, beta: b, eps: e }) => {
      const u1 = maximum(b.mul(u), abs(g).add(e))
      return { u: u1, d: d.div(u1) }
    },
    info: info('infNorm', { beta, eps }, { beta: 'β', eps: 'ε' })
  })
}

/**
 * Adadelta's scaling (Zeiler 2012, PyTorch form): `s ← ρs + (1 − ρ)g²`,
 * `δ = √(a + ε) / √(s + ε) · d`, `a ← ρa + (1 − ρ)δ²`; passes δ. Defaults ρ = 0.9, ε = 1e-6.
 */
export const adadelta = (options: { readonly rho?: Hyper; readonly eps?: Hyper } = {}): Stage<SlotsLayer<'adadelta', AdadeltaSlots>> => {
  const { rho = 0.9, eps = 1e-6 } = options
  return builtin({
    name: 'adadelta',
    slots: ['square', 'delta'],
    perStepNames: ['rho', 'omr', 'eps'],
    perStep: (t) => {
      const r = at(rho, t - 1)
      return { values: [r, 1 - r, at(eps, t - 1)] }
    },
    rule: ({ g, d, square, delta, rho: r, omr, eps: e }) => {
      const sq = r.mul(square).add(omr.mul(g.mul(g)))
      const std = sq.add(e).sqrt()
      const step = delta.add(e).sqrt().div(std).mul(d)
      return { square: sq, delta: r.mul(delta).add(omr.mul(step.mul(step))), d: step }
    },
    info: info('adadelta', { rho, eps }, { rho: 'ρ', eps: 'ε' })
  })
}

/**
 * Lion's sign step (Chen et al. 2023): `c = β₁m + (1 − β₁)d`, passes `sign(c)`,
 * then `m ← β₂m + (1 − β₂)d`. Defaults β₁ = 0.9, β₂ = 0.99.
 */
export const lion = (options: { readonly beta1?: Hyper; readonly beta2?: Hyper } = {}): Stage<SlotsLayer<'lion', LionSlots>> => {
  const { beta1 = 0.9, beta2 = 0.99 } = options
  return builtin({
    name: 'lion',
    slots: ['m'],
    perStepNames: ['b1', 'omb1', 'b2', 'omb2'],
    perStep: (t) => {
      const b1 = at(beta1, t - 1)
      const b2 = at(beta2, t - 1)
      return { values: [b1, 1 - b1, b2, 1 - b2] }
    },
    rule: ({ d, m, b1, omb1, b2, omb2 }) => ({ m: b2.mul(m).add(omb2.mul(d)), d: sign(b1.mul(m).add(omb1.mul(d))) }),
    info: info('lion', { beta1, beta2 }, { beta1: 'β₁', beta2: 'β₂' })
  })
}

/**
 * NAdam's direction (Dozat 2016, PyTorch ≥ 2.0): with μₜ = β₁(1 − ½·0.96^(tψ)),
 * Πₜ = μ₁⋯μₜ, `m ← β₁m + (1 − β₁)d`, `v ← β₂v + (1 − β₂)g²`, `den = √(v/(1 − β₂ᵗ)) + ε`,
 * passes `(1 − μₜ)/(1 − Πₜ) · d/den + μₜ₊₁/(1 − Πₜμₜ₊₁) · m/den`.
 * Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, ψ (momentumDecay) = 4e-3.
 */
export const nadam = (
  options: { readonly beta1?: number; readonly beta2?: Hyper; readonly eps?: Hyper; readonly momentumDecay?: number } = {}
): Stage<SlotsLayer<'nadam', NadamSlots>> => {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, momentumDecay = 4e-3 } = options
  return builtin({
    name: 'nadam',
    slots: ['m', 'v'],
    initialScalars: { muProduct: 1 },
    perStepNames: ['b1', 'omb1', 'b2', 'omb2', 'bc2', 'eps', 'cg', 'cm'],
    perStep: (t, scalars) => {
      const b2 = at(beta2, t - 1)
      const mu = beta1 * (1 - 0.5 * Math.pow(0.96, t * momentumDecay))
      const muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * momentumDecay))
      const muProduct = (scalars.muProduct ?? 1) * mu
      const muProductNext = muProduct * muNext
      return {
        values: [beta1, 1 - beta1, b2, 1 - b2, 1 - Math.pow(b2, t), at(eps, t - 1), (1 - mu) / (1 - muProduct), muNext / (1 - muProductNext)],
        scalars: { muProduct }
      }
    },
    rule: ({ g, d, m, v, b1, omb1, b2, omb2, bc2, eps: e, cg, cm }) => {
      const m1 = b1.mul(m).add(omb1.mul(d))
      const v1 = b2.mul(v).add(omb2.mul(g.mul(g)))
      const den = v1.div(bc2).sqrt().add(e)
      return { m: m1, v: v1, d: cg.mul(d).div(den).add(cm.mul(m1).div(den)) }
    },
    info: info('nadam', { beta1, beta2, eps, momentumDecay }, { beta1: 'β₁', beta2: 'β₂', eps: 'ε', momentumDecay: 'ψ' })
  })
}

// -------------------------------------------------------------------------------------
// gradient-level and stateless stages
// -------------------------------------------------------------------------------------

/**
 * L2 weight decay: adds λθ to g and d (to the loss gradient, as PyTorch's `weight_decay`).
 * @see `chain(weightDecay({ lambda }), …adam's stages)` = `torch.optim.Adam(weight_decay=lambda)`.
 */
export const weightDecay = (options: { readonly lambda: Hyper }): Stage<NoState> =>
  builtin({
    name: 'weightDecay',
    perStepNames: ['lambda'],
    perStep: (t) => ({ values: [at(options.lambda, t - 1)] }),
    rule: ({ g, d, theta, lambda }) => ({ g: g.add(lambda.mul(theta)), d: d.add(lambda.mul(theta)) }),
    info: info('weightDecay', { lambda: options.lambda }, { lambda: 'λ' })
  })

/**
 * Decoupled weight decay (Loshchilov & Hutter): adds λθ to d only, so with
 * `sgd(lr)` below, θ shrinks by lr·λθ whatever the stages above did.
 * @see `chain(ewma(…), rms(…), decoupledWeightDecay({ lambda }), sgd(lr))` = AdamW.
 */
export const decoupledWeightDecay = (options: { readonly lambda: Hyper }): Stage<NoState> =>
  builtin({
    name: 'decoupledWeightDecay',
    perStepNames: ['lambda'],
    perStep: (t) => ({ values: [at(options.lambda, t - 1)] }),
    rule: ({ d, theta, lambda }) => ({ d: d.add(lambda.mul(theta)) }),
    info: info('decoupledWeightDecay', { lambda: options.lambda }, { lambda: 'λ' })
  })

/** Clip each element of g and d to [−max, max]. */
export const clip = (options: { readonly max: Hyper }): Stage<NoState> =>
  builtin({
    name: 'clip',
    perStepNames: ['max'],
    perStep: (t) => ({ values: [at(options.max, t - 1)] }),
    rule: ({ g, d, max: m }) => ({ g: minimum(maximum(g, neg(m)), m), d: minimum(maximum(d, neg(m)), m) }),
    info: info('clip', { max: options.max })
  })

/**
 * Clip by global norm: with ‖g‖ the norm of the whole gradient tree (as this
 * stage sees it), scale g and d by `maxNorm / ‖g‖` when ‖g‖ > maxNorm.
 */
export const clipByGlobalNorm = (options: { readonly maxNorm: Hyper }): Stage<NoState> =>
  builtin({
    name: 'clipByGlobalNorm',
    perStepNames: ['scale'],
    fromSumOfSquares: (sum, t) => {
      const norm = Math.sqrt(sum)
      const maxNorm = at(options.maxNorm, t - 1)
      return [norm > maxNorm ? maxNorm / norm : 1]
    },
    rule: ({ g, d, scale }) => ({ g: g.mul(scale), d: d.mul(scale) }),
    info: info('clipByGlobalNorm', { maxNorm: options.maxNorm })
  })

// -------------------------------------------------------------------------------------
// user stages
// -------------------------------------------------------------------------------------

/** What a user's per-element rule receives: scalar symbols, one per signal, slot and per-step number. */
export type ElementwiseInputs<Slots extends string, P extends string> = {
  /** The gradient, as changed by gradient-level stages above. */
  readonly g: Sym
  /** The direction from the stage above (g at the top). */
  readonly d: Sym
  /** The parameter. */
  readonly theta: Sym
} & { readonly [K in Slots | P]: Sym }

/** What a user's per-element rule returns: the new direction, optionally a new gradient, every slot's new value. */
export type ElementwiseOutputs<Slots extends string> = {
  /** The direction passed to the stage below. */
  readonly d: SymLike
  /** The gradient the stages below see (a gradient-level stage); omitted, g passes through unchanged. */
  readonly g?: SymLike
} & { readonly [K in Slots]: SymLike }

/** What `elementwise` needs to build your own per-element stage: its name, slots, per-step scalars and rule. */
export interface ElementwiseOptions<N extends string, Slots extends string, P extends string> {
  /** The stage's name (in errors, `describe`, and the `kind` of its state). */
  readonly name: N
  /** Per-element slots, each starting at 0. */
  readonly state?: readonly Slots[]
  /** The per-step scalars at step t = 1, 2, … (bias corrections, schedules). */
  readonly perStep?: (t: number) => { readonly [K in P]: number }
  /** The rule for one element: g, d, θ, the slots and the per-step scalars in; d, optionally g, and every slot's new value out. */
  readonly rule: (x: ElementwiseInputs<Slots, P>) => ElementwiseOutputs<Slots>
}

const RESERVED = new Set(['g', 'd', 'theta'])

/**
 * A per-element stage written with the library's ops on scalar symbols. Runs
 * of these (with the built-in ones) compile into one loop per leaf.
 * @example elementwise({ name: 'sign', rule: ({ d }) => ({ d: d.sign() }) })
 * @example elementwise({ name: 'myEwma', state: ['m'], rule: ({ d, m }) => { const m1 = m.mul(0.9).add(d.mul(0.1)); return { m: m1, d: m1 } } })
 */
export const elementwise = <const N extends string, const Slots extends string = never, const P extends string = never>(
  options: ElementwiseOptions<N, Slots, P>
): Stage<[Slots] extends [never] ? NoState : SlotsLayer<N, { readonly [K in Slots]: PathMap }>> => {
  const { name, state = [], perStep, rule } = options
  const at1 = `stage '${name}'`
  if (typeof name !== 'string' || name === '') throw new ChainError('elementwise: a stage needs a name')
  if (typeof rule !== 'function') throw new ChainError(`elementwise ${at1}: rule must be a function`)
  const perStepNames = perStep !== undefined ? Object.keys(perStep(1)) : []
  const seen = new Set<string>()
  for (const n of [...state, ...perStepNames]) {
    if (RESERVED.has(n)) throw new ChainError(`elementwise ${at1}: '${n}' is the name of an input (g, d, theta); name the slot or per-step value otherwise`)
    if (seen.has(n)) throw new ChainError(`elementwise ${at1}: '${n}' is named twice among its slots and per-step values`)
    seen.add(n)
  }
  return makeStage({
    type: 'elementwise',
    name,
    slots: state,
    perStepNames,
    perStep:
      perStep === undefined
        ? undefined
        : (t) => {
            const values = perStep(t) as Readonly<Record<string, number>>
            return {
              values: perStepNames.map((n) => {
                const v = values[n]
                if (typeof v !== 'number') throw new ChainError(`${at1}: perStep(${t}) returned ${n} = ${String(v)}; expected a number`)
                return v
              })
            }
          },
    rule: rule as unknown as ElementwiseImpl['rule'],
    info: { label: `${name}(user)` }
  })
}

/** What `custom` needs to build a stage over whole trees: its name, optional state and step. */
export interface CustomOptions<N extends string, X> {
  /** The stage's name (in errors, `describe`, and the `kind` of its state). */
  readonly name: N
  /** The stage's state for these parameters. Omit for a stage without state. */
  readonly init?: (params: TensorTree) => X
  /** One step: the new state and the new direction (and, for gradient-level stages, gradient). */
  readonly apply: (state: X, args: CustomArgs) => readonly [X, {
    /** The direction passed to the stage below, shaped like the parameters. */
    readonly d: TensorTree
    /** The gradient the stages below see; omitted, g passes through unchanged. */
    readonly g?: TensorTree
  }]
  /** What it needs from the step context (checked before each step). */
  readonly needs?: readonly ('value' | 'objective')[]
}

/**
 * A whole-tree stage (norms per leaf or across the tree, anything not per
 * element). `apply(state, { g, d, params, step, value, objective })` returns
 * `[state, { d, g? }]`. It ends a fused run of elementwise stages.
 */
export function custom<const N extends string>(options: CustomOptions<N, undefined> & { readonly init?: undefined }): Stage<NoState>
export function custom<const N extends string, X>(options: CustomOptions<N, X> & { readonly init: (params: TensorTree) => X }): Stage<TreeLayer<N, X>>
// biome-ignore lint/suspicious/noExplicitAny: the overloads above give the layer type
export function custom(options: CustomOptions<string, any>): Stage<any> {
  return customStage(options, { label: `${options.name}(user)`, needs: options.needs })
}

const customStage = (options: CustomOptions<string, unknown>, stageInfo: StageInfo): Stage<never> => {
  if (typeof options.apply !== 'function') throw new ChainError(`custom stage '${options.name}': apply must be a function`)
  return makeStage({ type: 'custom', name: options.name, init: options.init, apply: options.apply as never, info: stageInfo })
}

// -------------------------------------------------------------------------------------
// stages that read the step context
// -------------------------------------------------------------------------------------

const leavesOf = (tree: TensorTree): readonly Tensor[] => flattenTensors(tree).leaves

const sumOfSquares = (tree: TensorTree): number => {
  let s = 0
  for (const l of leavesOf(tree)) for (let i = 0; i < l.data.length; i++) s += l.data[i] * l.data[i]
  return s
}

/** `a + c·b` leaf by leaf, as a tree shaped like `a`. */
const axpy = (a: TensorTree, c: number, b: TensorTree): TensorTree => {
  const fa = flattenTensors(a)
  const lb = leavesOf(b)
  return unflatten(
    fa.structure,
    fa.leaves.map((t, j) => {
      const out = new Float64Array(t.size)
      for (let i = 0; i < out.length; i++) out[i] = t.data[i] + c * lb[j].data[i]
      return Tensor.unsafeFromBuffer(t.shape, out)
    })
  )
}

const scaled = (tree: TensorTree, c: number): TensorTree => axpy(tree, c - 1, tree)

/**
 * Sharpness-aware minimisation (Foret et al. 2021): replace g and d by the
 * gradient at the worst nearby point, `∇f(θ + ρ·g/‖g‖)`. Needs the objective.
 * Put it first: `chain(sam({ rho: 0.05 }), sgd(lr))`. Default ρ = 0.05.
 */
export const sam = (options: { readonly rho?: Hyper } = {}): Stage<NoState> => {
  const { rho = 0.05 } = options
  return customStage(
    {
      name: 'sam',
      apply: (_state, a) => {
        const norm = Math.sqrt(sumOfSquares(a.g))
        if (norm === 0) return [undefined, { d: a.d, g: a.g }]
        const [, g2] = a.objective!(axpy(a.params, at(rho, a.step - 1) / norm, a.g))
        return [undefined, { d: g2, g: g2 }]
      }
    },
    { ...info('sam', { rho }, { rho: 'ρ' }), needs: ['objective'] }
  )
}

/**
 * Polyak's step size (Polyak 1987): scale d by `(f − f*)/‖g‖²`, capped at
 * `max`; with `sgd(1)` below it is θ ← θ − (f − f*)/‖g‖²·g. Needs the value f;
 * f* is the known optimal value (default 0). Default max = Infinity.
 */
export const polyak = (options: { readonly fStar?: number; readonly max?: number } = {}): Stage<NoState> => {
  const { fStar = 0, max: cap = Infinity } = options
  return customStage(
    {
      name: 'polyak',
      apply: (_state, a) => {
        const gg = sumOfSquares(a.g)
        const size = gg === 0 ? 0 : Math.min(Math.max(a.value! - fStar, 0) / gg, cap)
        return [undefined, { d: scaled(a.d, size) }]
      }
    },
    {
      label: label('polyak', [['f*', fStar], ['max', cap === Infinity ? undefined : cap]]),
      spec: { polyak: cap === Infinity ? { fStar } : { fStar, max: cap } },
      hyperparameters: () => ({ fStar, max: cap }),
      needs: ['value']
    }
  )
}

/** The plateau detector's state: the best value so far, the steps since, the scale of d and the cooldown left. */
export interface PlateauState {
  /** The best value f so far; Infinity before the first step. */
  readonly best: number
  /** Steps in a row without improvement (held at 0 during a cooldown). */
  readonly badSteps: number
  /** The factor d is scaled by: 1 at the start, times `factor` at each plateau, never below `minScale`. */
  readonly scale: number
  /** Steps of cooldown left after the last reduction. */
  readonly cooldown: number
}

/** Options of `reduceOnPlateau`; every field optional. */
export interface ReduceOnPlateauOptions {
  /** Multiply the scale by this on a plateau. Default 0.1. */
  readonly factor?: number
  /** Steps without improvement tolerated. Default 10. */
  readonly patience?: number
  /** Relative improvement that counts: f < best·(1 − threshold). Default 1e-4. */
  readonly threshold?: number
  /** Steps after a reduction before counting again. Default 0. */
  readonly cooldown?: number
  /** The smallest scale. Default 0. */
  readonly minScale?: number
}

/**
 * Reduce on plateau (PyTorch's `ReduceLROnPlateau`, mode 'min', relative
 * threshold): scale d by s, and multiply s by `factor` when the value f has not
 * improved for more than `patience` steps. Needs the value. Its current scale is
 * in its state. Defaults factor 0.1, patience 10, threshold 1e-4, cooldown 0, minScale 0.
 */
export const reduceOnPlateau = (options: ReduceOnPlateauOptions = {}): Stage<TreeLayer<'reduceOnPlateau', PlateauState>> => {
  const { factor = 0.1, patience = 10, threshold = 1e-4, cooldown = 0, minScale = 0 } = options
  return customStage(
    {
      name: 'reduceOnPlateau',
      init: (): PlateauState => ({ best: Infinity, badSteps: 0, scale: 1, cooldown: 0 }),
      apply: (s: PlateauState, a) => {
        const value = a.value!
        const better = value < s.best * (1 - threshold)
        let next: PlateauState = better ? { ...s, best: value, badSteps: 0 } : { ...s, badSteps: s.badSteps + 1 }
        if (next.cooldown > 0) next = { ...next, cooldown: next.cooldown - 1, badSteps: 0 }
        if (next.badSteps > patience) next = { ...next, scale: Math.max(next.scale * factor, minScale), cooldown, badSteps: 0 }
        return [next, { d: next.scale === 1 ? a.d : scaled(a.d, next.scale) }]
      }
    } as CustomOptions<string, unknown>,
    {
      label: label('reduceOnPlateau', [['factor', factor], ['patience', patience], ['threshold', threshold], ['cooldown', cooldown || undefined], ['minScale', minScale || undefined]]),
      spec: { reduceOnPlateau: { factor, patience, threshold, cooldown, minScale } },
      hyperparameters: () => ({ factor, patience, threshold, cooldown, minScale }),
      needs: ['value']
    }
  ) as Stage<TreeLayer<'reduceOnPlateau', PlateauState>>
}
