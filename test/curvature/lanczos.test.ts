import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  extendedRosenbrock,
  extendedRosenbrockGradient,
  extendedRosenbrockHessian,
  extendedRosenbrockHvp,
  impurityPoint
} from '../../bench/curvature.js'
import { symmetricEigenOfArray } from '../../src/curvature/eigen.js'
import { type LanczosResult, lanczos, unsafeLanczos } from '../../src/curvature/lanczos.js'
import { diagonalOperator } from '../../src/curvature/operator.js'
import { random } from '../../src/tensor/Random.js'
import { dot, matVec, maxDiff, norm2, operatorWithSpectrum, symmetricFromUpper } from './helpers.js'

const run = (result: E.Either<{ message: string }, LanczosResult>): LanczosResult => {
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

const relativeErrors = (got: ArrayLike<number>, expected: readonly number[]): number[] =>
  expected.map((x, i) => Math.abs(got[i] - x) / Math.abs(x))

describe('lanczos on a 1,000-dimensional quadratic with a known spectrum', () => {
  const n = 1000
  // Eigenvalues 1, 2, …, 1000, hidden behind three random reflections.
  const spectrum = Array.from({ length: n }, (_, i) => i + 1)
  const hvp = operatorWithSpectrum(spectrum, 11)

  it('finds the top-5 eigenvalues to relative error 1e-8', () => {
    const r = run(lanczos(hvp, n, { k: 5, which: 'largest' }))
    expect(r.converged).toBe(true)
    expect(Math.max(...relativeErrors(r.values, [1000, 999, 998, 997, 996]))).toBeLessThan(1e-8)
    expect(r.steps).toBeLessThan(n)
  })

  it('finds the bottom-5 eigenvalues to relative error 1e-8', () => {
    const r = run(lanczos(hvp, n, { k: 5, which: 'smallest' }))
    expect(r.converged).toBe(true)
    expect(Math.max(...relativeErrors(r.values, [1, 2, 3, 4, 5]))).toBeLessThan(1e-8)
  })

  it('returns orthonormal Ritz vectors whose true residuals are the reported ones and meet the tolerance', () => {
    const r = run(lanczos(hvp, n, { k: 5, which: 'largest', tol: 1e-10 }))
    for (let i = 0; i < 5; i++) {
      const v = r.vectors[i]
      const hv = hvp(v)
      const residual = norm2(hv.map((x, j) => x - r.values[i] * v[j]))
      expect(residual).toBeCloseTo(r.residuals[i], 12)
      expect(residual).toBeLessThanOrEqual(1e-10 * 1000)
      for (let j = 0; j < 5; j++) expect(Math.abs(dot(v, r.vectors[j]) - (i === j ? 1 : 0))).toBeLessThan(1e-12)
    }
  })

  it('reports non-convergence, with the true residuals, when maxSteps is too small', () => {
    const r = run(lanczos(hvp, n, { k: 5, maxSteps: 10 }))
    expect(r.converged).toBe(false)
    expect(r.budgetExhausted).toBe(true)
    expect(r.steps).toBe(10)
    expect(run(lanczos(hvp, n, { k: 5 })).budgetExhausted).toBe(false)
    expect(Math.max(...r.residuals)).toBeGreaterThan(1e-10 * 1000)
  })

  it('is deterministic for a seed, and a different seed agrees on the eigenvalues', () => {
    const op = operatorWithSpectrum(spectrum.slice(0, 200), 12)
    const a = run(lanczos(op, 200, { k: 3, seed: 5 }))
    const b = run(lanczos(op, 200, { k: 3, seed: 5 }))
    const c = run(lanczos(op, 200, { k: 3, seed: 6 }))
    expect(Array.from(a.values)).toEqual(Array.from(b.values))
    expect(maxDiff(a.values, c.values)).toBeLessThan(1e-9)
  })
})

describe('lanczos: which end, saddles and multiplicities', () => {
  it("which: 'magnitude' on a symmetric saddle spectrum ±1…±200 finds 200, −200, 199, −199", () => {
    const spectrum = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : -1) * (Math.floor(i / 2) + 1))
    const r = run(lanczos(operatorWithSpectrum(spectrum, 3), 400, { k: 4, which: 'magnitude' }))
    expect(r.converged).toBe(true)
    // Equal magnitudes tie up to rounding, so compare as sets.
    expect(maxDiff(Array.from(r.values).sort((a, b) => a - b), [-200, -199, 199, 200])).toBeLessThan(1e-8)
    expect(Math.abs(r.values[0])).toBeCloseTo(200, 8)
    expect(Math.abs(r.values[3])).toBeCloseTo(199, 8)
  })

  it('finds a repeated top eigenvalue with its multiplicity (restarting after the Krylov space closes)', () => {
    const d = [10, 10, 10, ...new Array(97).fill(1)]
    const r = run(lanczos(diagonalOperator(d), 100, { k: 5 }))
    expect(r.converged).toBe(true)
    expect(maxDiff(r.values, [10, 10, 10, 1, 1])).toBeLessThan(1e-12)
  })

  it('finds λ = 200 twice among distinct others, where one Krylov space holds only one copy', () => {
    // 200, 200, 199, …, 1 behind random reflections: top-3 is 200, 200, 199 (not 200, 199, 198).
    const spectrum = [200, ...Array.from({ length: 200 }, (_, i) => 200 - i)]
    const hvp = operatorWithSpectrum(spectrum, 5)
    for (const seed of [0, 1, 2]) {
      const r = run(lanczos(hvp, spectrum.length, { k: 3, seed }))
      expect(r.converged).toBe(true)
      expect(maxDiff(r.values, [200, 200, 199])).toBeLessThan(1e-8)
      expect(Math.abs(dot(r.vectors[0], r.vectors[1]))).toBeLessThan(1e-8)
    }
    const smallest = run(lanczos(operatorWithSpectrum([1, ...Array.from({ length: 100 }, (_, i) => i + 1)], 9), 101, { k: 2, which: 'smallest' }))
    expect(maxDiff(smallest.values, [1, 1])).toBeLessThan(1e-8)
  })

  it('handles n = 1 and the zero operator', () => {
    expect(Array.from(run(lanczos(diagonalOperator([-3]), 1)).values)).toEqual([-3])
    const zero = run(lanczos(diagonalOperator(new Array(20).fill(0)), 20, { k: 2 }))
    expect(Array.from(zero.values)).toEqual([0, 0])
    expect(zero.converged).toBe(true)
  })

  it('run to n steps on a random 80×80 matrix it reproduces the dense spectrum: no ghost copies from lost orthogonality', () => {
    const n = 80
    const a = symmetricFromUpper(Array.from(random(31).normal([(n * (n + 1)) / 2]).data), n)
    const dense = symmetricEigenOfArray(a, n)
    if (E.isLeft(dense)) throw new Error(dense.left.message)
    const r = run(lanczos((v) => matVec(a, n, v), n, { k: n, which: 'smallest' }))
    const scale = Math.max(-dense.right.values[0], dense.right.values[n - 1])
    expect(maxDiff(r.values, dense.right.values)).toBeLessThan(1e-12 * scale)
  })

  it('with k = n and maxSteps = n returns the whole spectrum of a small dense operator', () => {
    const spectrum = [-2, -1, 0.5, 3, 7]
    const r = run(lanczos(operatorWithSpectrum(spectrum, 9), 5, { k: 5, which: 'smallest' }))
    expect(maxDiff(r.values, spectrum)).toBeLessThan(1e-13)
  })
})

