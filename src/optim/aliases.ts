/**
 * The classic optimizers, each a short composition of combinators, with
 * PyTorch 1.13's names, defaults and update rules (NAdam: PyTorch ≥ 2.0).
 * Stages read outermost first: `withWeightDecay(withEwma(withRMS(sgd(lr))))`
 * is L2 decay, then Adam's first moment, then its second, then −lr·d.
 *
 * Naming: the terminal step of every chain is `sgd(lr)` (in `combinators.ts`);
 * PyTorch's full `torch.optim.SGD` (momentum, dampening, Nesterov, weight
 * decay) is `classicSgd` here, and `sgd` in the JSON spec and in `aliases`.
 */
import type { Optimizer } from './Optimizer.js'
import type { Schedule } from './Schedule.js'
import {
  type ChainState,
  type FusedOptimizer,
  sgd,
  withAdaGrad,
  withAdadelta,
  withDecoupledWeightDecay,
  withEwma,
  withInfNorm,
  withLion,
  withMomentum,
  withNadam,
  withRMS,
  withWeightDecay
} from './combinators.js'

/** The optimizer of an alias: a fused chain whose exact stages depend on the options. */
export type AliasOptimizer = FusedOptimizer<ChainState>

/** A learning rate: a constant, or a schedule of the step count. */
export type Lr = number | Schedule

// biome-ignore lint/suspicious/noExplicitAny: any chain fits below an alias's stages
type AnyOptimizer = Optimizer<any>

// -------------------------------------------------------------------------------------
// hyper-parameter checks
// -------------------------------------------------------------------------------------

/**
 * The ranges the JSON spec's decoder checks (docs/spec.md), for the aliases
 * called from code: a `RangeError` that names the alias and the parameter.
 * They include `torch.optim`'s own checks (a `ValueError` there: Nesterov
 * without momentum, a negative ε, …) and refuse what PyTorch lets through to
 * NaN or divergent updates: a NaN or infinite value, a decay rate of 1 or
 * more. A schedule's values are its own business.
 */
const checks = (alias: string) => {
  const fail = (name: string, want: string, got: unknown): never => {
    throw new RangeError(`${alias}: ${name} must be ${want}, got ${String(got)}`)
  }
  return {
    /** A finite x ≥ 0 (ε, weight decays, AdaGrad's lrDecay and accumulator, NAdam's momentumDecay). */
    nonNegative: (name: string, x: number): void => {
      if (!(typeof x === 'number' && Number.isFinite(x) && x >= 0)) fail(name, 'a finite number ≥ 0', x)
    },
    /** A learning rate: a finite number > 0, or a schedule. */
    lr: (x: Lr): void => {
      if (typeof x === 'function') return
      if (!(typeof x === 'number' && Number.isFinite(x) && x > 0)) fail('lr', 'a finite number > 0 or a schedule', x)
    },
    /** A decay rate or momentum factor in [0, 1), or a dampening in [0, 1] (`closed`). */
    rate: (name: string, x: number, closed = false): void => {
      if (!(typeof x === 'number' && x >= 0 && (closed ? x <= 1 : x < 1))) fail(name, closed ? 'in [0, 1]' : 'in [0, 1)', x)
    },
    /** A pair of decay rates (β₁, β₂), each in [0, 1). */
    betas: (betas: readonly [number, number]): void => {
      if (!Array.isArray(betas) || betas.length !== 2) fail('betas', 'a pair [β₁, β₂]', JSON.stringify(betas))
      betas.forEach((b, i) => {
        if (!(typeof b === 'number' && b >= 0 && b < 1)) fail(`betas[${i}]`, 'in [0, 1)', b)
      })
    }
  }
}

/** The checks of the Adam family's common hyper-parameters: lr, betas, ε and the weight decay. */
const checkAdamLike = (alias: string, h: { lr: Lr; betas: readonly [number, number]; eps: number; weightDecay: number }): void => {
  const c = checks(alias)
  c.lr(h.lr)
  c.betas(h.betas)
  c.nonNegative('eps', h.eps)
  c.nonNegative('weightDecay', h.weightDecay)
}

const l2 = (inner: AnyOptimizer, weightDecay: number): AliasOptimizer =>
  (weightDecay !== 0 ? withWeightDecay(inner, { lambda: weightDecay }) : inner) as unknown as AliasOptimizer

// -------------------------------------------------------------------------------------
// aliases
// -------------------------------------------------------------------------------------

