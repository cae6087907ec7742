/**
 * Laws of second derivatives and of eigen-decompositions: Hessian-vector
 * products agree with finite differences of gradients and with the dense
 * Hessian, are self-adjoint (⟨u, Hv⟩ = ⟨v, Hu⟩), the Hessian is symmetric; an
 * eigen-solver reconstructs its matrix, returns orthonormal vectors and sorted
 * eigenvalues summing to the trace, and a classifier of critical points
 * agrees with the signs of the eigenvalues.
 */
import fc from 'fast-check'
import { fromArray, type Tensor } from '../src/tensor/Tensor.js'
import { type ApproxEq, approxEq } from './approx.js'
import { type SpectrumConstraints, type SymmetricMatrix, directionArb, symmetricMatrixArb } from './arbitraries.js'
import { dot, norm } from './internal.js'
import { type Law, type LawParameters, type Verdict, allOf, assertLaws, expectVerdict, fails, holds, law } from './law.js'
import {
  type DerivativeTolerances,
  type Differentiable,
  type ProgramDifferentiator,
  type ScalarFunction,
  type Transforms,
  centralDifferenceOfVector,
  compareOnScale,
  compareVectorsOnScale,
  defaultDifferenceApprox,
  defaultIdentityApprox,
  differentiableOf,
  libraryProgramDifferentiator,
  pointsArb,
  smoothBetweenStencilPoints
} from './gradient.js'
import { type ProgramConstraints, programCaseArb, showProgram } from './program.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** An eigen-decomposition as the laws read it: `vectors[i]` belongs to `values[i]`. */
export interface EigenDecomposition {
  /** The eigenvalues: all n, ascending, for `eigenLaws`; the k asked for, most wanted first, for `partialEigenLaws`. */
  readonly values: ArrayLike<number>
  /** Unit eigenvectors of n components each, one per value. */
  readonly vectors: readonly ArrayLike<number>[]
}

/** An eigen-solver of symmetric matrices (shape [n, n]). */
export type EigenSolver = (matrix: Tensor) => EigenDecomposition

/** The kinds a classifier of critical points returns. */
export type CriticalKind = 'minimum' | 'maximum' | 'saddle' | 'degenerate'

/** A classifier of a critical point from its Hessian. */
export type CriticalPointClassifier = (hessian: Tensor) => string

// -------------------------------------------------------------------------------------
// predicates: Hessian-vector products
// -------------------------------------------------------------------------------------

const requireSecondOrder = (d: Differentiable): Required<Differentiable> => {
  if (d.hvp === undefined || d.hessian === undefined) throw new TypeError('curvature laws need a Differentiable with hvp and hessian')
  return d as Required<Differentiable>
}

const hessianTimes = (h: Tensor, v: ArrayLike<number>): number[] => {
  const n = v.length
  return Array.from({ length: n }, (_, i) => {
    let s = 0
    for (let j = 0; j < n; j++) s += h.data[i * n + j] * v[j]
    return s
  })
}

/** H·v ≈ (∇f(x+εv) − ∇f(x−εv))/2ε (Richardson-extrapolated), on the scale max(1, ‖∇f‖, ‖Hv‖); vacuous across a kink (see `smoothBetweenStencilPoints`). */
export const hvpMatchesGradientDifferences = (d: Differentiable, x: Tensor, v: Tensor, approx: ApproxEq, h = 1e-3): Verdict => {
  const hv = Array.from(requireSecondOrder(d).hvp(x, v).data)
  const scale = Math.max(norm(Array.from(d.gradient(x).data)), norm(hv))
  // A kink of ∇f between the stencil points (relu, |x|, x|x|): no difference at this h speaks for H there.
  if (!smoothBetweenStencilPoints((s) => centralDifferenceOfVector(d.gradient, x, v, s), h, approx, scale)) return holds
  const numeric = centralDifferenceOfVector(d.gradient, x, v, h / 2)
  return compareVectorsOnScale(approx, hv, numeric, scale, 'H·v vs central differences of ∇f')
}

/** hvp(x, v) = hessian(x)·v. */
export const hvpMatchesHessian = (d: Differentiable, x: Tensor, v: Tensor, approx: ApproxEq): Verdict => {
  const s = requireSecondOrder(d)
  const hv = Array.from(s.hvp(x, v).data)
  const expected = hessianTimes(s.hessian(x), v.data)
  return compareVectorsOnScale(approx, hv, expected, norm(expected), 'hvp(x, v) vs hessian(x)·v')
}

