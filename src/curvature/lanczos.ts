/**
 * Extreme eigenvalues of a symmetric operator from Hessian-vector products
 * alone, by the Lanczos process with full reorthogonalisation: the Krylov
 * basis q₁…qₘ is kept orthonormal to working precision, H restricted to it is
 * the tridiagonal Tₘ, and the eigenpairs (θ, Qy) of Tₘ (Ritz pairs) converge
 * to the extreme eigenpairs of H. Stops on the residual ‖Hx − θx‖, never on
 * the change in θ (a symmetric saddle with eigenvalues ±λ fools that).
 */
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../tensor/Random.js'
import { type CurvatureError, checkNumberOption, fail, getOrThrow } from './CurvatureError.js'
import { canonicalSignInPlace, tridiagonalQRInPlace } from './eigen.js'
import { type HessianVectorProduct, catchOracleFailure, checkDimension, checkedOperator } from './operator.js'
import { axpyInPlace, dot, norm, orthogonaliseInPlace, reorthogonaliseInPlace, residualNorm, scaleInPlace } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Which end of the spectrum to find: largest algebraic, smallest algebraic, or largest |λ|. */
export type Which = 'largest' | 'smallest' | 'magnitude'

/** Options of {@link lanczos}. */
export interface LanczosOptions {
  /** How many eigenpairs. Default 1. */
  readonly k?: number
  /** Which ones. Default `'largest'`. */
  readonly which?: Which
  /**
   * Stop when every wanted Ritz pair has ‖Hx − θx‖ ≤ tol·max|θ| (max over
   * all current Ritz values, an estimate of ‖H‖). Default 1e-10.
   */
  readonly tol?: number
  /** At most this many Lanczos steps (products with H), at least k; capped at n. Default n. Memory: maxSteps·n floats. */
  readonly maxSteps?: number
  /** Seed of the random start vector (and of restarts). Default 0. */
  readonly seed?: number
  /** A start vector of length n instead of a random one (not written). */
  readonly start?: Float64Array
}