/** Hyper-parameters of SGD, PyTorch's names in camelCase (defaults on the constructor). */
export interface ClassicSgdOptions {
  /** The learning rate (required): a number or a schedule. */
  readonly lr: Lr
  /** Momentum factor μ. Default 0 (plain SGD). */
  readonly momentum?: number
  /** Dampening τ of the momentum buffer. Default 0. */
  readonly dampening?: number
  /** Use Nesterov momentum, d = g + μv. Default false. */
  readonly nesterov?: boolean
  /** L2 penalty λ added to the gradient (g + λθ). Default 0. */
  readonly weightDecay?: number
}

/**
 * `torch.optim.SGD`: g ← g + λθ; v₁ = g, v ← μv + (1 − τ)g; d = v (or g + μv
 * with nesterov); θ ← θ − lr·d. Defaults momentum μ = 0, dampening τ = 0,
 * nesterov = false, weightDecay λ = 0 (lr required).
 * @see `withWeightDecay(withMomentum(sgd(lr), {beta: μ, dampening: τ, nesterov}), {lambda: λ})`.
 */
export const classicSgd = (options: ClassicSgdOptions): AliasOptimizer => {
  const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options
  const c = checks('sgd')
  c.lr(lr)
  c.rate('momentum', momentum)
  c.rate('dampening', dampening, true)
  c.nonNegative('weightDecay', weightDecay)
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new RangeError(`sgd: Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch), got momentum ${momentum}, dampening ${dampening}`)
  }
  const base = sgd(lr)
  const withMom = momentum !== 0 ? withMomentum(base, { beta: momentum, dampening, nesterov }) : base
  return l2(withMom as AnyOptimizer, weightDecay)
}

/** Hyper-parameters of Adagrad, PyTorch's names in camelCase (defaults on the constructor). */
export interface AdagradOptions {
  /** The learning rate: a number or a schedule. Default 1e-2. */
  readonly lr?: number
  /** lrₜ = lr / (1 + (t − 1)·lrDecay). Default 0. */
  readonly lrDecay?: number
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number
  /** Starting value s₀ of the sum of squares. Default 0. */
  readonly initialAccumulatorValue?: number
  /** ε added to the root of the sum. Default 1e-10. */
  readonly eps?: number
}

/**
 * `torch.optim.Adagrad`: g ← g + λθ; s ← s + g²; θ ← θ − lrₜ·g/(√s + ε) with
 * lrₜ = lr / (1 + (t − 1)·lrDecay). Defaults lr = 1e-2, lrDecay = 0, λ = 0, s₀ = 0, ε = 1e-10.
 * @see `withAdaGrad(sgd(t => lr / (1 + t·lrDecay)), {eps, initialAccumulatorValue})`.
 */
export const adagrad = (options: AdagradOptions = {}): AliasOptimizer => {
  const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = options
  const c = checks('adagrad')
  c.lr(lr)
  c.nonNegative('lrDecay', lrDecay)
  c.nonNegative('weightDecay', weightDecay)
  c.nonNegative('initialAccumulatorValue', initialAccumulatorValue)
  c.nonNegative('eps', eps)
  const rate: Lr = lrDecay === 0 ? lr : (count: number) => lr / (1 + count * lrDecay)
  return l2(withAdaGrad(sgd(rate), { eps, initialAccumulatorValue }), weightDecay)
}

/** Hyper-parameters of RMSprop, PyTorch's names in camelCase (defaults on the constructor). */
export interface RmspropOptions {
  /** The learning rate: a number or a schedule. Default 1e-2. */
  readonly lr?: Lr
  /** Decay α of the mean square. Default 0.99. */
  readonly alpha?: number
  /** ε added to the root. Default 1e-8. */
  readonly eps?: number
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number
  /** Momentum factor μ on the scaled gradient. Default 0. */
  readonly momentum?: number
  /** Subtract the squared mean gradient from the mean square. Default false. */
  readonly centered?: boolean
}

/**
 * `torch.optim.RMSprop`: g ← g + λθ; r ← αr + (1 − α)g²; (centered: m ← αm + (1 − α)g,
 * r̂ = r − m²); a = √r̂ + ε; with momentum b ← μb + g/a, θ ← θ − lr·b; else
 * θ ← θ − lr·g/a. Defaults lr = 1e-2, α = 0.99, ε = 1e-8, λ = 0, μ = 0, centered = false.
 * @see `withRMS(withMomentum(sgd(lr), {beta: μ}), {rho: α, eps, centered})`.
 */