/** ⟨u, Hv⟩ = ⟨v, Hu⟩. */
export const hvpIsSelfAdjoint = (d: Differentiable, x: Tensor, u: Tensor, v: Tensor, approx: ApproxEq): Verdict => {
  const s = requireSecondOrder(d)
  const hv = Array.from(s.hvp(x, v).data)
  const hu = Array.from(s.hvp(x, u).data)
  const a = dot(Array.from(u.data), hv)
  const b = dot(Array.from(v.data), hu)
  return compareOnScale(approx, a, b, Math.max(norm(hv), norm(hu)), '⟨u, Hv⟩ vs ⟨v, Hu⟩')
}

/** The Hessian is symmetric: Hᵢⱼ = Hⱼᵢ. */
export const hessianIsSymmetric = (d: Differentiable, x: Tensor, approx: ApproxEq): Verdict => {
  const h = requireSecondOrder(d).hessian(x)
  const n = x.size
  if (h.size !== n * n) return fails(`the Hessian has ${h.size} entries, x has ${n} elements`)
  const scale = Math.max(...Array.from(h.data, Math.abs), 0)
  const verdicts: Verdict[] = []
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) verdicts.push(compareOnScale(approx, h.data[i * n + j], h.data[j * n + i], scale, `H[${i},${j}] vs H[${j},${i}]`))
  return allOf(verdicts)
}

// -------------------------------------------------------------------------------------
// predicates: eigen-decompositions
// -------------------------------------------------------------------------------------

const frobenius = (m: SymmetricMatrix): number => Math.sqrt(m.rows.reduce((s, r) => s + dot(r, r), 0))

/** ‖VΛVᵀ − H‖_F ≤ tol·max(1, ‖H‖_F) (tol = approx.rtol + approx.atol). */
export const eigenReconstructs = (solver: EigenSolver, m: SymmetricMatrix, approx: ApproxEq): Verdict => {
  const { values, vectors } = solver(m.matrix)
  if (values.length !== m.n || vectors.length !== m.n) return fails(`expected ${m.n} eigenpairs, got ${values.length} values and ${vectors.length} vectors`)
  let err = 0
  for (let i = 0; i < m.n; i++) {
    for (let j = 0; j < m.n; j++) {
      let s = 0
      for (let k = 0; k < m.n; k++) s += vectors[k][i] * values[k] * vectors[k][j]
      err += (s - m.rows[i][j]) ** 2
    }
  }
  const residual = Math.sqrt(err)
  const allowed = (approx.rtol + approx.atol) * Math.max(1, frobenius(m))
  return residual <= allowed ? holds : fails(`‖VΛVᵀ − H‖_F = ${residual}, allowed ${allowed}`)
}

/** The eigenvectors are orthonormal: |⟨vᵢ, vⱼ⟩ − δᵢⱼ| ≤ tol. */
export const eigenvectorsOrthonormal = (solver: EigenSolver, m: SymmetricMatrix, approx: ApproxEq): Verdict => vectorsOrthonormal(solver(m.matrix), approx)

/** trace(H) = Σλ. */
export const traceEqualsEigenvalueSum = (solver: EigenSolver, m: SymmetricMatrix, approx: ApproxEq): Verdict => {
  const { values } = solver(m.matrix)
  const trace = m.rows.reduce((s, r, i) => s + r[i], 0)
  const total = Array.from(values).reduce((s, x) => s + x, 0)
  return compareOnScale(approx, total, trace, frobenius(m), 'Σλ vs trace(H)')
}

/** The eigenvalues are sorted ascending. */
export const eigenvaluesAscending = (solver: EigenSolver, m: SymmetricMatrix): Verdict => {
  const values = Array.from(solver(m.matrix).values)
  const bad = values.findIndex((x, i) => i > 0 && x < values[i - 1])
  return bad < 0 ? holds : fails(`eigenvalues not ascending at ${bad}: ${values.join(', ')}`)
}

/** The eigenvalues are the known spectrum of the generated matrix. */
export const eigenvaluesMatchSpectrum = (solver: EigenSolver, m: SymmetricMatrix, approx: ApproxEq): Verdict => {
  const values = Array.from(solver(m.matrix).values).sort((a, b) => a - b)
  return compareVectorsOnScale(approx, values, m.eigenvalues, frobenius(m), 'eigenvalues vs the generated spectrum')
}

// -------------------------------------------------------------------------------------
// predicates: partial eigen-decompositions (top-k solvers) and the sign convention
// -------------------------------------------------------------------------------------

