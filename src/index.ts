/**
 * descent: an immutable reverse-mode autodiff graph, curvature tools,
 * optimizers as pure state machines, and the drivers and formats around them.
 * Property-based laws live in the `descent-autodiff/laws` entry point, and what
 * needs Node.js (checkpoint files) in `descent-autodiff/node`.
 */

// tensors -------------------------------------------------------------------------------
export { type NestedArray, Tensor, arange, formatNumber, fromArray, full, linspace, ones, scalar, tensor, zeros } from './tensor/Tensor.js'
export { type Shape, broadcastShapes, shapeEquals, showShape, sizeOf, stridesOf } from './tensor/Shape.js'
export { type Random, random } from './tensor/Random.js'
export {
  type Flat, type Structure, type TensorTree, type Tree, flatten, flattenTensors, isTensor, joinLeaves, mapTensors,
  pathOf, showStructure, signatureOf, unflatten
} from './tensor/Tree.js'

// the graph -----------------------------------------------------------------------------
export {
  type Concrete, type ConcreteArgs, type Graph, type HvpMode, type OpName, type SymFunction, type SymLike, type SymTree,
  type Trace, type TreeHessian, type TreeJacobian, GraphError, Sym, compileCacheLimit, abs, add, at, broadcastTo, concat, constant, cos, div, dot, eqMask, evaluator, exp, grad,
  hessian, hvp, jacobian, jit, jvp, jvpGraph, lift, log, logsumexp, matmul, max, mean, mul, neg, nodeCount, outer, pad,
  pow, powConst, relu, reshape, showGraph, sigmoid, sign, simplify, sin, slice, softplus, sqrt, square, stack, step, sub,
  sum, symGrad, tan, tanh, topoOrder, trace, transpose, valueAndGrad, vjp, vjpGraph,
  type CustomJvpArgs, type CustomVjpArgs, acos, asin, asinh, atan, clip, cosh, crossEntropy, customVjp, equal, erf,
  expm1, greater, greaterEqual, huber, less, lessEqual, log1p, logSoftmax, maximum, minimum, notEqual, sinh, softmax,
  stopGradient, where
} from './graph/index.js'
export type { Attrs, BinaryOp, UnaryOp } from './graph/Sym.js'
export type { Evaluator } from './graph/transforms.js'
export { interpret } from './eval/interpret.js'
export { type CompiledGraph, compileGraph, sourceOf } from './eval/compile.js'

// curvature -----------------------------------------------------------------------------
export {
  type AnalyzeOptions, type CurvatureCase, type CurvatureError, type CurvatureErrorCode, type HessianVectorProduct,
  type HutchinsonOptions, type LanczosOptions, type LeafLayout, layoutOf, type LanczosResult, type NewtonOptions, type PointAnalysis,
  type PointDerivatives, type PointKind, type PowerEigenpair, type PowerIterationOptions, type SpectralDensity,
  type SpectralDensityOptions, type SymmetricEigen, type SymmetricEigenOptions, type TraceEstimate, type Which, analyze,
  analyzePoint, denseOperator, diagonalOperator, hessianOperator, hutchinsonTrace, lanczos, mapEigenvalues,
  newtonStep, powerIteration, predictAlongGradient, reconstruct, saddleFreeNewtonStep, smoothDensity, spectralDensity,
  symmetricEigen, symmetricEigenOfArray, traceOf, unsafeAnalyze, unsafeAnalyzePoint, unsafeHutchinsonTrace,
  unsafeLanczos, unsafeNewtonStep, unsafePowerIteration, unsafeSaddleFreeNewtonStep, unsafeSpectralDensity,
  unsafeSymmetricEigen
} from './curvature/index.js'

