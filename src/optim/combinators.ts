/**
 * Combinators: stages that wrap an inner optimizer, and the terminal `sgd`.
 *
 * Each stage sees two signals per element: the gradient g (changed only by
 * gradient-level stages above it: weight decay, clipping) and the direction d
 * (what the stage above passed down; d = g at the top). Stages run outermost
 * first: in `withMomentum(withRMS(sgd(lr)))` momentum sees d = g, passes its
 * velocity v to rms, which divides it by √r + ε, and sgd returns −lr·d.
 *
 * Built-in stages fuse: a chain of them runs one loop per leaf (see
 * `internal/fuse.ts`). A custom optimizer (plain init/step) composes too: it
 * sits at the bottom of the chain and receives d as its gradient.
 */
import type { Optimizer } from './Optimizer.js'
import type { Schedule } from './Schedule.js'
import {
  type Bottom,
  type FusedOptimizer,
  type Kernel,
  type SgdState,
  type StageState,
  fused,
  prepend
} from './internal/fuse.js'

export type { Bottom, BridgeState, ChainState, FusedOptimizer, PathMap, SgdState, StageState } from './internal/fuse.js'

// -------------------------------------------------------------------------------------
// terminal
// -------------------------------------------------------------------------------------

/**
 * The terminal step: `update = −lr·d`, with `lr` a number or a schedule of
 * the step count (0 at the first step). Its state is the chain's one step count.
 * @see classicSgd — PyTorch's SGD with momentum, dampening, Nesterov and weight decay.
 */
export const sgd = (lr: number | Schedule): FusedOptimizer<SgdState> => fused({ stages: [], terminal: { kind: 'sgd', lr } })

// -------------------------------------------------------------------------------------
// first-moment stages
// -------------------------------------------------------------------------------------

export interface MomentumOptions {
  /** Momentum factor β. Default 0.9. */
  readonly beta?: number
  /** Dampening. Default 0. */
  readonly dampening?: number
  /** Pass d + βv instead of v. Default false. */
  readonly nesterov?: boolean
}

/** Velocity v per parameter. */
export type MomentumState<S> = StageState<'momentum', S>

/**
 * Heavy-ball momentum (PyTorch's SGD buffer): `v₁ = d`, `v ← βv + (1 − dampening)·d`;
 * passes v, or `d + βv` with `nesterov`. Defaults β = 0.9, dampening = 0.
 * @see `withMomentum(sgd(lr), {beta})` = `torch.optim.SGD(lr, momentum=beta)`.
 */
