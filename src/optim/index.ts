/** Optimizers: the contract, combinators, aliases, wrappers, schedules, EWMA, second order. */
export {
  type Optimizer, type StateOf, type StepContext, type EmptyState, emptyState, identity, stateless, applyUpdates, stepOwned, stepOwnedApplied
} from './Optimizer.js'
export {
  type Stage, type NoState, type SlotsLayer, type TreeLayer, type LayerState, type ChainStateOf, ChainError,
  chain, describe, toSpec, hyperparameters
} from './chain.js'
/** Every built-in stage by its JSON key, and `elementwise` / `custom` for your own. */
export * as stages from './stages.js'
export {
  type BacktrackingOptions, type BacktrackingState, type LbfgsOptions, type LbfgsState, type NesterovLookaheadState,
  backtracking, lbfgs, nesterovLookahead
} from './terminals.js'
export {
  type Bottom, type BridgeState, type ChainOptimizer, type ChainState, type CustomState, type FusedOptimizer, type PathMap, type SgdState, type StageState,
  type MomentumOptions, type MomentumState, type EwmaOptions, type EwmaState, type RmsOptions, type RmsState,
  type AdaGradOptions, type AdaGradState, type InfNormState, type AdadeltaState, type LionState, type NadamState,
  sgd, withMomentum, withEwma, withRMS, withAdaGrad, withInfNorm, withAdadelta, withLion, withNadam,
  withWeightDecay, withDecoupledWeightDecay, withClip, withClipByGlobalNorm
} from './combinators.js'
export {
  type AliasOptimizer, type ClassicSgdOptions, type AdagradOptions, type RmspropOptions, type AdamOptions,
  type AdamaxOptions, type NadamOptions, type AdadeltaOptions, type LionOptions,
  classicSgd, adagrad, rmsprop, adam, adamw, adamax, nadam, adadelta, lion, aliases
} from './aliases.js'
export {
  type SkipState, type AccumulateState, type ParameterEmaState, type LookaheadState,
  NonFiniteGradientError, skipNonFinite, accumulate, masked, parameterEma, averagedParams, lookahead
} from './wrappers.js'
export {
  type Schedule, constant, exponentialDecay, stepDecay, cosineDecay, linearWarmup, piecewiseConstant, join
} from './Schedule.js'
export {
  type EwmaSeriesState, emptyEwma, ewmaUpdate, ewmaValue, ewmaTotalWeight, effectiveWindow, betaForWindow, ewmaSeries
} from './Ewma.js'
export {
  type NewtonCGOptions, type NewtonCGState, type SaddleFreeNewtonOptions, newtonCG, saddleFreeNewton
} from './newton.js'
