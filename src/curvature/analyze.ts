/**
 * What the first and second derivatives say about a point: is it a minimum,
 * a maximum, a saddle, degenerate, or not critical at all; how ill-conditioned
 * the Hessian is; and, along the gradient, what the second-order model
 * f(x − εg) ≈ f(x) − ε‖g‖² + ½ε²·gᵀHg predicts (Goodfellow, Bengio &
 * Courville, "Deep Learning", §4.3.1): with negative curvature the function
 * falls faster than the gradient alone predicts, with no curvature exactly as
 * fast, with positive curvature slower, and the step ε* = ‖g‖²/gᵀHg minimises
 * the model.
 *
 * `analyzePoint` is the numeric core (value, gradient and Hessian given);
 * `analyze` computes them for a traced function with the autodiff graph.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Concrete, GraphError, type Sym, type SymLike, type TreeHessian, hessian, valueAndGrad } from '../graph/index.js'
import { showShape } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import type { TensorTree } from '../tensor/Tree.js'
import { type CurvatureError, checkNumberOption, fail, getOrThrow } from './CurvatureError.js'
import { symmetricEigenOfArray } from './eigen.js'
import { stepFromEigen } from './newton.js'
import { type LeafLayout, allFinite, dot, joinLeaves, layoutOf, norm } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What kind of point the second-derivative test finds. */
export type PointKind = 'minimum' | 'maximum' | 'saddle' | 'degenerate' | 'not-critical'

/** The sign of the curvature gᵀHg along the gradient. */
export type CurvatureCase = 'negative-curvature' | 'no-curvature' | 'positive-curvature'

/** The derivatives at a point, as {@link analyzePoint} takes them. */
export interface PointDerivatives {
  /** f at the point; must be finite. */
  readonly value: number
  /** ∇f: n numbers (a tensor of any shape is read in row-major order). */
  readonly gradient: ArrayLike<number> | Tensor
  /** ∇²f: a tensor with n² entries ([n, n] or [...shape, ...shape]) or n rows of n numbers. */
  readonly hessian: Tensor | ArrayLike<ArrayLike<number>>
}

/** Options of {@link analyzePoint}. */
export interface AnalyzeOptions {
  /** The point is critical when ‖∇f‖₂ ≤ gradTol. Default 1e-6 (as `descent analyze --grad-tol`). */
  readonly gradTol?: number
  /** An eigenvalue counts as zero when |λ| ≤ zeroTol·‖H‖₂ (‖H‖₂ = max|λ|). Default 1e-8. */
  readonly zeroTol?: number
}

/**
 * The analysis of a point. Plain numbers and arrays throughout, so that
 * `JSON.stringify` gives the `descent analyze --json` object.
 */