/** Which end of the spectrum a top-k solver returns: `largest` λ, `smallest` λ, or largest |λ| (`magnitude`). */
export type SpectrumEnd = 'largest' | 'smallest' | 'magnitude'

/** A solver of k eigenpairs of a symmetric matrix (power iteration, Lanczos, …). */
export type PartialEigenSolver = (matrix: Tensor, k: number) => EigenDecomposition

const largestNorm = (m: SymmetricMatrix): number => Math.max(...m.eigenvalues.map(Math.abs), 0)

/** How much a value is wanted at an end of the spectrum: sort descending by this. */
const wanted = (which: SpectrumEnd) => (lambda: number): number => (which === 'largest' ? lambda : which === 'smallest' ? -lambda : Math.abs(lambda))

/** Every pair has a small residual: ‖Av − λv‖ ≤ tol·max(1, ‖A‖₂) (tol = rtol + atol), with ‖v‖ = 1 checked by orthonormality. */
export const eigenResidualsSmall = (e: EigenDecomposition, m: SymmetricMatrix, approx: ApproxEq): Verdict => {
  const allowed = (approx.rtol + approx.atol) * Math.max(1, largestNorm(m))
  for (let i = 0; i < e.vectors.length; i++) {
    const v = Array.from(e.vectors[i])
    if (v.length !== m.n) return fails(`vector ${i} has ${v.length} components, the matrix is ${m.n}×${m.n}`)
    const r = norm(m.rows.map((row, j) => dot(row, v) - e.values[i] * v[j]))
    if (!(r <= allowed)) return fails(`pair ${i} (λ = ${e.values[i]}): ‖Av − λv‖ = ${r}, allowed ${allowed}`)
  }
  return holds
}

/** The vectors of a decomposition are orthonormal: |⟨vᵢ, vⱼ⟩ − δᵢⱼ| ≤ tol. */
export const vectorsOrthonormal = (e: EigenDecomposition, approx: ApproxEq): Verdict => {
  const tol = approx.rtol + approx.atol
  for (let i = 0; i < e.vectors.length; i++) {
    for (let j = i; j < e.vectors.length; j++) {
      const g = dot(Array.from(e.vectors[i]), Array.from(e.vectors[j]))
      if (!(Math.abs(g - (i === j ? 1 : 0)) <= tol)) return fails(`⟨v${i}, v${j}⟩ = ${g}, expected ${i === j ? 1 : 0}`)
    }
  }
  return holds
}

/**
 * A top-k solver's values are the k extreme ones of the known spectrum, most
 * wanted first: `largest` descending, `smallest` ascending, `magnitude` by
 * decreasing |λ| (ties of |λ| between λ and −λ may go either way).
 */
export const valuesAreExtreme = (e: EigenDecomposition, m: SymmetricMatrix, which: SpectrumEnd, k: number, approx: ApproxEq): Verdict => {
  const values = Array.from(e.values)
  if (values.length !== k || e.vectors.length !== k) return fails(`asked for ${k} pairs, got ${values.length} values and ${e.vectors.length} vectors`)
  const key = wanted(which)
  const expected = m.eigenvalues.map(key).sort((a, b) => b - a).slice(0, k)
  const scale = Math.max(1, largestNorm(m))
  const order = values.findIndex((x, i) => i > 0 && key(x) > key(values[i - 1]) + (approx.rtol + approx.atol) * scale)
  if (order >= 0) return fails(`not most wanted first (${which}) at ${order}: ${values.join(', ')}`)
  const stray = values.find((x) => !m.eigenvalues.some((lambda) => approx.numbers(x / scale, lambda / scale)))
  if (stray !== undefined) return fails(`${stray} is not an eigenvalue of the matrix (spectrum ${m.eigenvalues.join(', ')})`)
  return compareVectorsOnScale(approx, values.map(key), expected, scale, `the ${k} ${which} eigenvalues of [${m.eigenvalues.join(', ')}]`)
}

/**
 * The library's sign convention for eigenvectors, so that output is
 * deterministic: the first component whose magnitude is within a factor
 * 1 − 1e-6 of the largest is positive (as `symmetricEigen`, `lanczos` and
 * `powerIteration` promise).
 */
