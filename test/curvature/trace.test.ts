import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { denseOperator, diagonalOperator } from '../../src/curvature/operator.js'
import { type TraceEstimate, hutchinsonTrace, unsafeHutchinsonTrace } from '../../src/curvature/trace.js'
import { fromArray } from '../../src/tensor/Tensor.js'
import { random } from '../../src/tensor/Random.js'
import { symmetricFromUpper } from './helpers.js'

const estimate = (result: E.Either<{ message: string }, TraceEstimate>): TraceEstimate => {
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe('hutchinsonTrace', () => {
  it('is exact with zero standard error on a diagonal operator (zᵢ² = 1 for Rademacher z)', () => {
    const d = Array.from({ length: 50 }, (_, i) => i - 20.5)
    const t = estimate(hutchinsonTrace(diagonalOperator(d), 50, { samples: 7 }))
    expect(t.estimate).toBeCloseTo(d.reduce((s, x) => s + x, 0), 10)
    expect(t.standardError).toBe(0)
    expect(t.samples).toBe(7)
  })

  it('on a dense matrix lands within 4 standard errors of the trace, with the variance 2·Σ_{i≠j} aᵢⱼ² of the theory', () => {
    const n = 60
    const a = symmetricFromUpper(Array.from(random(3).normal([(n * (n + 1)) / 2]).data), n)
    let trace = 0
    let offDiagonalSquares = 0
    for (let i = 0; i < n; i++) {
      trace += a[i * n + i]
      for (let j = 0; j < n; j++) if (i !== j) offDiagonalSquares += a[i * n + j] ** 2
    }
    const op = denseOperator(fromArray([n, n], a))
    if (E.isLeft(op)) throw new Error(op.left.message)
    const samples = 800
    const t = estimate(hutchinsonTrace(op.right, n, { samples, seed: 9 }))
    expect(Math.abs(t.estimate - trace)).toBeLessThan(4 * t.standardError)
    const sampleVariance = t.standardError ** 2 * samples
    expect(sampleVariance / (2 * offDiagonalSquares)).toBeGreaterThan(0.8)
    expect(sampleVariance / (2 * offDiagonalSquares)).toBeLessThan(1.2)
  })

  it('is deterministic for a seed', () => {
    const op = denseOperator(fromArray([2, 2], [1, 2, 2, 3]))
    if (E.isLeft(op)) throw new Error(op.left.message)
    expect(estimate(hutchinsonTrace(op.right, 2, { seed: 4 }))).toEqual(estimate(hutchinsonTrace(op.right, 2, { seed: 4 })))
  })

  it('needs at least 2 samples for a standard error', () => {
    expect(hutchinsonTrace(diagonalOperator([1]), 1, { samples: 1 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
    expect(() => unsafeHutchinsonTrace(() => new Float64Array(3), 2)).toThrow(/returned 3 values/)
  })
})
