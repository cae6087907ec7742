import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { newtonStep, saddleFreeNewtonStep, unsafeNewtonStep, unsafeSaddleFreeNewtonStep } from '../../src/curvature/newton.js'
import { tensor, zeros } from '../../src/tensor/Tensor.js'
import { rosenbrock, saddle } from './classical.js'

describe('newtonStep', () => {
  it('jumps to the minimiser of a quadratic in one step: f = ½xᵀAx − bᵀx, x* = A⁻¹b', () => {
    // A = [[4, 1], [1, 3]], b = (1, 2): A⁻¹ = [[3, −1], [−1, 4]]/11, x* = (1/11, 7/11).
    const A = tensor([[4, 1], [1, 3]])
    const x = [5, -2]
    const g = [4 * x[0] + x[1] - 1, x[0] + 3 * x[1] - 2]
    const p = unsafeNewtonStep(g, A)
    expect(x[0] + p[0]).toBeCloseTo(1 / 11, 14)
    expect(x[1] + p[1]).toBeCloseTo(7 / 11, 14)
  })

  it('on Rosenbrock at (−1.2, 1) equals the explicit 2×2 inverse of the hand-derived Hessian', () => {
    const g = rosenbrock.gradient(-1.2, 1)
    const [[a, b], [, c]] = rosenbrock.hessian(-1.2, 1)
    const det = a * c - b * b
    const expected = [-(c * g[0] - b * g[1]) / det, -(a * g[1] - b * g[0]) / det]
    const p = unsafeNewtonStep(g, tensor([[a, b], [b, c]]))
    expect(p[0]).toBeCloseTo(expected[0], 12)
    expect(p[1]).toBeCloseTo(expected[1], 12)
  })

  it('walks into the saddle of x² − y² (from (1, 1) to (0, 0)), where the saddle-free step walks away (to (0, 2), f: 0 → −4)', () => {
    const g = saddle.gradient(1, 1) // (2, −2)
    const h = tensor([[2, 0], [0, -2]])
    const newton = unsafeNewtonStep(g, h)
    expect(Array.from(newton)).toEqual([-1, -1])
    const free = unsafeSaddleFreeNewtonStep(g, h)
    // −|H|⁻¹g = −diag(1/2, 1/2)·(2, −2) = (−1, 1).
    expect(Array.from(free)).toEqual([-1, 1])
    expect(saddle.f(1 + free[0], 1 + free[1])).toBe(-4)
  })

  it('equals the saddle-free step when H is positive definite', () => {
    const h = tensor([[802, -400], [-400, 200]])
    const g = [0.3, -0.7]
    const a = unsafeNewtonStep(g, h)
    const b = unsafeSaddleFreeNewtonStep(g, h)
    expect(Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1])).toBeLessThan(1e-12)
  })

  it('says clearly when H is singular, and damping makes the saddle-free step defined', () => {
    const h = tensor([[1, 0], [0, 0]])
    const r = newtonStep([1, 1], h)
    expect(E.isLeft(r) && r.left.code).toBe('singular')
    expect(E.isLeft(r) && r.left.message).toMatch(/newtonStep: the Hessian is singular: eigenvalue 0 of H is within 1e-12 × the largest \(1\)/)
    expect(E.isLeft(saddleFreeNewtonStep([1, 1], h))).toBe(true)
    // (|λ| + 1)⁻¹: (1/2, 1/1).
    const damped = unsafeSaddleFreeNewtonStep([1, 1], h, { damping: 1 })
    expect(Array.from(damped)).toEqual([-0.5, -1])
    expect(E.isLeft(newtonStep([0, 0], zeros([2, 2])))).toBe(true)
  })

  it('rejects mismatched sizes, non-finite gradients, non-symmetric Hessians and bad options', () => {
    expect(newtonStep([1, 2, 3], tensor([[1, 0], [0, 1]]))).toEqual(E.left(expect.objectContaining({ code: 'bad-dimension' })))
    expect(newtonStep([NaN, 0], tensor([[1, 0], [0, 1]]))).toEqual(E.left(expect.objectContaining({ code: 'not-finite' })))
    const asym = newtonStep([1, 0], tensor([[1, 2], [0, 1]]))
    expect(E.isLeft(asym) && asym.left.message).toMatch(/newtonStep \(Hessian\): matrix is not symmetric/)
    expect(saddleFreeNewtonStep([1], tensor([[1]]), { damping: -1 })).toEqual(E.left(expect.objectContaining({ code: 'bad-option' })))
  })
})
