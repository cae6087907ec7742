/**
 * The nested combinators: `withX(inner, options)` is `chain(x(options), inner)`,
 * sugar for the same optimizer with the same numbers and the same state. Over a
 * chain (`sgd(lr)`, an alias, another `withX`) the stage joins the chain; over
 * any other optimizer it sits above a `bridge` that hands it d as its gradient.
 * @see chain — the one way optimizers compose; `stages` — the stages themselves.
 */
import type { Optimizer } from './Optimizer.js'
import { type LayerState, type NoState, type SlotsLayer, type Stage, chain } from './chain.js'
import type { BridgeState, ChainOptimizer, StageState } from './internal/engine.js'
import * as stages from './stages.js'

export type { BridgeState, ChainOptimizer, ChainState, CustomState, PathMap, SgdState, StageState } from './internal/engine.js'
export type { AdaGradOptions, EwmaOptions, MomentumOptions, RmsOptions } from './stages.js'
export { sgd } from './terminals.js'

/** An optimizer built by `chain` (the name the combinators had before `chain`). */
export type FusedOptimizer<S> = ChainOptimizer<S>

/** The state below a new stage: a chain's state as is, any other optimizer's behind a bridge. */
export type Bottom<O> = O extends ChainOptimizer<infer S> ? S : O extends Optimizer<infer S> ? BridgeState<S> : never

/** The optimizer of `stage` over `inner`, its state typed from what `inner` is. */
export type With<L, O> = ChainOptimizer<LayerState<L, Bottom<O>>>

/** Velocity v per parameter. */
export type MomentumState<S> = StageState<'momentum', S, stages.MomentumSlots>
/** The running average m per parameter. */
export type EwmaState<S> = StageState<'ewma', S, stages.EwmaSlots>
/** Mean square `nu`, with `mu` (centered) and `nuMax` (amsgrad). */
export type RmsState<S> = StageState<'rms', S, stages.RmsSlots>
/** Sum of squared gradients `sum` per parameter. */
export type AdaGradState<S> = StageState<'adagrad', S, stages.AdaGradSlots>
/** Infinity-norm state `u` per parameter (Adamax). */
export type InfNormState<S> = StageState<'infNorm', S, stages.InfNormSlots>
/** Mean squares `square` and `delta` per parameter (Adadelta). */
export type AdadeltaState<S> = StageState<'adadelta', S, stages.AdadeltaSlots>
/** Momentum `m` per parameter (Lion). */
export type LionState<S> = StageState<'lion', S, stages.LionSlots>
/** Moments `m`, `v` and the scalar running product `muProduct` (NAdam). */
export type NadamState<S> = StageState<'nadam', S, stages.NadamSlots>

/** Any optimizer, whatever its state. */
// biome-ignore lint/suspicious/noExplicitAny: Optimizer<S> is invariant in S; any inner optimizer fits
export type AnyOptimizer = Optimizer<any>

const over = <L, O extends Optimizer<unknown>>(stage: Stage<L>, inner: O): With<L, O> =>
  chain(stage, inner as unknown as ChainOptimizer<unknown>) as unknown as With<L, O>

/** `chain(momentum(options), inner)`. @see stages.momentum */
export const withMomentum = <O extends AnyOptimizer>(inner: O, options?: stages.MomentumOptions): With<SlotsLayer<'momentum', stages.MomentumSlots>, O> =>
  over(stages.momentum(options), inner as Optimizer<unknown>) as never
/** `chain(ewma(options), inner)`. @see stages.ewma */
export const withEwma = <O extends AnyOptimizer>(inner: O, options?: stages.EwmaOptions): With<SlotsLayer<'ewma', stages.EwmaSlots>, O> =>
  over(stages.ewma(options), inner as Optimizer<unknown>) as never
/** `chain(rms(options), inner)`. @see stages.rms */
export const withRMS = <O extends AnyOptimizer>(inner: O, options?: stages.RmsOptions): With<SlotsLayer<'rms', stages.RmsSlots>, O> =>
  over(stages.rms(options), inner as Optimizer<unknown>) as never
/** `chain(adagrad(options), inner)`. @see stages.adagrad */
export const withAdaGrad = <O extends AnyOptimizer>(inner: O, options?: stages.AdaGradOptions): With<SlotsLayer<'adagrad', stages.AdaGradSlots>, O> =>
  over(stages.adagrad(options), inner as Optimizer<unknown>) as never
/** `chain(infNorm(options), inner)`. @see stages.infNorm */
export const withInfNorm = <O extends AnyOptimizer>(inner: O, options?: Parameters<typeof stages.infNorm>[0]): With<SlotsLayer<'infNorm', stages.InfNormSlots>, O> =>
  over(stages.infNorm(options), inner as Optimizer<unknown>) as never
/** `chain(adadelta(options), inner)`. @see stages.adadelta */
export const withAdadelta = <O extends AnyOptimizer>(inner: O, options?: Parameters<typeof stages.adadelta>[0]): With<SlotsLayer<'adadelta', stages.AdadeltaSlots>, O> =>
  over(stages.adadelta(options), inner as Optimizer<unknown>) as never
/** `chain(lion(options), inner)`. @see stages.lion */
export const withLion = <O extends AnyOptimizer>(inner: O, options?: Parameters<typeof stages.lion>[0]): With<SlotsLayer<'lion', stages.LionSlots>, O> =>
  over(stages.lion(options), inner as Optimizer<unknown>) as never
/** `chain(nadam(options), inner)`. @see stages.nadam */
export const withNadam = <O extends AnyOptimizer>(inner: O, options?: Parameters<typeof stages.nadam>[0]): With<SlotsLayer<'nadam', stages.NadamSlots>, O> =>
  over(stages.nadam(options), inner as Optimizer<unknown>) as never
/** `chain(weightDecay(options), inner)`. @see stages.weightDecay */
export const withWeightDecay = <O extends AnyOptimizer>(inner: O, options: Parameters<typeof stages.weightDecay>[0]): With<NoState, O> =>
  over(stages.weightDecay(options), inner as Optimizer<unknown>) as never
/** `chain(decoupledWeightDecay(options), inner)`. @see stages.decoupledWeightDecay */
export const withDecoupledWeightDecay = <O extends AnyOptimizer>(inner: O, options: Parameters<typeof stages.decoupledWeightDecay>[0]): With<NoState, O> =>
  over(stages.decoupledWeightDecay(options), inner as Optimizer<unknown>) as never
/** `chain(clip(options), inner)`. @see stages.clip */
export const withClip = <O extends AnyOptimizer>(inner: O, options: Parameters<typeof stages.clip>[0]): With<NoState, O> =>
  over(stages.clip(options), inner as Optimizer<unknown>) as never
/** `chain(clipByGlobalNorm(options), inner)`. @see stages.clipByGlobalNorm */
export const withClipByGlobalNorm = <O extends AnyOptimizer>(inner: O, options: Parameters<typeof stages.clipByGlobalNorm>[0]): With<NoState, O> =>
  over(stages.clipByGlobalNorm(options), inner as Optimizer<unknown>) as never
