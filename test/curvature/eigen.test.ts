import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type SymmetricEigen,
  canonicalSignInPlace,
  mapEigenvalues,
  reconstruct,
  symmetricEigen,
  symmetricEigenOfArray,
  unsafeSymmetricEigen
} from '../../src/curvature/eigen.js'
import { random } from '../../src/tensor/Random.js'
import { fromArray, tensor, zeros } from '../../src/tensor/Tensor.js'
import { dot, frobenius, matVec, maxDiff, norm2, symmetricFromUpper, withSpectrum } from './helpers.js'

const fcParams = { seed: 20261129 }

const decompose = (a: Float64Array, n: number): SymmetricEigen => {
  const result = symmetricEigenOfArray(a, n)
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

/** The three properties every decomposition must have, as numbers: residual, orthonormality, reconstruction. */
const defects = (a: Float64Array, n: number, eig: SymmetricEigen) => {
  let residual = 0
  let orthogonality = 0
  for (let i = 0; i < n; i++) {
    const v = eig.vectors[i]
    const av = matVec(a, n, v)
    residual = Math.max(residual, norm2(av.map((x, j) => x - eig.values[i] * v[j])))
    for (let j = 0; j < n; j++) orthogonality = Math.max(orthogonality, Math.abs(dot(v, eig.vectors[j]) - (i === j ? 1 : 0)))
  }
  const reconstruction = maxDiff(reconstruct(eig).data, a)
  return { residual, orthogonality, reconstruction }
}

const symmetricMatrix = (maxN: number): fc.Arbitrary<{ n: number; a: Float64Array }> =>
  fc.integer({ min: 1, max: maxN }).chain((n) =>
    fc
      .array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: (n * (n + 1)) / 2, maxLength: (n * (n + 1)) / 2 })
      .map((upper) => ({ n, a: symmetricFromUpper(upper, n) }))
  )

