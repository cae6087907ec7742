/** The curvature toolkit: dense symmetric eigen, matrix-free spectra from Hessian-vector products, critical points, second-order steps. */
export type { CurvatureError, CurvatureErrorCode } from './CurvatureError.js'
export {
  type SymmetricEigen, type SymmetricEigenOptions, mapEigenvalues, reconstruct, symmetricEigen, symmetricEigenOfArray,
  unsafeSymmetricEigen
} from './eigen.js'
export { type HessianVectorProduct, denseOperator, diagonalOperator } from './operator.js'
export { hessianOperator } from './graphOperator.js'
export { type LeafLayout, layoutOf } from './vector.js'
export { type LanczosOptions, type LanczosResult, type Which, lanczos, unsafeLanczos } from './lanczos.js'
export { type PowerEigenpair, type PowerIterationOptions, powerIteration, unsafePowerIteration } from './power.js'
export { type HutchinsonOptions, type TraceEstimate, hutchinsonTrace, unsafeHutchinsonTrace } from './trace.js'
export {
  type SpectralDensity, type SpectralDensityOptions, smoothDensity, spectralDensity, traceOf, unsafeSpectralDensity
} from './density.js'
export {
  type AnalyzeOptions, type CurvatureCase, type PointAnalysis, type PointDerivatives, type PointKind, analyze, analyzePoint,
  predictAlongGradient, unsafeAnalyze, unsafeAnalyzePoint
} from './analyze.js'
export {
  type NewtonOptions, newtonStep, saddleFreeNewtonStep, unsafeNewtonStep, unsafeSaddleFreeNewtonStep
} from './newton.js'
