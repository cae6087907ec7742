import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type SpectralDensity, smoothDensity, spectralDensity, traceOf } from '../../src/curvature/density.js'
import { diagonalOperator } from '../../src/curvature/operator.js'
import { hutchinsonTrace } from '../../src/curvature/trace.js'
import { random } from '../../src/tensor/Random.js'
import { dot, operatorWithSpectrum } from './helpers.js'

const density = (result: E.Either<{ message: string }, SpectralDensity>): SpectralDensity => {
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

/** Total weight of the nodes within 1e-9 of each value. */
const weightAt = (d: SpectralDensity, values: readonly number[]): number[] =>
  values.map((v) => d.nodes.reduce((s, t, k) => (Math.abs(t - v) < 1e-9 ? s + d.weights[k] : s), 0))

describe('spectralDensity (stochastic Lanczos quadrature)', () => {
  // Three eigenvalues with multiplicities 300, 200, 500.
  const groups = [1, 2, 5]
  const spectrum = [...new Array(300).fill(1), ...new Array(200).fill(2), ...new Array(500).fill(5)]

  it('recovers the exact multiplicity fractions 0.3, 0.2, 0.5 of a diagonal operator', () => {
    // With the standard basis as eigenvectors a Rademacher probe z/√n puts weight Σ zᵢ²/n = count/n on each group, exactly.
    const d = density(spectralDensity(diagonalOperator(spectrum), 1000, { probes: 4 }))
    expect(weightAt(d, groups).map((w) => +w.toFixed(12))).toEqual([0.3, 0.2, 0.5])
    // The Krylov space closes after 3 steps, so each probe gives exactly 3 nodes.
    expect(d.nodes.length).toBe(12)
  })

  it('estimates the fractions of a rotated operator within sampling error, and the weights sum to 1', () => {
    const d = density(spectralDensity(operatorWithSpectrum(spectrum, 8), 1000, { probes: 10 }))
    const w = weightAt(d, groups)
    expect(Math.abs(w[0] - 0.3)).toBeLessThan(0.03)
    expect(Math.abs(w[1] - 0.2)).toBeLessThan(0.03)
    expect(Math.abs(w[2] - 0.5)).toBeLessThan(0.03)
    expect(d.weights.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12)
  })

  it('is a Gauss quadrature: Σ wθ·n is Hutchinson’s estimate with the same probes, Σ wθ²·n the mean ‖Hz‖²', () => {
    const n = 300
    const spread = Array.from({ length: n }, (_, i) => Math.cos(i) * 10 + i / 30)
    const hvp = operatorWithSpectrum(spread, 2)
    const d = density(spectralDensity(hvp, n, { probes: 6, steps: 12, seed: 17 }))
    const h = hutchinsonTrace(hvp, n, { samples: 6, seed: 17 })
    expect(E.isRight(h) && h.right.estimate).toBeCloseTo(traceOf(d, (t) => t), 8)
    // Degree 2 < 2·12: the quadrature is exact for zᵀH²z = ‖Hz‖².
    const rng = random(17)
    let second = 0
    for (let p = 0; p < 6; p++) {
      const z = Float64Array.from(rng.rademacher([n]).data)
      const hz = hvp(z)
      second += dot(hz, hz) / 6
    }
    expect(traceOf(d, (t) => t * t) / second).toBeCloseTo(1, 10)
  })

  it('smoothDensity integrates to 1', () => {
    const d = density(spectralDensity(operatorWithSpectrum(spectrum, 8), 1000, { probes: 3 }))
    const grid = Array.from({ length: 2001 }, (_, i) => -2 + (i * 10) / 2000)
    const phi = smoothDensity(d, grid, 0.1)
    const integral = phi.reduce((s, x) => s + x, 0) * (10 / 2000)
    expect(integral).toBeCloseTo(1, 6)
  })

  it('rejects bad options', () => {
    expect(spectralDensity(diagonalOperator([1, 2]), 2, { steps: 0 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
    expect(spectralDensity(diagonalOperator([1, 2]), 2, { probes: 1.5 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
  })
})