/** The result of {@link lanczos}. */
export interface LanczosResult {
  /**
   * The k eigenvalue estimates, most wanted first: `largest` descending,
   * `smallest` ascending, `magnitude` by decreasing |λ|.
   */
  readonly values: Float64Array
  /** `vectors[i]`: the unit Ritz vector of `values[i]` (sign as in {@link SymmetricEigen}). */
  readonly vectors: readonly Float64Array[]
  /** `residuals[i]` = ‖H·vectors[i] − values[i]·vectors[i]‖, computed with a true product. */
  readonly residuals: Float64Array
  /** Lanczos steps taken (the dimension of the Krylov basis). */
  readonly steps: number
  /** Hessian-vector products used, residual checks included. */
  readonly products: number
  /**
   * Whether the spectrum's wanted end is resolved: every residual met the
   * tolerance and a check on the rest of the space (see {@link lanczos})
   * found no eigenvalue more wanted than the ones returned.
   */
  readonly converged: boolean
  /** True when a run stopped at `maxSteps` before converging: the result is then the best estimate so far. */
  readonly budgetExhausted: boolean
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The k extreme eigenpairs of the symmetric operator `hvp` of dimension n, by
 * Lanczos with full reorthogonalisation.
 *
 * Step j: w = H·qⱼ − αⱼqⱼ − βⱼ₋₁qⱼ₋₁ with αⱼ = qⱼᵀHqⱼ, then w is
 * orthogonalised against every earlier q (a second pass only when the first
 * cancels most of w) and qⱼ₊₁ = w/βⱼ, βⱼ = ‖w‖.
 * The residual of a Ritz pair (θ, Qy) is |βₘ·yₘ| (Golub & Van Loan §10.1.4);
 * when all wanted ones pass, the residuals are re-checked with true products.
 * On breakdown (βⱼ ≈ 0, an invariant subspace) the process restarts from a
 * random vector orthogonal to the basis.
 *
 * Multiplicity: one Krylov space holds only one vector of each eigenspace, so
 * a repeated eigenvalue (λ = 200 twice) shows up once and the next ones take
 * its place with small residuals. So after convergence the found vectors are
 * locked and Lanczos runs again, for the single most wanted eigenvalue of H on
 * their orthogonal complement; if it beats the k-th found one (by more than
 * tol·max|θ|), it joins the result and the check repeats; otherwise the
 * spectrum is resolved. Each check costs one more (usually short) run; only a
 * resolved spectrum is reported `converged`.
 *
 * Defaults: k = 1, which = 'largest', tol = 1e-10, maxSteps = n, seed = 0.
 *
 * @example lanczos(diagonalOperator([1, 2, 3, 4]), 4, { k: 2 }) // Right({ values: [4, 3], … })
 * @see powerIteration, a simpler and slower alternative; symmetricEigen for a formed matrix.
 */
export const lanczos = (
  hvp: HessianVectorProduct,
  n: number,
  options: LanczosOptions = {}
): E.Either<CurvatureError, LanczosResult> => {
  const where = 'lanczos'
  const dim = checkDimension(where, n)
  if (E.isLeft(dim)) return dim
  const k = checkNumberOption(where, 'k', options.k ?? 1, { min: 1, max: n, integer: true })
  if (E.isLeft(k)) return k
  const tol = checkNumberOption(where, 'tol', options.tol ?? 1e-10, { min: 0 })
  if (E.isLeft(tol)) return tol
  const maxSteps = checkNumberOption(where, 'maxSteps', options.maxSteps ?? n, { min: k.right, integer: true })
  if (E.isLeft(maxSteps)) return maxSteps
  const which = options.which ?? 'largest'
  if (which !== 'largest' && which !== 'smallest' && which !== 'magnitude') {
    return fail('bad-option', `${where}: option which must be 'largest', 'smallest' or 'magnitude', got ${String(which)}`)
  }
  const start = startVector(where, n, options.start, options.seed ?? 0)
  if (E.isLeft(start)) return start
  return catchOracleFailure(() =>
    E.right(
      resolveMultiplicity(checkedOperator(where, hvp, n), n, {
        k: k.right,
        which,
        tol: tol.right,
        maxSteps: Math.min(maxSteps.right, n),
        start: start.right,
        seed: options.seed ?? 0
      })
    )
  )
}

/** The throwing form of {@link lanczos}. */
export const unsafeLanczos = (hvp: HessianVectorProduct, n: number, options: LanczosOptions = {}): LanczosResult =>
  getOrThrow(lanczos(hvp, n, options))

// -------------------------------------------------------------------------------------
// utilities (shared with spectral density)
// -------------------------------------------------------------------------------------

/** One step of Lanczos: the new diagonal α, the new off-diagonal β and the unnormalised next vector. */
export interface LanczosStep {
  readonly alpha: number
  readonly beta: number
  readonly next: Float64Array
  /** ‖H·qⱼ‖, for a running estimate of ‖H‖. */
  readonly productNorm: number
}

/**
 * One Lanczos step with full reorthogonalisation from the last vector of
 * `basis` (orthonormal; `previousBeta` couples it to the one before).
 */
export const lanczosStep = (
  hvp: HessianVectorProduct,
  basis: readonly Float64Array[],
  previousBeta: number
): LanczosStep => {
  const j = basis.length - 1
  const q = basis[j]
  const w = Float64Array.from(hvp(q))
  const productNorm = norm(w)
  const alpha = dot(q, w)
  axpyInPlace(w, -alpha, q)
  if (j > 0 && previousBeta !== 0) axpyInPlace(w, -previousBeta, basis[j - 1])
  const beta = reorthogonaliseInPlace(w, basis)
  return { alpha, beta, next: w, productNorm }
}

/**
 * The eigenvalues of the tridiagonal T (diagonal `alpha`, off-diagonal `beta`,
 * first m entries) and the chosen rows of its eigenvector matrix Z
 * (`rows` lists row indices).
 */
export const tridiagonalEigen = (
  alpha: readonly number[],
  beta: readonly number[],
  m: number,
  rows: readonly number[]
): { readonly values: Float64Array; readonly rows: readonly Float64Array[] } => {
  const d = Float64Array.from(alpha.slice(0, m))
  const e = new Float64Array(Math.max(m, 1))
  for (let i = 0; i + 1 < m; i++) e[i] = beta[i]
  const tracked = rows.map((r) => {
    const row = new Float64Array(m)
    row[r] = 1
    return row
  })
  if (!tridiagonalQRInPlace(d, e, tracked)) throw new Error(`lanczos: the tridiagonal QR iteration did not converge (m = ${m})`)
  return { values: d, rows: tracked }
}

/** Check or draw a unit start vector of length n. */
export const startVector = (
  where: string,
  n: number,
  start: Float64Array | undefined,
  seed: number
): E.Either<CurvatureError, Float64Array> => {
  if (start === undefined) {
    const v = Float64Array.from(random(seed).normal([n]).data)
    scaleInPlace(v, 1 / norm(v))
    return E.right(v)
  }
  if (start.length !== n) return fail('bad-dimension', `${where}: start vector has length ${start.length}, expected ${n}`)
  const size = norm(start)
  if (!(size > 0) || !Number.isFinite(size)) {
    return fail('bad-option', `${where}: start vector must be finite and non-zero, got norm ${size}`)
  }
  const v = Float64Array.from(start)
  scaleInPlace(v, 1 / size)
  return E.right(v)
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

interface Settings {
  readonly k: number
  readonly which: Which
  readonly tol: number
  readonly maxSteps: number
  readonly start: Float64Array
  readonly seed: number
  /** Whether a Ritz pair with this value and residual is good enough; default residual ≤ tol·scale. */
  readonly accept?: (value: number, residual: number, scale: number) => boolean
}

const maxAbs = (values: Float64Array): number => {
  let largest = 0
  for (const v of values) largest = Math.max(largest, Math.abs(v))
  return largest
}

/** Indices of the k most wanted values. */
const select = (values: Float64Array, k: number, which: Which): number[] => {
  const order = Array.from(values, (_, i) => i)
  if (which === 'largest') order.sort((i, j) => values[j] - values[i])
  else if (which === 'smallest') order.sort((i, j) => values[i] - values[j])
  else order.sort((i, j) => Math.abs(values[j]) - Math.abs(values[i]) || values[j] - values[i])
  return order.slice(0, k)
}

const runLanczos = (hvp: HessianVectorProduct, n: number, s: Settings): LanczosResult => {
  const accept = s.accept ?? ((_value: number, residual: number, scale: number) => residual <= s.tol * scale)
  // A different stream from the start vector's, for restarts.
  const restarts = random(s.seed + 0x5bd1e995)
  const basis: Float64Array[] = [s.start]
  const alpha: number[] = []
  const beta: number[] = []
  let normEstimate = 0
  let products = 0
  let lastCheck = 0

  // The k wanted Ritz pairs of the current basis with true residuals.
  const ritzPairs = (m: number): LanczosResult => {
    const t = tridiagonalEigen(alpha, beta, m, Array.from({ length: m }, (_, i) => i))
    const wanted = select(t.values, s.k, s.which)
    const scale = maxAbs(t.values)
    const vectors = wanted.map((i) => {
      const x = new Float64Array(n)
      for (let j = 0; j < m; j++) axpyInPlace(x, t.rows[j][i], basis[j])
      scaleInPlace(x, 1 / norm(x))
      canonicalSignInPlace(x)
      return x
    })
    const values = Float64Array.from(wanted, (i) => t.values[i])
    const residuals = Float64Array.from(vectors, (x, i) => residualNorm(hvp(x), values[i], x))
    products += vectors.length
    const converged = residuals.every((r, i) => accept(values[i], r, scale))
    return { values, vectors, residuals, steps: m, products, converged, budgetExhausted: !converged && m === s.maxSteps && m < n }
  }

  let previousBeta = 0
  for (let m = 1; ; m++) {
    const step = lanczosStep(hvp, basis, previousBeta)
    products++
    alpha.push(step.alpha)
    normEstimate = Math.max(normEstimate, step.productNorm)
    const breakdown = step.beta <= 1e-12 * normEstimate
    const last = m === s.maxSteps || (breakdown && m === n)

    if (last) return ritzPairs(m)
    // Check convergence every step at first, then every m/20 steps, so the checks cost O(m²) in all.
    if (m >= s.k && (breakdown || m - lastCheck >= Math.max(1, Math.floor(m / 20)))) {
      lastCheck = m
      const t = tridiagonalEigen(alpha, beta, m, [m - 1])
      const scale = maxAbs(t.values)
      const estimatesPass = select(t.values, s.k, s.which).every((i) => accept(t.values[i], Math.abs(step.beta * t.rows[0][i]), scale))
      if (estimatesPass) {
        const result = ritzPairs(m)
        if (result.converged) return result
      }
    }

    if (breakdown) {
      // An invariant subspace: continue from a fresh direction orthogonal to it.
      const fresh = Float64Array.from(restarts.normal([n]).data)
      orthogonaliseInPlace(fresh, basis)
      const size = norm(fresh)
      if (!(size > 1e-8)) return ritzPairs(m)
      scaleInPlace(fresh, 1 / size)
      basis.push(fresh)
      beta.push(0)
      previousBeta = 0
    } else {
      scaleInPlace(step.next, 1 / step.beta)
      basis.push(step.next)
      beta.push(step.beta)
      previousBeta = step.beta
    }
  }
}

/** `a` is more wanted than `b` by more than `margin`. */
const moreWanted = (which: Which, a: number, b: number, margin: number): boolean =>
  which === 'largest' ? a > b + margin : which === 'smallest' ? a < b - margin : Math.abs(a) > Math.abs(b) + margin

/** Lanczos, then checks on the complement of the found vectors until no hidden copy of a wanted eigenvalue is left. */
const resolveMultiplicity = (hvp: HessianVectorProduct, n: number, s: Settings): LanczosResult => {
  const first = runLanczos(hvp, n, s)
  // A basis of n vectors spans the whole space: its Ritz values are the spectrum, copies included.
  if (!first.converged || first.steps >= n) return first
  let pairs = Array.from(first.values, (value, i) => ({ value, vector: first.vectors[i], residual: first.residuals[i] }))
  const locked = [...first.vectors]
  let products = first.products
  let steps = first.steps
  const summary = (converged: boolean, budgetExhausted: boolean): LanczosResult => ({
    values: Float64Array.from(pairs, (p) => p.value),
    vectors: pairs.map((p) => p.vector),
    residuals: Float64Array.from(pairs, (p) => p.residual),
    steps,
    products,
    converged,
    budgetExhausted
  })
  const restarts = random(s.seed + 0x27d4eb2f)
  for (let round = 1; locked.length < n; round++) {
    const project = (v: Float64Array): Float64Array => {
      const w = Float64Array.from(v)
      orthogonaliseInPlace(w, locked)
      return w
    }
    const start = project(Float64Array.from(restarts.normal([n]).data))
    const size = norm(start)
    if (!(size > 1e-8)) break
    scaleInPlace(start, 1 / size)
    const deflated: HessianVectorProduct = (v) => project(hvp(project(v)))
    const worst = pairs[pairs.length - 1].value
    const margin = s.tol * pairs.reduce((m, p) => Math.max(m, Math.abs(p.value)), 0)
    // A candidate that beats the k-th value must converge fully; one clearly behind it only
    // needs a residual below half its distance, which already places an eigenvalue behind.
    const behind = (value: number): number =>
      s.which === 'largest' ? worst - value : s.which === 'smallest' ? value - worst : Math.abs(worst) - Math.abs(value)
    const accept = (value: number, residual: number, scale: number): boolean =>
      residual <= Math.max(s.tol * scale, moreWanted(s.which, value, worst, margin) ? 0 : behind(value) / 2)
    const check = runLanczos(deflated, n, { ...s, k: 1, maxSteps: Math.min(s.maxSteps, n - locked.length), start, seed: s.seed + round, accept })
    products += check.products
    steps += check.steps
    if (!check.converged) return summary(false, check.budgetExhausted)
    const candidate = { value: check.values[0], vector: check.vectors[0], residual: residualNorm(hvp(check.vectors[0]), check.values[0], check.vectors[0]) }
    products++
    if (!moreWanted(s.which, candidate.value, worst, margin)) break
    locked.push(candidate.vector)
    const merged = [...pairs, candidate]
    pairs = select(Float64Array.from(merged, (p) => p.value), s.k, s.which).map((i) => merged[i])
  }
  return summary(true, false)
}