export interface PointAnalysis {
  /** f at the point. */
  readonly value: number
  /** ∇f as n numbers (row-major for a tensor, flatten order for a tree). */
  readonly gradient: readonly number[]
  /** ‖∇f‖₂. */
  readonly gradientNorm: number
  /** Rows of the (symmetrised) Hessian. */
  readonly hessian: readonly (readonly number[])[]
  /** Ascending. */
  readonly eigenvalues: readonly number[]
  /** `eigenvectors[i]` is the unit eigenvector of `eigenvalues[i]`. */
  readonly eigenvectors: readonly (readonly number[])[]
  /** |λ|max/|λ|min; null when some eigenvalue is zero (within zeroTol). */
  readonly conditionNumber: number | null
  /** 'not-critical' when ‖∇f‖₂ > gradTol, else the second-derivative test on the eigenvalues (|λ| ≤ zeroTol·‖H‖₂ counts as zero). */
  readonly kind: PointKind
  /** gᵀHg/‖g‖², the second derivative of f along the gradient direction; null when g = 0. */
  readonly gradientCurvature: number | null
  /** gᵀHg itself (0 when g = 0), the ε² coefficient (times 2) of the model. */
  readonly gradientHessianGradient: number
  /** Which case the curvature along the gradient falls in; null when g = 0. */
  readonly curvatureCase: CurvatureCase | null
  /** ε* = ‖g‖²/gᵀHg, minimising the model along −g; null unless gᵀHg > 0 (beyond zeroTol). */
  readonly optimalStep: number | null
  /** f(x) − f(x − ε*g) predicted by the model, ‖g‖⁴/(2gᵀHg); null when optimalStep is. */
  readonly predictedDecrease: number | null
  /** −H⁻¹∇f; null when H is singular (some |λ| ≤ 1e-12·‖H‖). */
  readonly newtonStep: readonly number[] | null
  /** −|H|⁻¹∇f; null when H is singular. */
  readonly saddleFreeStep: readonly number[] | null
  /**
   * When the point was a tree of tensors: where each leaf's numbers sit in the
   * vectors and matrices above (flatten order, row-major), by leaf path.
   */
  readonly layout?: readonly LeafLayout[]
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Classify a point from its value, gradient and Hessian, and describe the
 * curvature along the gradient.
 *
 * Kind: `not-critical` when ‖g‖ > gradTol; otherwise, with the eigenvalues
 * split at ±zeroTol·‖H‖ into positive, negative and zero: `saddle` when there
 * are both positive and negative ones (a zero eigenvalue cannot undo that),
 * else `degenerate` when some is zero (the second-derivative test is
 * inconclusive, as for x³ − 3xy² at the origin), else `minimum` (all
 * positive) or `maximum` (all negative).
 * Defaults: gradTol = 1e-6, zeroTol = 1e-8.
 *
 * @example analyzePoint({ value: 0, gradient: [0, 0], hessian: [[2, 0], [0, -2]] }) // kind 'saddle', eigenvalues [-2, 2]
 * @see predictAlongGradient for the model at any ε.
 */
export const analyzePoint = (
  point: PointDerivatives,
  options: AnalyzeOptions = {}
): E.Either<CurvatureError, PointAnalysis> => {
  const where = 'analyzePoint'
  const gradTol = checkNumberOption(where, 'gradTol', options.gradTol ?? 1e-6, { min: 0 })
  if (E.isLeft(gradTol)) return gradTol
  const zeroTol = checkNumberOption(where, 'zeroTol', options.zeroTol ?? 1e-8, { min: 0 })
  if (E.isLeft(zeroTol)) return zeroTol
  if (!Number.isFinite(point.value)) return fail('not-finite', `${where}: the value is ${point.value}`)
  const g = Float64Array.from(point.gradient instanceof Tensor ? point.gradient.data : point.gradient)
  const n = g.length
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(g[i])) return fail('not-finite', `${where}: gradient entry ${i} is ${g[i]}`)
  }
  const h = hessianEntries(where, point.hessian, n)
  if (E.isLeft(h)) return h
  const decomposition = symmetricEigenOfArray(h.right, n)
  if (E.isLeft(decomposition)) return fail(decomposition.left.code, decomposition.left.message.replace('symmetricEigen', `${where}: Hessian`))
  const eig = decomposition.right

  // The Hessian as symmetrised by the decomposition, so that every reported number comes from one matrix.
  // (`+ 0` turns −0 into 0, which reads better in a table.)
  const hessian = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (h.right[i * n + j] + h.right[j * n + i]) / 2 + 0))
  const hNorm = eig.values.reduce((m, lambda) => Math.max(m, Math.abs(lambda)), 0)
  const zero = zeroTol.right * hNorm
  const smallest = eig.values.reduce((m, lambda) => Math.min(m, Math.abs(lambda)), Infinity)

  const gradientNorm = norm(g)
  const hg = new Float64Array(n)
  for (let i = 0; i < n; i++) hg[i] = dot(Float64Array.from(hessian[i]), g)
  const gHg = dot(g, hg)
  const gg = dot(g, g)
  const gradientCurvature = gradientNorm === 0 ? null : gHg / gg
  const curvatureCase: CurvatureCase | null =
    gradientCurvature === null
      ? null
      : Math.abs(gradientCurvature) <= zero
        ? 'no-curvature'
        : gradientCurvature < 0
          ? 'negative-curvature'
          : 'positive-curvature'
  const optimalStep = curvatureCase === 'positive-curvature' ? gg / gHg : null

  const steps = (saddleFree: boolean): readonly number[] | null => {
    const step = stepFromEigen(where, eig, g, saddleFree)
    return E.isRight(step) ? Array.from(step.right) : null
  }

  return E.right({
    value: point.value,
    gradient: Array.from(g),
    gradientNorm,
    hessian,
    eigenvalues: Array.from(eig.values, (lambda) => lambda + 0),
    eigenvectors: eig.vectors.map((v) => Array.from(v, (x) => x + 0)),
    conditionNumber: n === 0 || smallest <= zero ? null : hNorm / smallest,
    kind: gradientNorm > gradTol.right ? 'not-critical' : classify(eig.values, zero),
    gradientCurvature,
    gradientHessianGradient: gHg,
    curvatureCase,
    optimalStep,
    predictedDecrease: optimalStep === null ? null : (gg * gg) / (2 * gHg),
    newtonStep: steps(false),
    saddleFreeStep: steps(true)
  })
}