describe('lanczos on the extended Rosenbrock function', () => {
  it('the analytic gradient and HVP agree with central differences (so the reference below is right)', () => {
    const n = 12
    const x = Float64Array.from(random(4).uniform([n], -1.5, 1.5).data)
    const v = Float64Array.from(random(5).normal([n]).data)
    const h = 1e-5
    const shifted = (s: number): Float64Array => x.map((xi, i) => xi + s * v[i])
    // ⟨∇f, v⟩ ≈ (f(x + hv) − f(x − hv))/2h and H·v ≈ (∇f(x + hv) − ∇f(x − hv))/2h.
    const directional = (extendedRosenbrock(shifted(h)) - extendedRosenbrock(shifted(-h))) / (2 * h)
    expect(dot(extendedRosenbrockGradient(x), v)).toBeCloseTo(directional, 4)
    const gPlus = extendedRosenbrockGradient(shifted(h))
    const gMinus = extendedRosenbrockGradient(shifted(-h))
    const fd = gPlus.map((g, i) => (g - gMinus[i]) / (2 * h))
    const hv = extendedRosenbrockHvp(x)(v)
    expect(maxDiff(hv, fd) / norm2(hv)).toBeLessThan(1e-7)
  })

  it('top-5 in 10,000 dimensions match a dense decomposition of a 200-dimensional instance of the same structure', () => {
    const big = 10_000
    const r = run(lanczos(extendedRosenbrockHvp(impurityPoint(big)), big, { k: 5 }))
    expect(r.converged).toBe(true)
    // The README quotes these counts.
    expect([r.steps, r.products]).toEqual([26, 33])

    const small = 200
    const dense = symmetricEigenOfArray(extendedRosenbrockHessian(impurityPoint(small)), small)
    if (E.isLeft(dense)) throw new Error(dense.left.message)
    const top = Array.from(dense.right.values.slice(-5)).reverse()
    expect(Math.max(...relativeErrors(r.values, top))).toBeLessThan(1e-10)
    // Sanity on the structure: the top eigenvalue sits near the impurity's diagonal 1200·2² − 198 = 4602, above the band ≤ 1802.
    expect(top[0]).toBeGreaterThan(4602)
    expect(top[4]).toBeGreaterThan(1802)
  })
})

