/**
 * `descent/laws`: property-based laws of optimizers, derivatives and
 * curvature, as pure predicates plus fast-check runners, and the arbitraries
 * they are built on. Point a runner at your own optimizer or function and get
 * a verdict: on failure, the law's name, the shrunk counterexample and the
 * seed that replays it.
 */

// approximate equality
export { type ApproxEq, type Comparable, type Tolerance, approxEq, defaultTolerance, identical } from './approx.js'

// laws as values, and the generic runners
export {
  type Law,
  type LawOutcome,
  type LawParameters,
  type Verdict,
  LawViolation,
  allOf,
  assertLaws,
  expectVerdict,
  fails,
  holds,
  law,
  lawTitle,
  runLaw,
  runLaws,
  verdictOf
} from './law.js'

// arbitraries
export {
  type ParamsAndGrads,
  type Quadratic,
  type QuadraticConstraints,
  type SpectrumConstraints,
  type SymmetricMatrix,
  type TreeConstraints,
  type TreeSkeleton,
  type ValueRange,
  gradientElementArb,
  independentParamsAndGradsArb,
  treeOfSkeleton,
  treeSkeletonArb,
  unflattenShuffled,
  boundedDouble,
  directionArb,
  directionLike,
  orthogonalArb,
  paramsAndGradsArb,
  quadraticArb,
  shapeArb,
  symmetricFromSpectrum,
  symmetricMatrixArb,
  tensorArb,
  tensorOfShape,
  tensorTreeArb,
  treeLike,
  treeLikeAwayFromZero,
  uniformDouble
} from './arbitraries.js'

// random expression programs
export {
  type BinaryName,
  type Dual,
  type DualBinaryRules,
  type Program,
  type ProgramCase,
  type ProgramConstraints,
  type ReduceName,
  type UnaryName,
  type UnaryRule,
  type UnaryTable,
  directionalDerivative,
  dualBinaryRules,
  evaluateProgram,
  opsOf,
  programArb,
  programCaseArb,
  programToSym,
  referenceGradient,
  showProgram,
  sizeOfProgram,
  unaryNames,
  unaryRules
} from './program.js'

// reference optimizers
export {
  type MomentumForm,
  type VelocityState,
  accumulatedMomentumReference,
  averagedMomentumReference,
  type LearningRate,
  type RuleKind,
  type RuleState,
  type UpdateRuleHyperParameters,
  gradientDescentReference,
  heavyBallReference,
  nesterovLookAheadPath,
  rateAt,
  updateRuleReference
} from './reference.js'

// optimizer laws
export {
  type AnyOptimizer,
  type DescentFamilies,
  type DescentLawOptions,
  type EwmaClaim,
  averagesSeries,
  dampeningSkipsFirstStep,
  firstStepDescends,
  followsSchedule,
  matchesUpdateRule,
  sameSeedSameBatches,
  seriesAveragesAsFormula,
  weightDecayShrinks,
  type MomentumForms,
  type OptimizerClaims,
  type OptimizerLawOptions,
  type SeriesAverage,
  type OptimizerRun,
  averagesConstantSeries,
  checkDescentLaws,
  checkEwmaLaws,
  checkOptimizerLaws,
  descentLaws,
  doesNotMutateInputs,
  donatedStepAgrees,
  effectiveLearningRateNeverIncreases,
  epochSettingArb,
  ewmaLaws,
  firstStepHasMagnitude,
  gradientDescentContracts,
  gradientDescentDecreases,
  handlesEdgeTrees,
  heavyBallReachesRate,
  initDependsOnlyOnShapes,
  invariantToGradientScale,
  isDeterministic,
  linearInGradient,
  minibatchLaws,
  minibatchesUnbiased,
  momentumFormsAgree,
  nesterovMatchesLookAhead,
  optimizerLaws,
  pathOnQuadratic,
  polyakParameters,
  sameUpdatesAs,
  seriesAveragesConstant,
  stateKeepsStructure,
  runOptimizer,
  tracesSamePath,
  updateMatchesGradient,
  updatesAreFinite
} from './optimizer.js'

// derivative laws
export {
  type DerivativeTolerances,
  type Differentiable,
  type GradientLawOptions,
  type ProgramDifferentiator,
  type ProgramLawOptions,
  type ScalarFunction,
  type Transforms,
  centralDifference,
  centralDifferenceOfVector,
  chainRule,
  checkGradientLaws,
  checkProgramLaws,
  compareOnScale,
  compareVectorsOnScale,
  defaultDifferenceApprox,
  defaultIdentityApprox,
  differentiableOf,
  gradientIsLinear,
  gradientLaws,
  gradientMatchesCentralDifferences,
  libraryProgramDifferentiator,
  libraryTransforms,
  pointAndDirection,
  pointsArb,
  smoothBetweenStencilPoints,
  productRule,
  programLaws,
  referenceProgramDifferentiator,
  valueMatchesReference
} from './gradient.js'

// curvature laws
export {
  type CriticalKind,
  type CriticalPointClassifier,
  type CurvatureLawOptions,
  type EigenDecomposition,
  type EigenLawOptions,
  type EigenSolver,
  type PartialEigenLawOptions,
  type PartialEigenSolver,
  type ProgramCurvatureLawOptions,
  type SpectrumEnd,
  checkPartialEigenLaws,
  eigenResidualsSmall,
  followsSignConvention,
  partialEigenLaws,
  valuesAreExtreme,
  vectorsOrthonormal,
  checkCurvatureLaws,
  checkEigenLaws,
  checkProgramCurvatureLaws,
  classificationMatchesSigns,
  curvatureLaws,
  eigenLaws,
  eigenReconstructs,
  eigenvaluesAscending,
  eigenvaluesMatchSpectrum,
  eigenvectorsOrthonormal,
  hessianIsSymmetric,
  hvpIsSelfAdjoint,
  hvpMatchesGradientDifferences,
  hvpMatchesHessian,
  kindFromEigenvalues,
  programCurvatureLaws,
  traceEqualsEigenvalueSum
} from './curvature.js'