/** The throwing form of {@link analyzePoint}. */
export const unsafeAnalyzePoint = (point: PointDerivatives, options: AnalyzeOptions = {}): PointAnalysis =>
  getOrThrow(analyzePoint(point, options))

/**
 * Analyze the function `f` (written with graph ops, of one tensor or of a tree
 * of tensors, whose numbers then count end to end, see `layout`) at the
 * point `x` (a tensor of any shape, or plain numbers for a vector): value and
 * gradient from `valueAndGrad(f)`, the Hessian from `hessian(f)` (reshaped to
 * n×n, n = x.size), then {@link analyzePoint}. Transforms are made once per
 * function, so analysing many points of one function traces it once.
 * An error thrown while tracing or evaluating f comes back as a `Left` with
 * code 'bad-function'.
 *
 * @example analyze((v) => v.at(0).square().sub(v.at(1).square()), [0, 0]) // kind 'saddle', eigenvalues [-2, 2]
 * @see analyzePoint when the derivatives come from elsewhere.
 */
export function analyze(f: (x: Sym) => SymLike, x: Tensor | ArrayLike<number>, options?: AnalyzeOptions): E.Either<CurvatureError, PointAnalysis>
export function analyze<P>(f: (x: P) => SymLike, x: Concrete<P>, options?: AnalyzeOptions): E.Either<CurvatureError, PointAnalysis>
export function analyze(f: (x: never) => SymLike, x: TensorTree | ArrayLike<number>, options: AnalyzeOptions = {}): E.Either<CurvatureError, PointAnalysis> {
  const isNumbers = !(x instanceof Tensor) && (ArrayBuffer.isView(x) || (Array.isArray(x) && x.every((c) => typeof c === 'number')))
  const numbers = x as ArrayLike<number>
  const point: TensorTree = isNumbers ? Tensor.unsafeFromBuffer([numbers.length], Float64Array.from(numbers)) : (x as TensorTree)
  const transforms = transformsOf(f)
  let value: number
  let gradient: Tensor | Float64Array
  let h: Tensor
  let layout: readonly LeafLayout[] | undefined
  try {
    if (point instanceof Tensor) {
      if (!allFinite(point.data)) return fail('not-finite', `analyze: the point has a non-finite coordinate: [${Array.from(point.data).join(', ')}]`)
      ;[value, gradient] = transforms.valueAndGrad(point) as readonly [number, Tensor]
      h = transforms.hessian(point) as Tensor
    } else {
      try {
        layout = layoutOf(point)
      } catch (error) {
        return fail('bad-dimension', `analyze: the point must be a tensor, numbers or a tree of tensors: ${(error as Error).message}`)
      }
      const coordinates = joinLeaves(point)
      const bad = coordinates.findIndex((c) => !Number.isFinite(c))
      if (bad >= 0) {
        const leaf = [...layout].reverse().find((l) => l.offset <= bad)!
        return fail('not-finite', `analyze: parameter ${leaf.path || 'at the top'} has a non-finite entry ${coordinates[bad]} (flat index ${bad})`)
      }
      const [v, g] = transforms.valueAndGrad(point)
      value = v
      gradient = joinLeaves(g)
      h = (transforms.hessian(point) as TreeHessian).flat
    }
  } catch (error) {
    if (error instanceof GraphError) return fail('bad-function', `analyze: ${error.message}`)
    throw error
  }
  const result = analyzePoint({ value, gradient, hessian: h }, options)
  return layout === undefined ? result : E.map((r: PointAnalysis): PointAnalysis => ({ ...r, layout }))(result)
}