export const followsSignConvention = (e: EigenDecomposition): Verdict => {
  for (let i = 0; i < e.vectors.length; i++) {
    const v = Array.from(e.vectors[i])
    const largest = Math.max(...v.map(Math.abs), 0)
    const first = v.find((x) => Math.abs(x) >= largest * (1 - 1e-6))
    if (first !== undefined && first < 0) return fails(`vector ${i}: its first component of largest magnitude is ${first} < 0: [${v.join(', ')}]`)
  }
  return holds
}

/**
 * The kind of critical point the eigenvalues' signs give: both signs (beyond
 * `zero`) — saddle; otherwise any |λ| ≤ zero — degenerate; all positive —
 * minimum; all negative — maximum.
 */
export const kindFromEigenvalues = (values: readonly number[], zero: number): CriticalKind => {
  const pos = values.some((x) => x > zero)
  const neg = values.some((x) => x < -zero)
  if (pos && neg) return 'saddle'
  if (values.some((x) => Math.abs(x) <= zero)) return 'degenerate'
  return pos ? 'minimum' : 'maximum'
}

/** The classifier's verdict on a critical point matches the signs of the known eigenvalues. */
export const classificationMatchesSigns = (classify: CriticalPointClassifier, m: SymmetricMatrix, zero: number): Verdict => {
  const expected = kindFromEigenvalues(m.eigenvalues, zero)
  const got = classify(m.matrix)
  return got === expected ? holds : fails(`classified as ${got}, eigenvalues [${m.eigenvalues.join(', ')}] say ${expected}`)
}

// -------------------------------------------------------------------------------------
// runners
// -------------------------------------------------------------------------------------

/** Options of `curvatureLaws`. */
export interface CurvatureLawOptions extends DerivativeTolerances {
  /** Shape of x (default [3]) when `at` is not given. */
  readonly shape?: readonly number[]
  /** Points where the laws are checked (default `pointsArb(shape)`: uniform in [−3, 3]). */
  readonly at?: fc.Arbitrary<Tensor>
  /** The transforms under test (default the library's `jit`, `grad`, `hvp`, `hessian`). */
  readonly transforms?: Transforms
  /** fast-check parameters (runs, seed, path) that `checkCurvatureLaws` passes on; `curvatureLaws` does not read them. */
  readonly fc?: LawParameters
}

/** A function under test with a point and two unit directions. */
interface SecondOrderCase {
  readonly d: Differentiable
  readonly x: Tensor
  readonly u: Tensor
  readonly v: Tensor
}

const pointAndTwoDirections = (at: fc.Arbitrary<Tensor>): fc.Arbitrary<{ readonly x: Tensor; readonly u: Tensor; readonly v: Tensor }> =>
  at.chain((x) =>
    fc.tuple(directionArb(Math.max(1, x.size)), directionArb(Math.max(1, x.size))).map(([u, v]) => ({
      x,
      u: fromArray(x.shape, u.slice(0, x.size)),
      v: fromArray(x.shape, v.slice(0, x.size))
    }))
  )

const secondOrderLaws = (cases: fc.Arbitrary<SecondOrderCase>, options: DerivativeTolerances): Law[] => {
  const approx = options.approx ?? defaultIdentityApprox
  const differenceApprox = options.differenceApprox ?? defaultDifferenceApprox
  return [
    law('curvature', 'H·v agrees with central differences of the gradient', () =>
      fc.property(cases, (c) => expectVerdict(hvpMatchesGradientDifferences(c.d, c.x, c.v, differenceApprox, options.step)))
    ),
    law('curvature', 'hvp(x, v) = hessian(x)·v', () => fc.property(cases, (c) => expectVerdict(hvpMatchesHessian(c.d, c.x, c.v, approx)))),
    law('curvature', '⟨u, Hv⟩ = ⟨v, Hu⟩', () => fc.property(cases, (c) => expectVerdict(hvpIsSelfAdjoint(c.d, c.x, c.u, c.v, approx)))),
    law('curvature', 'the Hessian is symmetric', () => fc.property(cases, (c) => expectVerdict(hessianIsSymmetric(c.d, c.x, approx))))
  ]
}

const showCase = (what: string, c: { readonly x: Tensor; readonly u: Tensor; readonly v: Tensor }): string =>
  `{ f: ${what}, x: [${Array.from(c.x.data).join(', ')}], u: [${Array.from(c.u.data).join(', ')}], v: [${Array.from(c.v.data).join(', ')}] }`

