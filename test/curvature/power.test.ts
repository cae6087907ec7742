import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { lanczos } from '../../src/curvature/lanczos.js'
import { diagonalOperator } from '../../src/curvature/operator.js'
import { type PowerEigenpair, powerIteration, unsafePowerIteration } from '../../src/curvature/power.js'
import { dot, norm2, operatorWithSpectrum } from './helpers.js'

const pairs = (result: E.Either<{ message: string }, readonly PowerEigenpair[]>): readonly PowerEigenpair[] => {
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe('powerIteration', () => {
  // |λ| ratios 8/10, 6/8 and 3/6 make convergence take tens to a few hundred products.
  const spectrum = [10, 8, -6, 3, ...Array.from({ length: 96 }, (_, i) => -2 + (4 * i) / 95)]
  const hvp = operatorWithSpectrum(spectrum, 21)

  it('finds the three eigenvalues of largest magnitude, 10, 8, −6, with deflation', () => {
    const found = pairs(powerIteration(hvp, 100, { k: 3, tol: 1e-10, maxIterations: 5000 }))
    expect(found.map((p) => p.converged)).toEqual([true, true, true])
    expect(found[0].value).toBeCloseTo(10, 8)
    expect(found[1].value).toBeCloseTo(8, 8)
    expect(found[2].value).toBeCloseTo(-6, 8)
    // Each is a unit eigenvector, orthogonal to the others; its residual for H is at most
    // its deflated residual plus those of the pairs before it.
    let earlier = 0
    for (const p of found) {
      expect(norm2(p.vector)).toBeCloseTo(1, 14)
      expect(p.residual).toBeLessThanOrEqual(1e-10 * 10)
      const hv = hvp(p.vector)
      expect(norm2(hv.map((x, i) => x - p.value * p.vector[i]))).toBeLessThanOrEqual(p.residual + earlier + 1e-14)
      earlier += p.residual
    }
    expect(Math.abs(dot(found[0].vector, found[1].vector))).toBeLessThan(1e-9)
  })

  it('agrees with Lanczos on the top eigenvalue', () => {
    const power = pairs(powerIteration(hvp, 100, { tol: 1e-12, maxIterations: 5000 }))[0]
    const l = lanczos(hvp, 100, { which: 'magnitude' })
    expect(E.isRight(l) && l.right.values[0]).toBeCloseTo(power.value, 9)
  })

  it('does not mistake a symmetric saddle (±3) for convergence: λ ≈ 0 is reported as not converged', () => {
    // Eigenvalues ±3 of equal magnitude: the iterate swings between the two
    // eigenvectors, its Rayleigh quotient settles near 0 and stops changing,
    // which would fool a stop on the change in λ. The residual ‖Hv − λv‖ stays ≈ 3.
    const saddle = diagonalOperator([3, -3, 1, -1, 0.5])
    const [p] = pairs(powerIteration(saddle, 5, { maxIterations: 200, start: Float64Array.from([1, 1, 1, 1, 1]) }))
    expect(p.converged).toBe(false)
    expect(p.iterations).toBe(200)
    expect(Math.abs(p.value)).toBeLessThan(0.5)
    expect(p.residual).toBeGreaterThan(2.5)
  })

  it('with tol = 0 uses exactly maxIterations products from the given start', () => {
    let calls = 0
    const counting = (v: Float64Array): Float64Array => {
      calls++
      return hvp(v)
    }
    const start = new Float64Array(100).fill(1)
    const [p] = pairs(powerIteration(counting, 100, { tol: 0, maxIterations: 20, start }))
    expect(calls).toBe(20)
    expect(p.iterations).toBe(20)
    // 20 iterations leave the ratio (8/10)^19 ≈ 0.014 of the second direction in the iterate: not yet 10.
    expect(p.value).toBeGreaterThan(9)
    expect(p.value).toBeLessThan(10)
  })

  it('finds an exact zero eigenvalue with a zero residual', () => {
    const [p] = pairs(powerIteration(diagonalOperator([0, 0, 0]), 3))
    expect(p.value).toBe(0)
    expect(p.converged).toBe(true)
  })

  it('rejects bad options and a broken oracle', () => {
    expect(powerIteration(hvp, 100, { k: 101 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
    expect(powerIteration(hvp, 100, { maxIterations: 0 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
    expect(powerIteration(() => new Float64Array(1), 2)).toEqual(E.left(expect.objectContaining({ code: 'bad-oracle' })))
    expect(() => unsafePowerIteration(hvp, -1)).toThrow(/dimension n must be an integer ≥ 1, got -1/)
  })
})