export const rmsprop = (options: RmspropOptions = {}): AliasOptimizer => {
  const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = options
  const c = checks('rmsprop')
  c.lr(lr)
  c.rate('alpha', alpha)
  c.nonNegative('eps', eps)
  c.nonNegative('weightDecay', weightDecay)
  c.rate('momentum', momentum)
  const base = momentum !== 0 ? withMomentum(sgd(lr), { beta: momentum }) : sgd(lr)
  return l2(withRMS(base as AnyOptimizer, { rho: alpha, eps, centered }), weightDecay)
}

/** Hyper-parameters of Adam and AdamW, PyTorch's names in camelCase (defaults on the constructor). */
export interface AdamOptions {
  /** The learning rate: a number or a schedule. Default 1e-3. */
  readonly lr?: Lr
  /** Decays [β₁, β₂] of the first and second moments. Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number]
  /** ε added to the root of the second moment. Default 1e-8. */
  readonly eps?: number
  /** λ: added to the gradient (g + λθ) in `adam`, default 0; decoupled (θ ← θ − lr·λθ) in `adamw`, default 1e-2. */
  readonly weightDecay?: number
  /** Use the running maximum of the second moment. Default false. */
  readonly amsgrad?: boolean
}

/**
 * `torch.optim.Adam`: g ← g + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²
 * (amsgrad: v̂ = max(v̂, v)); θ ← θ − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
 * Defaults lr = 1e-3, betas = (0.9, 0.999), ε = 1e-8, λ = 0, amsgrad = false.
 * @see `withEwma(withRMS(sgd(lr), {rho: β₂, eps, debias: true}), {beta: β₁, debias: true})`.
 */
export const adam = (options: AdamOptions = {}): AliasOptimizer => {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false } = options
  checkAdamLike('adam', { lr, betas, eps, weightDecay })
  const chain = withEwma(withRMS(sgd(lr), { rho: betas[1], eps, debias: true, amsgrad }), { beta: betas[0], debias: true })
  return l2(chain as AnyOptimizer, weightDecay)
}

/**
 * `torch.optim.AdamW`: Adam's step plus decoupled decay, θ ← θ − lr·λθ − lr·(Adam direction).
 * Defaults as Adam but weightDecay λ = 1e-2.
 * @see `withEwma(withRMS(withDecoupledWeightDecay(sgd(lr), {lambda}), …), …)`.
 */
export const adamw = (options: AdamOptions = {}): AliasOptimizer => {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2, amsgrad = false } = options
  checkAdamLike('adamw', { lr, betas, eps, weightDecay })
  const bottom = weightDecay !== 0 ? withDecoupledWeightDecay(sgd(lr), { lambda: weightDecay }) : sgd(lr)
  return withEwma(withRMS(bottom as AnyOptimizer, { rho: betas[1], eps, debias: true, amsgrad }), {
    beta: betas[0],
    debias: true
  }) as unknown as AliasOptimizer
}

/** Hyper-parameters of Adamax, PyTorch's names in camelCase (defaults on the constructor). */
export interface AdamaxOptions {
  /** The learning rate: a number or a schedule. Default 2e-3. */
  readonly lr?: Lr
  /** Decays [β₁, β₂] of the first moment and of the infinity norm. Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number]
  /** ε added to |g| in the infinity norm, u ← max(β₂u, |g| + ε). Default 1e-8. */
  readonly eps?: number
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number
}

/**
 * `torch.optim.Adamax`: g ← g + λθ; m ← β₁m + (1 − β₁)g; u ← max(β₂u, |g| + ε);
 * θ ← θ − lr/(1 − β₁ᵗ) · m/u. Defaults lr = 2e-3, betas = (0.9, 0.999), ε = 1e-8, λ = 0.
 * @see `withEwma(withInfNorm(sgd(lr), {beta: β₂, eps}), {beta: β₁, debias: true})`.
 */
export const adamax = (options: AdamaxOptions = {}): AliasOptimizer => {
  const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = options
  checkAdamLike('adamax', { lr, betas, eps, weightDecay })
  return l2(withEwma(withInfNorm(sgd(lr), { beta: betas[1], eps }), { beta: betas[0], debias: true }), weightDecay)
}

/** Hyper-parameters of NAdam, PyTorch's names in camelCase (defaults on the constructor). */
export interface NadamOptions {
  /** The learning rate: a number or a schedule. Default 2e-3. */
  readonly lr?: Lr
  /** Decays [β₁, β₂] of the first and second moments. Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number]
  /** ε added to the root of the second moment. Default 1e-8. */
  readonly eps?: number
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number
  /** ψ in the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)). Default 4e-3. */
  readonly momentumDecay?: number
}