/** The second-order laws of one function (HVP vs differences, vs the Hessian, self-adjoint, symmetric). */
export const curvatureLaws = (f: ScalarFunction, options: CurvatureLawOptions = {}): readonly Law[] => {
  const d = differentiableOf(f, options.transforms)
  const at = options.at ?? pointsArb(options.shape ?? [3])
  return secondOrderLaws(
    pointAndTwoDirections(at).map((c) => Object.assign({ ...c, d }, { [fc.toStringMethod]: () => showCase('the function under test', c) })),
    options
  )
}

/**
 * Check the second-order laws of `f`; throws at the first failure with the
 * counterexample and seed, like `fc.assert`.
 *
 * @example checkCurvatureLaws((x) => x.sin().mul(x).sum(), { shape: [3], fc: { numRuns: 30, seed: 1 } })
 */
export const checkCurvatureLaws = (f: ScalarFunction, options: CurvatureLawOptions = {}): void => assertLaws(curvatureLaws(f, options), options.fc)

/** Options of `programCurvatureLaws`. */
export interface ProgramCurvatureLawOptions extends DerivativeTolerances {
  /** Dimension, depth and unary ops of the random programs (default n 1–3, depth 4, every op of `unaryRules`). */
  readonly programs?: ProgramConstraints
  /** fast-check parameters (runs, seed, path) that `checkProgramCurvatureLaws` passes on; `programCurvatureLaws` does not read them. */
  readonly fc?: LawParameters
}

/** The second-order laws on random programs, for a differentiator that provides hvp and hessian. */
export const programCurvatureLaws = (
  differentiate: ProgramDifferentiator = libraryProgramDifferentiator(),
  options: ProgramCurvatureLawOptions = {}
): readonly Law[] =>
  secondOrderLaws(
    programCaseArb(options.programs).chain((c) =>
      directionArb(c.n).map((u) => {
        const point = { x: fromArray([c.n], c.x), u: fromArray([c.n], u), v: fromArray([c.n], c.direction) }
        return Object.assign({ ...point, d: differentiate(c.program) }, { [fc.toStringMethod]: () => showCase(showProgram(c.program), point) })
      })
    ),
    options
  )

/** Check `programCurvatureLaws`; throws at the first failure. */
export const checkProgramCurvatureLaws = (
  differentiate: ProgramDifferentiator = libraryProgramDifferentiator(),
  options: ProgramCurvatureLawOptions = {}
): void => assertLaws(programCurvatureLaws(differentiate, options), options.fc)

/** Options of `eigenLaws`. */
export interface EigenLawOptions {
  /** Tolerance of reconstruction, orthonormality, trace and spectrum (default rtol 1e-10, atol 1e-12, relative to ‖H‖_F). */
  readonly approx?: ApproxEq
  /** Matrices to decompose (default dimension 1–6, |λ| in [0.1, 10], both signs). */
  readonly spectrum?: SpectrumConstraints
  /** A classifier of critical points to check against the eigenvalue signs. */
  readonly classify?: CriticalPointClassifier
  /** What counts as a zero eigenvalue for the classifier law (default 1e-8·max|λ|). */
  readonly zeroTol?: number
  /** Also check the sign convention of `followsSignConvention` (default false: a solver may choose either sign). */
  readonly signConvention?: boolean
  /** fast-check parameters (runs, seed, path) that `checkEigenLaws` passes on; `eigenLaws` does not read them. */
  readonly fc?: LawParameters
}

/** The laws of an eigen-solver (and optionally a classifier) on random symmetric matrices of known spectrum. */
export const eigenLaws = (solver: EigenSolver, options: EigenLawOptions = {}): readonly Law[] => {
  const approx = options.approx ?? approxEq({ rtol: 1e-10, atol: 1e-12 })
  const matrices = symmetricMatrixArb({ minDim: 1, maxDim: 6, ...options.spectrum })
  const laws: Law[] = [
    law('eigen', '‖VΛVᵀ − H‖ is small', () => fc.property(matrices, (m) => expectVerdict(eigenReconstructs(solver, m, approx)))),
    law('eigen', 'V is orthonormal', () => fc.property(matrices, (m) => expectVerdict(eigenvectorsOrthonormal(solver, m, approx)))),
    law('eigen', 'the trace equals the sum of the eigenvalues', () => fc.property(matrices, (m) => expectVerdict(traceEqualsEigenvalueSum(solver, m, approx)))),
    law('eigen', 'the eigenvalues are sorted ascending', () => fc.property(matrices, (m) => expectVerdict(eigenvaluesAscending(solver, m)))),
    law('eigen', 'the eigenvalues are the spectrum of the matrix', () => fc.property(matrices, (m) => expectVerdict(eigenvaluesMatchSpectrum(solver, m, approx))))
  ]
  if (options.signConvention === true) {
    laws.push(law('eigen', 'each eigenvector follows the sign convention', () => fc.property(matrices, (m) => expectVerdict(followsSignConvention(solver(m.matrix))))))
  }
  const classify = options.classify
  if (classify !== undefined) {
    laws.push(
      law('eigen', 'the classification of a critical point matches the signs of the eigenvalues', () =>
        fc.property(symmetricMatrixArb({ minDim: 1, maxDim: 5, allowZero: true, ...options.spectrum }), (m) => {
          const scale = Math.max(...m.eigenvalues.map(Math.abs), 0)
          return expectVerdict(classificationMatchesSigns(classify, m, options.zeroTol ?? 1e-8 * scale))
        })
      )
    )
  }
  return laws
}

