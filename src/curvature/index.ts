/** The curvature toolkit: dense symmetric eigen, matrix-free spectra from Hessian-vector products, critical points, second-order steps. */
export { type CurvatureError, type CurvatureErrorCode } from './CurvatureError'
export {
  type SymmetricEigen, type SymmetricEigenOptions, mapEigenvalues, reconstruct, symmetricEigen, symmetricEigenOfArray,
  unsafeSymmetricEigen
} from './eigen'
export { type HessianVectorProduct, denseOperator, diagonalOperator } from './operator'
export { hessianOperator } from './graphOperator'
export { type LanczosOptions, type LanczosResult, type Which, lanczos, unsafeLanczos } from './lanczos'
export { type PowerEigenpair, type PowerIterationOptions, powerIteration, unsafePowerIteration } from './power'
export { type HutchinsonOptions, type TraceEstimate, hutchinsonTrace, unsafeHutchinsonTrace } from './trace'
export {
  type SpectralDensity, type SpectralDensityOptions, smoothDensity, spectralDensity, traceOf, unsafeSpectralDensity
} from './density'
export {
  type AnalyzeOptions, type CurvatureCase, type PointAnalysis, type PointDerivatives, type PointKind, analyze, analyzePoint,
  predictAlongGradient, unsafeAnalyze, unsafeAnalyzePoint
} from './analyze'
export {
  type NewtonOptions, newtonStep, saddleFreeNewtonStep, unsafeNewtonStep, unsafeSaddleFreeNewtonStep
} from './newton'