// optimizers ----------------------------------------------------------------------------
export {
  type EmptyState, type Optimizer, type StateOf, type StepContext, applyUpdates, emptyState, identity, stateless, stepOwned, stepOwnedApplied
} from './optim/Optimizer.js'
export {
  type ChainStateOf, type LayerState, type NoState, type SlotsLayer, type Stage, type TreeLayer, ChainError, chain,
  describe, hyperparameters, toSpec
} from './optim/chain.js'
/** Every built-in stage by its JSON key (`stages.ewma`), and `stages.elementwise` / `stages.custom` for your own. */
export * as stages from './optim/stages.js'
export {
  type BacktrackingOptions, type BacktrackingState, type LbfgsOptions, type LbfgsState, type NesterovLookaheadState,
  backtracking, lbfgs, nesterovLookahead
} from './optim/terminals.js'
export {
  type AdaGradOptions, type AdaGradState, type AdadeltaState, type BridgeState, type ChainOptimizer, type ChainState,
  type CustomState, type EwmaOptions, type EwmaState, type InfNormState, type SgdState, type StageState,
  type LionState, type MomentumOptions, type MomentumState, type NadamState, type RmsOptions, type RmsState, sgd,
  withAdaGrad, withAdadelta, withClip, withClipByGlobalNorm, withDecoupledWeightDecay, withEwma, withInfNorm, withLion,
  withMomentum, withNadam, withRMS, withWeightDecay
} from './optim/combinators.js'
export {
  type AdadeltaOptions, type AdagradOptions, type AdamOptions, type AdamaxOptions, type AliasOptimizer,
  type ClassicSgdOptions, type LionOptions, type Lr, type NadamOptions, type RmspropOptions, adadelta, adagrad, adam, adamax,
  adamw, aliases, classicSgd, lion, nadam, rmsprop
} from './optim/aliases.js'
export {
  type AccumulateState, type LookaheadState, type ParameterEmaState, type SkipState, NonFiniteGradientError, accumulate,
  averagedParams, lookahead, masked, parameterEma, skipNonFinite
} from './optim/wrappers.js'
export { type NewtonCGOptions, type NewtonCGState, type SaddleFreeNewtonOptions, newtonCG, saddleFreeNewton } from './optim/newton.js'
/** Learning-rate schedules: functions of the step count (`schedule.cosineDecay({...})`). */
export * as schedule from './optim/Schedule.js'
export {
  type EwmaSeriesState, betaForWindow, effectiveWindow, emptyEwma, ewmaSeries, ewmaTotalWeight, ewmaUpdate, ewmaValue
} from './optim/Ewma.js'

// drivers -------------------------------------------------------------------------------
export {
  type MinimizeOptions, type MinimizeResult, type Objective, type StepInfo, type StopReason, minimize, treeNorm
} from './drivers/minimize.js'
export { objectiveOf } from './drivers/objective.js'
export {
  type BatchLossAndGrad, type MinibatchOptions, type TrainOptions, type TrainResult, type TrainStepInfo,
  type TrainStopReason, type ValidationOptions, datasetSize, minibatchIndices,
  minibatches, takeRows, train
} from './drivers/train.js'

// outside input and output ----------------------------------------------------------------
export {
  type BinaryOperator, type ConstantName, type Expression, type FunctionName, type ParseError, type ParsedFunction, type Span, type VariablesError,
  evaluateExpression, knownConstants, knownFunctions, parse, parseFunction, resolveVariables, showExpression,
  showParseError, toFunction, toNumericFunction, variablesOf
} from './io/parse.js'
export {
  type AliasSpec, type Betas, type OptimizerSpec, type PipelineSpec, type ScheduleSpec, type StageSpec, aliasNames,
  decodeOptimizerSpec, encodeOptimizerSpec, optimizerFromSpec, optimizerFromText, optimizerSpecCodec, parseOptimizerSpec,
  specMaxDepth
} from './io/spec.js'
// checkpoint files (readCheckpointFile, writeCheckpointFile) are in the Node entry, `descent-autodiff/node`
export {
  type Checkpoint, type Expected, checkpointFormat, checkpointMaxDepth, checkpointVersion, decodeCheckpoint,
  encodeCheckpoint, parseCheckpoint, serializeCheckpoint
} from './io/checkpoint.js'
export {
  type ContourPlotOptions, type LossPlotOptions, type LossSeries, type Marker, type Trajectory, contourPlot, lossPlot
} from './cli/plot.js'
export type { Point } from './cli/svg.js'

// types that public signatures name ----------------------------------------------------------
export type { CustomRule, ElementwiseOp, StructuralOp, TernaryOp } from './graph/Sym.js'
export { type ComparisonOperator, type MultiFunctionName, knownMultiFunctions } from './io/parse.js'
export type { AnyOptimizer, Bottom, FusedOptimizer, With } from './optim/combinators.js'
export type { CustomArgs, PathMap, Scalars } from './optim/internal/engine.js'
export { type LossFigure, lossFigure } from './cli/plot.js'