/**
 * Check an eigen-solver (and optionally a classifier); throws at the first
 * failure with the counterexample and seed, like `fc.assert`.
 *
 * @example checkEigenLaws((h) => unsafeSymmetricEigen(h), { classify: (h) => unsafeAnalyzePoint({ value: 0, gradient: [], hessian: h }).kind })
 */
export const checkEigenLaws = (solver: EigenSolver, options: EigenLawOptions = {}): void => assertLaws(eigenLaws(solver, options), options.fc)

/** Options of `partialEigenLaws`. */
export interface PartialEigenLawOptions {
  /** Which end of the spectrum the solver returns (default 'largest'). */
  readonly which?: SpectrumEnd
  /** Largest k asked for (default 3; each case draws k from 1 to min(maxK, n)). */
  readonly maxK?: number
  /** Tolerance of residuals, orthonormality and values (default rtol 1e-7, atol 1e-9, relative to ‖A‖₂). */
  readonly approx?: ApproxEq
  /** Matrices (default dimension 1–8, |λ| in [0.1, 10], both signs, eigenvalues at least 0.2 apart so the k wanted ones are well separated). */
  readonly spectrum?: SpectrumConstraints
  /** Also check the sign convention of `followsSignConvention` (default false). */
  readonly signConvention?: boolean
  /** fast-check parameters (runs, seed, path) that `checkPartialEigenLaws` passes on; `partialEigenLaws` does not read them. */
  readonly fc?: LawParameters
}

/**
 * The laws of a top-k eigen-solver on random symmetric matrices of known
 * spectrum: it returns k pairs with small residuals ‖Av − λv‖, orthonormal
 * vectors, and the k extreme eigenvalues of the spectrum, most wanted first.
 */
export const partialEigenLaws = (solver: PartialEigenSolver, options: PartialEigenLawOptions = {}): readonly Law[] => {
  const approx = options.approx ?? approxEq({ rtol: 1e-7, atol: 1e-9 })
  const which = options.which ?? 'largest'
  const cases = symmetricMatrixArb({ minDim: 1, maxDim: 8, minGap: 0.2, ...options.spectrum }).chain((m) =>
    fc.integer({ min: 1, max: Math.min(options.maxK ?? 3, m.n) }).map((k) => {
      const e = solver(m.matrix, k)
      return Object.assign({ m, k, e }, { [fc.toStringMethod]: () => `{ k: ${k}, eigenvalues: [${m.eigenvalues.join(', ')}], rows: ${JSON.stringify(m.rows)} }` })
    })
  )
  const laws: Law[] = [
    law('eigen', `the k ${which} eigenvalues of the spectrum, most wanted first`, () =>
      fc.property(cases, (c) => expectVerdict(valuesAreExtreme(c.e, c.m, which, c.k, approx)))
    ),
    law('eigen', '‖Av − λv‖ is small for every pair', () => fc.property(cases, (c) => expectVerdict(eigenResidualsSmall(c.e, c.m, approx)))),
    law('eigen', 'the k vectors are orthonormal', () => fc.property(cases, (c) => expectVerdict(vectorsOrthonormal(c.e, approx))))
  ]
  if (options.signConvention === true) {
    laws.push(law('eigen', 'each eigenvector follows the sign convention', () => fc.property(cases, (c) => expectVerdict(followsSignConvention(c.e)))))
  }
  return laws
}

/** Check a top-k eigen-solver; throws at the first failure with the counterexample and seed, like `fc.assert`. */
export const checkPartialEigenLaws = (solver: PartialEigenSolver, options: PartialEigenLawOptions = {}): void =>
  assertLaws(partialEigenLaws(solver, options), options.fc)