describe('lanczos on a clustered spectrum', () => {
  it('says the budget ran out rather than claim the top two of the chained Rosenbrock Hessian at (1, …, 1)', () => {
    // The top two are 1801.99605 and 1801.98421 (0.012 apart); 300 steps cannot separate them.
    const r = run(lanczos(extendedRosenbrockHvp(new Float64Array(1000).fill(1)), 1000, { k: 2, maxSteps: 300 }))
    expect([r.converged, r.budgetExhausted, r.steps, r.products]).toEqual([false, true, 300, 302])
    expect(r.values[0]).toBeLessThan(1801.99605)
  })
})

describe('lanczos errors', () => {
  const hvp = diagonalOperator([1, 2, 3])

  it('rejects bad dimensions and options, naming them', () => {
    expect(lanczos(hvp, 0)).toEqual(E.left(expect.objectContaining({ code: 'bad-dimension' })))
    const k = lanczos(hvp, 3, { k: 4 })
    expect(E.isLeft(k) && k.left.message).toMatch(/lanczos: option k must be an integer ≥ 1 and ≤ 3, got 4/)
    expect(lanczos(hvp, 3, { which: 'top' as never })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
    expect(lanczos(hvp, 3, { tol: -1 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
    const start = lanczos(hvp, 3, { start: new Float64Array(2) })
    expect(E.isLeft(start) && start.left.message).toMatch(/start vector has length 2, expected 3/)
    expect(lanczos(hvp, 3, { start: new Float64Array(3) })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
  })

  it('rejects an oracle that returns the wrong length or a non-finite value', () => {
    const short = lanczos(() => new Float64Array(2), 3)
    expect(E.isLeft(short) && short.left).toEqual({ code: 'bad-oracle', message: expect.stringMatching(/returned 2 values on call 1, expected 3/) })
    const nan = lanczos((v) => v.map(() => NaN), 3)
    expect(E.isLeft(nan) && nan.left.message).toMatch(/non-finite/)
  })

  it('unsafeLanczos throws the message', () => {
    expect(() => unsafeLanczos(hvp, 3, { k: 0 })).toThrow(/option k/)
  })
})