describe('symmetricEigen', () => {
  it('diagonalises [[2,1],[1,2]] as by hand: λ = 1, 3 with vectors (1,∓1)/√2', () => {
    const eig = unsafeSymmetricEigen(tensor([[2, 1], [1, 2]]))
    expect(maxDiff(eig.values, [1, 3])).toBeLessThan(1e-15)
    const r = Math.SQRT1_2
    expect(maxDiff(eig.vectors[0], [r, -r])).toBeLessThan(1e-15)
    expect(maxDiff(eig.vectors[1], [r, r])).toBeLessThan(1e-15)
  })

  it('keeps full relative accuracy for both eigenvalues of an ill-conditioned 2×2 (Rosenbrock at (1, 1))', () => {
    // λ₁λ₂ = det = 400 and λ₁ + λ₂ = 1002: λ₂ = 501 + √250601 (no cancellation), λ₁ = 400/λ₂.
    const eig = unsafeSymmetricEigen(tensor([[802, -400], [-400, 200]]))
    const large = 501 + Math.sqrt(250601)
    expect(Math.abs(eig.values[1] - large) / large).toBeLessThan(3e-16)
    expect(Math.abs(eig.values[0] - 400 / large) / (400 / large)).toBeLessThan(5e-16)
  })

  it('handles a 1×1 matrix', () => {
    const eig = unsafeSymmetricEigen(tensor([[-7.5]]))
    expect(Array.from(eig.values)).toEqual([-7.5])
    expect(Array.from(eig.vectors[0])).toEqual([1])
  })

  it('handles the zero matrix: all eigenvalues 0, an orthonormal basis', () => {
    const n = 6
    const eig = unsafeSymmetricEigen(zeros([n, n]))
    expect(Array.from(eig.values)).toEqual(new Array(n).fill(0))
    const d = defects(new Float64Array(n * n), n, eig)
    expect(d.orthogonality).toBeLessThan(1e-15)
  })

  it('handles the empty 0×0 matrix', () => {
    const eig = unsafeSymmetricEigen(zeros([0, 0]))
    expect(eig.values.length).toBe(0)
    expect(eig.vectors.length).toBe(0)
  })

  it('matches the closed form of the tridiagonal Toeplitz matrix tridiag(−1, 2, −1): λₖ = 2 − 2cos(kπ/(n+1))', () => {
    const n = 60
    const a = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1
    }
    const eig = decompose(a, n)
    const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)))
    expect(maxDiff(eig.values, expected)).toBeLessThan(1e-14)
    // Eigenvector k is proportional to sin(i·kπ/(n+1)), i = 1..n; its largest component is positive by convention.
    for (const k of [1, 2, 30, 60]) {
      const s = Array.from({ length: n }, (_, i) => Math.sin(((i + 1) * k * Math.PI) / (n + 1)))
      const v = Float64Array.from(s.map((x) => x / norm2(s)))
      canonicalSignInPlace(v)
      expect(maxDiff(eig.vectors[k - 1], v)).toBeLessThan(1e-12)
    }
  })

  it('finds repeated eigenvalues with their multiplicity and an orthonormal basis of each eigenspace', () => {
    const spectrum = [-3, -3, 1, 1, 1, 1, 2, 5, 5, 5]
    const n = spectrum.length
    const a = withSpectrum(spectrum, 7)
    const eig = decompose(a, n)
    expect(maxDiff(eig.values, spectrum)).toBeLessThan(1e-13)
    const d = defects(a, n, eig)
    expect(d.residual).toBeLessThan(1e-13 * 5)
    expect(d.orthogonality).toBeLessThan(1e-14)
  })

  it('is accurate to 1e-12·‖H‖ on random 200×200 symmetric matrices, with trace and Frobenius norm preserved', () => {
    for (const seed of [1, 2]) {
      const n = 200
      const g = Array.from(random(seed).normal([(n * (n + 1)) / 2]).data)
      const a = symmetricFromUpper(g, n)
      const eig = decompose(a, n)
      const hNorm = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[n - 1]))
      const d = defects(a, n, eig)
      expect(d.residual).toBeLessThanOrEqual(1e-12 * hNorm)
      expect(d.orthogonality).toBeLessThan(1e-12)
      expect(d.reconstruction).toBeLessThan(1e-12 * hNorm)
      // Invariants computed without the decomposition: Σλ = tr A, Σλ² = ‖A‖_F².
      let trace = 0
      for (let i = 0; i < n; i++) trace += a[i * n + i]
      expect(eig.values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 9)
      expect(Math.sqrt(eig.values.reduce((s, x) => s + x * x, 0)) / frobenius(a)).toBeCloseTo(1, 13)
    }
  })

  it('property: residual, orthonormality, reconstruction and ascending order on random symmetric matrices (fast-check)', () => {
    fc.assert(
      fc.property(symmetricMatrix(24), ({ n, a }) => {
        const eig = decompose(a, n)
        const hNorm = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[n - 1]))
        const d = defects(a, n, eig)
        for (let i = 1; i < n; i++) expect(eig.values[i]).toBeGreaterThanOrEqual(eig.values[i - 1])
        expect(d.residual).toBeLessThanOrEqual(1e-12 * hNorm + 1e-300)
        expect(d.orthogonality).toBeLessThan(1e-12)
        expect(d.reconstruction).toBeLessThanOrEqual(1e-12 * hNorm + 1e-300)
      }),
      { ...fcParams, numRuns: 150 }
    )
  })

  it('property: the relative accuracy holds at any scale, from 1e-150 to 1e150 (no overflow or underflow)', () => {
    fc.assert(
      fc.property(symmetricMatrix(10), fc.integer({ min: -150, max: 150 }), ({ n, a }, exponent) => {
        const scaled = a.map((x) => x * 10 ** exponent)
        const eig = decompose(scaled, n)
        const hNorm = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[n - 1]))
        const d = defects(scaled, n, eig)
        expect(d.residual).toBeLessThanOrEqual(1e-12 * hNorm)
        expect(d.orthogonality).toBeLessThan(1e-12)
      }),
      { ...fcParams, numRuns: 100 }
    )
  })

  it('property: matrices with heavily repeated integer spectra are decomposed exactly (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), (spectrum, seed) => {
        const n = spectrum.length
        const a = withSpectrum(spectrum, seed)
        const eig = decompose(a, n)
        const sorted = [...spectrum].sort((x, y) => x - y)
        expect(maxDiff(eig.values, sorted)).toBeLessThan(1e-13)
        expect(defects(a, n, eig).orthogonality).toBeLessThan(1e-13)
      }),
      { ...fcParams, numRuns: 100 }
    )
  })

  it('property: scaling A by c scales the eigenvalues by c (reversing the order when c < 0)', () => {
    fc.assert(
      fc.property(symmetricMatrix(12), fc.double({ min: 0.01, max: 10, noNaN: true }), fc.boolean(), ({ n, a }, size, negative) => {
        const c = negative ? -size : size
        const plain = decompose(a, n)
        const scaled = decompose(a.map((x) => c * x), n)
        const expected = Array.from(plain.values, (x) => c * x).sort((x, y) => x - y)
        const hNorm = Math.max(Math.abs(plain.values[0]), Math.abs(plain.values[n - 1]))
        expect(maxDiff(scaled.values, expected)).toBeLessThanOrEqual(1e-12 * Math.abs(c) * hNorm + 1e-300)
      }),
      { ...fcParams, numRuns: 100 }
    )
  })

  it('makes the sign deterministic: the first largest-magnitude component is positive', () => {
    const eig = unsafeSymmetricEigen(tensor([[0, 0, 0], [0, 1, 0], [0, 0, -4]]))
    expect(Array.from(eig.values)).toEqual([-4, 0, 1])
    expect(Array.from(eig.vectors[0])).toEqual([0, 0, 1])
    expect(Array.from(eig.vectors[1])).toEqual([1, 0, 0])
    expect(Array.from(eig.vectors[2])).toEqual([0, 1, 0])
  })

  it('accepts a Hessian whose asymmetry is rounding, and uses (A + Aᵀ)/2', () => {
    const eig = unsafeSymmetricEigen(tensor([[1, 2 + 1e-15], [2, 1]]))
    // (A + Aᵀ)/2 = [[1, 2], [2, 1]] up to 5e-16: λ = −1, 3.
    expect(eig.values[0]).toBeCloseTo(-1, 14)
    expect(eig.values[1]).toBeCloseTo(3, 14)
  })
})