/** The throwing form of {@link analyze}. */
export function unsafeAnalyze(f: (x: Sym) => SymLike, x: Tensor | ArrayLike<number>, options?: AnalyzeOptions): PointAnalysis
export function unsafeAnalyze<P>(f: (x: P) => SymLike, x: Concrete<P>, options?: AnalyzeOptions): PointAnalysis
export function unsafeAnalyze(f: (x: never) => SymLike, x: TensorTree | ArrayLike<number>, options: AnalyzeOptions = {}): PointAnalysis {
  return getOrThrow(analyze(f as (x: Sym) => SymLike, x as Tensor, options))
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/**
 * The second-order model's prediction of f(x − εg):
 * f(x) − ε‖g‖² + ½ε²·gᵀHg.
 */
export const predictAlongGradient = (analysis: PointAnalysis, epsilon: number): number =>
  analysis.value - epsilon * analysis.gradientNorm ** 2 + 0.5 * epsilon * epsilon * analysis.gradientHessianGradient

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

interface Transforms {
  readonly valueAndGrad: (x: TensorTree) => readonly [number, TensorTree]
  readonly hessian: (x: TensorTree) => Tensor | TreeHessian
}

/** One set of compiled transforms per function (weakly held), so repeated analyses reuse the traces. */
const transformCache = new WeakMap<(x: never) => SymLike, Transforms>()

const transformsOf = (f: (x: never) => SymLike): Transforms => {
  let t = transformCache.get(f)
  if (t === undefined) {
    t = { valueAndGrad: valueAndGrad(f as never) as unknown as Transforms['valueAndGrad'], hessian: hessian(f as never) as unknown as Transforms['hessian'] }
    transformCache.set(f, t)
  }
  return t
}

/** The second-derivative test on eigenvalues, with |λ| ≤ zero counted as zero. */
const classify = (values: Float64Array, zero: number): PointKind => {
  let positive = 0
  let negative = 0
  for (const lambda of values) {
    if (lambda > zero) positive++
    else if (lambda < -zero) negative++
  }
  if (positive > 0 && negative > 0) return 'saddle'
  if (positive + negative < values.length || values.length === 0) return 'degenerate'
  return negative === 0 ? 'minimum' : 'maximum'
}

/** The Hessian as n² row-major numbers, checking its size and entries. */
const hessianEntries = (
  where: string,
  hessian: Tensor | ArrayLike<ArrayLike<number>>,
  n: number
): E.Either<CurvatureError, Float64Array> => {
  let entries: Float64Array
  if (hessian instanceof Tensor) {
    if (hessian.size !== n * n) {
      return fail('bad-dimension', `${where}: a gradient of ${n} entries needs a Hessian of ${n}×${n} entries, got shape ${showShape(hessian.shape)}`)
    }
    entries = hessian.data
  } else {
    if (hessian.length !== n) return fail('bad-dimension', `${where}: a gradient of ${n} entries needs ${n} Hessian rows, got ${hessian.length}`)
    entries = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      if (hessian[i].length !== n) return fail('bad-dimension', `${where}: Hessian row ${i} has ${hessian[i].length} entries, expected ${n}`)
      for (let j = 0; j < n; j++) entries[i * n + j] = hessian[i][j]
    }
  }
  if (!allFinite(entries)) {
    const at = Array.from(entries).findIndex((x) => !Number.isFinite(x))
    return fail('not-finite', `${where}: Hessian entry [${Math.floor(at / n)},${at % n}] is ${entries[at]}`)
  }
  return E.right(entries)
}
