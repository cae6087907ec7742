import { describe, expect, it } from 'vitest'
import { hypot2, norm, orthogonaliseInPlace } from '../../src/curvature/vector.js'

describe('vector helpers', () => {
  it('hypot2 and norm neither overflow nor underflow: 3-4-5 triangles at 1e±300', () => {
    expect(hypot2(3, 4)).toBe(5)
    expect(hypot2(3e300, 4e300)).toBeCloseTo(5e300, -285)
    expect(hypot2(3e-300, -4e-300) / 5e-300).toBeCloseTo(1, 14)
    expect(hypot2(0, 0)).toBe(0)
    expect(hypot2(Infinity, 1)).toBe(Infinity)
    expect(norm(Float64Array.of(3e300, 4e300)) / 5e300).toBeCloseTo(1, 14)
    expect(norm(Float64Array.of(3e-300, 4e-300)) / 5e-300).toBeCloseTo(1, 14)
  })

  it('orthogonaliseInPlace removes the components along an orthonormal basis', () => {
    const w = Float64Array.of(1, 2, 3)
    orthogonaliseInPlace(w, [Float64Array.of(1, 0, 0), Float64Array.of(0, Math.SQRT1_2, Math.SQRT1_2)])
    // What is left is along (0, 1, −1)/√2: (0, −0.5, 0.5).
    expect(w[0]).toBe(0)
    expect(w[1]).toBeCloseTo(-0.5, 15)
    expect(w[2]).toBeCloseTo(0.5, 15)
  })
})