export const withMomentum = <S>(inner: Optimizer<S>, options: MomentumOptions = {}): FusedOptimizer<MomentumState<Bottom<S>>> => {
  const { beta = 0.9, dampening = 0, nesterov = false } = options
  const stage: Kernel = {
    kind: 'momentum',
    slots: ['v'],
    names: ['a', 'c', 'beta'],
    prepare: (t) => ({ values: t === 1 ? [0, 1, beta] : [beta, 1 - dampening, beta] }),
    body: `$v = #a * $v + #c * d; d = ${nesterov ? 'd + #beta * $v' : '$v'};`
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

export interface EwmaOptions {
  /** Decay β. Default 0.9. */
  readonly beta?: number
  /** Divide by 1 − βᵗ. Default false. */
  readonly debias?: boolean
}

/** The running average m per parameter. */
export type EwmaState<S> = StageState<'ewma', S>

/**
 * Exponentially weighted moving average of d: `m ← βm + (1 − β)d`; passes m,
 * or `m / (1 − βᵗ)` with `debias`. Effective window 1/(1 − β). Defaults β = 0.9, debias = false.
 * @see `withEwma(withRMS(sgd(lr), {rho: β₂, debias: true}), {beta: β₁, debias: true})` = Adam.
 */
export const withEwma = <S>(inner: Optimizer<S>, options: EwmaOptions = {}): FusedOptimizer<EwmaState<Bottom<S>>> => {
  const { beta = 0.9, debias = false } = options
  const stage: Kernel = {
    kind: 'ewma',
    slots: ['m'],
    names: ['beta', 'omb', 'bc'],
    prepare: (t) => ({ values: [beta, 1 - beta, 1 - Math.pow(beta, t)] }),
    body: `$m = #beta * $m + #omb * d; d = ${debias ? '$m / #bc' : '$m'};`
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

// -------------------------------------------------------------------------------------
// second-moment stages
// -------------------------------------------------------------------------------------

export interface RmsOptions {
  /** Decay ρ of the mean square. Default 0.99 (PyTorch RMSprop's alpha). */
  readonly rho?: number
  /** Default 1e-8. */
  readonly eps?: number
  /** Subtract the squared mean gradient: r̂ = r − m², m ← ρm + (1 − ρ)g. Default false. */
  readonly centered?: boolean
  /** Divide by √(1 − ρᵗ) (Adam's second-moment correction). Default false. */
  readonly debias?: boolean
  /** √(r̂ + ε) instead of √r̂ + ε. Default false. */
  readonly epsInside?: boolean
  /** Use the running maximum of r̂ (AMSGrad). Default false. */
  readonly amsgrad?: boolean
}

/** Mean square `nu`, with `mu` (centered) and `nuMax` (amsgrad). */
export type RmsState<S> = StageState<'rms', S>

/**
 * Root-mean-square scaling: `r ← ρr + (1 − ρ)g²`; passes `d / (√r̂ + ε)` where
 * r̂ is r (or r − m² when centered, or its running max with amsgrad), divided by
 * 1 − ρᵗ under the root with `debias` (as `√r̂/√(1 − ρᵗ) + ε`, PyTorch's Adam form).
 * Defaults ρ = 0.99, ε = 1e-8, everything else off.
 * @see `withRMS(sgd(lr), {rho: α})` = `torch.optim.RMSprop(lr, alpha=α)`.
 */
export const withRMS = <S>(inner: Optimizer<S>, options: RmsOptions = {}): FusedOptimizer<RmsState<Bottom<S>>> => {
  const { rho = 0.99, eps = 1e-8, centered = false, debias = false, epsInside = false, amsgrad = false } = options
  const slots = ['nu', ...(centered ? ['mu'] : []), ...(amsgrad ? ['nuMax'] : [])]
  const mean = centered ? '$mu = #rho * $mu + #omr * g; let $r = $nu - $mu * $mu;' : 'let $r = $nu;'
  const max = amsgrad ? '$nuMax = Math.max($nuMax, $r); $r = $nuMax;' : ''
  const denominator = epsInside
    ? debias
      ? 'Math.sqrt($r / #bc + #eps)'
      : 'Math.sqrt($r + #eps)'
    : debias
      ? 'Math.sqrt($r) / #sbc + #eps'
      : 'Math.sqrt($r) + #eps'
  const stage: Kernel = {
    kind: 'rms',
    slots,
    names: ['rho', 'omr', 'eps', 'bc', 'sbc'],
    prepare: (t) => {
      const bc = 1 - Math.pow(rho, t)
      return { values: [rho, 1 - rho, eps, bc, Math.sqrt(bc)] }
    },
    body: `$nu = #rho * $nu + #omr * (g * g); ${mean} ${max} d = d / (${denominator});`
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

export interface AdaGradOptions {
  /** Default 1e-10 (PyTorch). */
  readonly eps?: number
  /** Starting value of the sum of squares. Default 0. */
  readonly initialAccumulatorValue?: number
}

/** Sum of squared gradients `sum` per parameter. */
export type AdaGradState<S> = StageState<'adagrad', S>

/**
 * AdaGrad scaling: `r ← r + g²`; passes `d / (√r + ε)`. Defaults ε = 1e-10, r₀ = 0.
 * @see `withAdaGrad(sgd(lr))` = `torch.optim.Adagrad(lr)`.
 */
export const withAdaGrad = <S>(inner: Optimizer<S>, options: AdaGradOptions = {}): FusedOptimizer<AdaGradState<Bottom<S>>> => {
  const { eps = 1e-10, initialAccumulatorValue = 0 } = options
  const stage: Kernel = {
    kind: 'adagrad',
    slots: ['sum'],
    initial: { sum: initialAccumulatorValue },
    names: ['eps'],
    prepare: () => ({ values: [eps] }),
    body: '$sum = $sum + g * g; d = d / (Math.sqrt($sum) + #eps);'
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

/** Infinity-norm state `u` per parameter (Adamax). */
export type InfNormState<S> = StageState<'infNorm', S>

/**
 * Infinity-norm scaling (Adamax's denominator): `u ← max(βu, |g| + ε)`; passes `d / u`.
 * Defaults β = 0.999, ε = 1e-8.
 */
export const withInfNorm = <S>(
  inner: Optimizer<S>,
  options: { readonly beta?: number; readonly eps?: number } = {}
): FusedOptimizer<InfNormState<Bottom<S>>> => {
  const { beta = 0.999, eps = 1e-8 } = options
  const stage: Kernel = {
    kind: 'infNorm',
    slots: ['u'],
    names: ['beta', 'eps'],
    prepare: () => ({ values: [beta, eps] }),
    body: '$u = Math.max(#beta * $u, Math.abs(g) + #eps); d = d / $u;'
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

/** Mean squares `square` and `delta` per parameter (Adadelta). */
export type AdadeltaState<S> = StageState<'adadelta', S>

/**
 * Adadelta's scaling (Zeiler 2012, PyTorch form): `s ← ρs + (1 − ρ)g²`,
 * `δ = √(a + ε) / √(s + ε) · d`, `a ← ρa + (1 − ρ)δ²`; passes δ. Defaults ρ = 0.9, ε = 1e-6.
 */
export const withAdadelta = <S>(
  inner: Optimizer<S>,
  options: { readonly rho?: number; readonly eps?: number } = {}
): FusedOptimizer<AdadeltaState<Bottom<S>>> => {
  const { rho = 0.9, eps = 1e-6 } = options
  const stage: Kernel = {
    kind: 'adadelta',
    slots: ['square', 'delta'],
    names: ['rho', 'omr', 'eps'],
    prepare: () => ({ values: [rho, 1 - rho, eps] }),
    body:
      '$square = #rho * $square + #omr * (g * g); const $std = Math.sqrt($square + #eps); ' +
      'const $step = Math.sqrt($delta + #eps) / $std * d; $delta = #rho * $delta + #omr * ($step * $step); d = $step;'
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

/** Momentum `m` per parameter (Lion). */
export type LionState<S> = StageState<'lion', S>

/**
 * Lion's sign step (Chen et al. 2023): `c = β₁m + (1 − β₁)d`, passes `sign(c)`,
 * then `m ← β₂m + (1 − β₂)d`. Defaults β₁ = 0.9, β₂ = 0.99.
 */
export const withLion = <S>(
  inner: Optimizer<S>,
  options: { readonly beta1?: number; readonly beta2?: number } = {}
): FusedOptimizer<LionState<Bottom<S>>> => {
  const { beta1 = 0.9, beta2 = 0.99 } = options
  const stage: Kernel = {
    kind: 'lion',
    slots: ['m'],
    names: ['b1', 'omb1', 'b2', 'omb2'],
    prepare: () => ({ values: [beta1, 1 - beta1, beta2, 1 - beta2] }),
    body: 'const $c = #b1 * $m + #omb1 * d; $m = #b2 * $m + #omb2 * d; d = Math.sign($c);'
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

/** Moments `m`, `v` and the scalar running product `muProduct` (NAdam). */
export type NadamState<S> = StageState<'nadam', S>

/**
 * NAdam's direction (Dozat 2016, PyTorch ≥ 2.0): with μₜ = β₁(1 − ½·0.96^(tψ)),
 * Πₜ = μ₁⋯μₜ, `m ← β₁m + (1 − β₁)d`, `v ← β₂v + (1 − β₂)g²`, `den = √(v/(1 − β₂ᵗ)) + ε`,
 * passes `(1 − μₜ)/(1 − Πₜ) · d/den + μₜ₊₁/(1 − Πₜμₜ₊₁) · m/den`.
 * Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, ψ (momentumDecay) = 4e-3.
 */
export const withNadam = <S>(
  inner: Optimizer<S>,
  options: { readonly beta1?: number; readonly beta2?: number; readonly eps?: number; readonly momentumDecay?: number } = {}
): FusedOptimizer<NadamState<Bottom<S>>> => {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, momentumDecay = 4e-3 } = options
  const stage: Kernel = {
    kind: 'nadam',
    slots: ['m', 'v'],
    initialScalars: { muProduct: 1 },
    names: ['b1', 'omb1', 'b2', 'omb2', 'bc2', 'eps', 'cg', 'cm'],
    prepare: (t, scalars) => {
      const mu = beta1 * (1 - 0.5 * Math.pow(0.96, t * momentumDecay))
      const muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * momentumDecay))
      const muProduct = (scalars.muProduct ?? 1) * mu
      const muProductNext = muProduct * muNext
      return {
        values: [beta1, 1 - beta1, beta2, 1 - beta2, 1 - Math.pow(beta2, t), eps, (1 - mu) / (1 - muProduct), muNext / (1 - muProductNext)],
        scalars: { muProduct }
      }
    },
    body:
      '$m = #b1 * $m + #omb1 * d; $v = #b2 * $v + #omb2 * (g * g); const $den = Math.sqrt($v / #bc2) + #eps; ' +
      'd = #cg * d / $den + #cm * $m / $den;'
  }
  return prepend(stage, inner as Optimizer<unknown>)
}

// -------------------------------------------------------------------------------------
// gradient-level and stateless stages
// -------------------------------------------------------------------------------------

/**
 * L2 weight decay: adds λθ to g and d (to the loss gradient, as PyTorch's `weight_decay`).
 * @see `withWeightDecay(adam(), {lambda})` = `torch.optim.Adam(weight_decay=lambda)`.
 */
export const withWeightDecay = <S>(inner: Optimizer<S>, options: { readonly lambda: number }): FusedOptimizer<Bottom<S>> =>
  prepend(
    {
      kind: 'weightDecay',
      slots: [],
      names: ['lambda'],
      prepare: () => ({ values: [options.lambda] }),
      usesTheta: true,
      body: 'g = g + #lambda * th; d = d + #lambda * th;',
      gradientBody: 'g = g + #lambda * th;'
    },
    inner as Optimizer<unknown>
  )

/**
 * Decoupled weight decay (Loshchilov & Hutter): adds λθ to d only, so with
 * `sgd(lr)` below, θ shrinks by lr·λθ whatever the stages above did.
 * @see `withEwma(withRMS(withDecoupledWeightDecay(sgd(lr), {lambda})))` (debiased) = AdamW.
 */
export const withDecoupledWeightDecay = <S>(inner: Optimizer<S>, options: { readonly lambda: number }): FusedOptimizer<Bottom<S>> =>
  prepend(
    {
      kind: 'decoupledWeightDecay',
      slots: [],
      names: ['lambda'],
      prepare: () => ({ values: [options.lambda] }),
      usesTheta: true,
      body: 'd = d + #lambda * th;'
    },
    inner as Optimizer<unknown>
  )

/** Clip each element of g and d to [−max, max]. */
export const withClip = <S>(inner: Optimizer<S>, options: { readonly max: number }): FusedOptimizer<Bottom<S>> =>
  prepend(
    {
      kind: 'clip',
      slots: [],
      names: ['max'],
      prepare: () => ({ values: [options.max] }),
      body: 'g = Math.min(Math.max(g, -#max), #max); d = Math.min(Math.max(d, -#max), #max);',
      gradientBody: 'g = Math.min(Math.max(g, -#max), #max);'
    },
    inner as Optimizer<unknown>
  )

/**
 * Clip by global norm: with ‖g‖ the norm of the whole gradient tree (as this
 * stage sees it), scale g and d by `maxNorm / ‖g‖` when ‖g‖ > maxNorm.
 */
export const withClipByGlobalNorm = <S>(inner: Optimizer<S>, options: { readonly maxNorm: number }): FusedOptimizer<Bottom<S>> =>
  prepend(
    {
      kind: 'clipByGlobalNorm',
      slots: [],
      names: ['scale'],
      fromSumOfSquares: (sum) => {
        const norm = Math.sqrt(sum)
        return [norm > options.maxNorm ? options.maxNorm / norm : 1]
      },
      body: 'g = g * #scale; d = d * #scale;',
      gradientBody: 'g = g * #scale;'
    },
    inner as Optimizer<unknown>
  )