/**
 * `torch.optim.NAdam` (PyTorch ≥ 2.0): g ← g + λθ; μₜ = β₁(1 − ½·0.96^(tψ));
 * m, v as Adam; θ ← θ − lr·[(1 − μₜ)/(1 − Πμ₁..ₜ) · g + μₜ₊₁/(1 − Πμ₁..ₜ₊₁) · m] / (√(v/(1 − β₂ᵗ)) + ε).
 * Defaults lr = 2e-3, betas = (0.9, 0.999), ε = 1e-8, λ = 0, ψ = 4e-3.
 * @see `withNadam(sgd(lr), {beta1, beta2, eps, momentumDecay})`.
 */
export const nadam = (options: NadamOptions = {}): AliasOptimizer => {
  const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3 } = options
  checkAdamLike('nadam', { lr, betas, eps, weightDecay })
  checks('nadam').nonNegative('momentumDecay', momentumDecay)
  return l2(withNadam(sgd(lr), { beta1: betas[0], beta2: betas[1], eps, momentumDecay }), weightDecay)
}

/** Hyper-parameters of Adadelta, PyTorch's names in camelCase (defaults on the constructor). */
export interface AdadeltaOptions {
  /** Scale of the update: a number or a schedule. Default 1. */
  readonly lr?: Lr
  /** Decay ρ of both running means. Default 0.9. */
  readonly rho?: number
  /** ε inside both roots. Default 1e-6. */
  readonly eps?: number
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number
}

/**
 * `torch.optim.Adadelta`: g ← g + λθ; s ← ρs + (1 − ρ)g²; δ = √(a + ε)/√(s + ε)·g;
 * a ← ρa + (1 − ρ)δ²; θ ← θ − lr·δ. Defaults lr = 1, ρ = 0.9, ε = 1e-6, λ = 0.
 * @see `withAdadelta(sgd(lr), {rho, eps})`.
 */
export const adadelta = (options: AdadeltaOptions = {}): AliasOptimizer => {
  const { lr = 1, rho = 0.9, eps = 1e-6, weightDecay = 0 } = options
  const c = checks('adadelta')
  c.lr(lr)
  c.rate('rho', rho)
  c.nonNegative('eps', eps)
  c.nonNegative('weightDecay', weightDecay)
  return l2(withAdadelta(sgd(lr), { rho, eps }), weightDecay)
}

/** Hyper-parameters of Lion, PyTorch's names in camelCase (defaults on the constructor). */
export interface LionOptions {
  /** The learning rate: a number or a schedule. Default 1e-4. */
  readonly lr?: Lr
  /** `[β₁, β₂]`: β₁ mixes the momentum into the sign, β₂ updates the momentum. Default [0.9, 0.99]. */
  readonly betas?: readonly [number, number]
  /** Decoupled weight decay λ (θ ← θ − lr·λθ). Default 0. */
  readonly weightDecay?: number
}

/**
 * Lion (Chen et al. 2023): c = β₁m + (1 − β₁)g; θ ← θ − lr·(sign(c) + λθ);
 * m ← β₂m + (1 − β₂)g. Defaults lr = 1e-4, betas = (0.9, 0.99), λ = 0.
 * @see `withLion(withDecoupledWeightDecay(sgd(lr), {lambda}), {beta1, beta2})`.
 */
export const lion = (options: LionOptions = {}): AliasOptimizer => {
  const { lr = 1e-4, betas = [0.9, 0.99], weightDecay = 0 } = options
  const c = checks('lion')
  c.lr(lr)
  c.betas(betas)
  c.nonNegative('weightDecay', weightDecay)
  const bottom = weightDecay !== 0 ? withDecoupledWeightDecay(sgd(lr), { lambda: weightDecay }) : sgd(lr)
  return withLion(bottom as AnyOptimizer, { beta1: betas[0], beta2: betas[1] }) as unknown as AliasOptimizer
}

/** Every alias by its name in the JSON spec (`sgd` is `classicSgd`). */
export const aliases = {
  /** `torch.optim.SGD`, which is `classicSgd` here (`sgd` is the bare terminal step). */
  sgd: classicSgd,
  adagrad,
  rmsprop,
  adam,
  adamw,
  adamax,
  nadam,
  adadelta,
  lion
} as const