describe('symmetricEigen errors', () => {
  it('rejects a non-square tensor, naming its shape', () => {
    const r = symmetricEigen(zeros([2, 3]))
    expect(r).toEqual(E.left({ code: 'not-square', message: expect.stringContaining('[2,3]') }))
    expect(symmetricEigen(zeros([4]))).toEqual(E.left(expect.objectContaining({ code: 'not-square' })))
  })

  it('rejects a non-symmetric matrix, naming the entries', () => {
    const r = symmetricEigen(tensor([[1, 2], [3, 4]]))
    expect(E.isLeft(r) && r.left.code).toBe('not-symmetric')
    expect(E.isLeft(r) && r.left.message).toMatch(/entry \[0,1\] = 2 but \[1,0\] = 3/)
  })

  it('rejects a non-finite entry, naming where', () => {
    const r = symmetricEigen(fromArray([2, 2], [1, 0, 0, NaN]))
    expect(E.isLeft(r) && r.left.code).toBe('not-finite')
    expect(E.isLeft(r) && r.left.message).toMatch(/\[1,1\] is NaN/)
    const inf = symmetricEigenOfArray([Infinity], 1)
    expect(E.isLeft(inf) && inf.left.message).toMatch(/\[0,0\] is Infinity/)
  })

  it('rejects a buffer whose length is not n², and a bad tolerance', () => {
    expect(symmetricEigenOfArray([1, 2, 3], 2)).toEqual(E.left(expect.objectContaining({ code: 'not-square' })))
    expect(symmetricEigenOfArray([1], 1.5)).toEqual(E.left(expect.objectContaining({ code: 'bad-dimension' })))
    expect(symmetricEigen(tensor([[1]]), { symmetryTol: -1 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
  })

  it('unsafeSymmetricEigen throws the same message', () => {
    expect(() => unsafeSymmetricEigen(tensor([[1, 2], [3, 4]]))).toThrow(/not symmetric/)
  })
})

describe('mapEigenvalues', () => {
  it('builds |A| and A⁻¹ from the decomposition: A⁻¹·A = I and |A|² = A²', () => {
    const a = tensor([[2, 3], [3, -1]])
    const eig = unsafeSymmetricEigen(a)
    const inverse = mapEigenvalues(eig, (l) => 1 / l).data
    // A⁻¹ of [[2,3],[3,−1]] is [[−1,−3],[−3,2]]/(−2 − 9) = [[1,3],[3,−2]]/11.
    expect(maxDiff(inverse, [1 / 11, 3 / 11, 3 / 11, -2 / 11])).toBeLessThan(1e-15)
    const abs = mapEigenvalues(eig, Math.abs).data
    const absSquared = [abs[0] * abs[0] + abs[1] * abs[2], abs[0] * abs[1] + abs[1] * abs[3], abs[2] * abs[0] + abs[3] * abs[2], abs[2] * abs[1] + abs[3] * abs[3]]
    // A² = [[13, 3], [3, 10]].
    expect(maxDiff(absSquared, [13, 3, 3, 10])).toBeLessThan(1e-13)
  })
})
