import { describe, expect, it } from 'vitest'
import { newtonCG, saddleFreeNewton } from '../../src/optim/newton.js'
import { applyUpdates } from '../../src/optim/Optimizer.js'
import { fromArray, tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'
import { flatData, fromTree, quadraticGrad, toTree, x0 } from './helpers.js'

// The quadratic of the helpers: ∇f = Ax − b, H = A (4×4, positive definite).
const A = [
  [4, 1, 0, 0],
  [1, 3, 0.5, 0],
  [0, 0.5, 2, 0.2],
  [0, 0, 0.2, 1]
]
const matVec = (m: number[][], v: readonly number[]): number[] => m.map((row) => row.reduce((s, a, j) => s + a * v[j], 0))
const hvpOf = (m: number[][]) => (_params: TensorTree, v: TensorTree): TensorTree => toTree(matVec(m, fromTree(v)))

describe('newtonCG', () => {
  it('reaches the minimum of a quadratic in one step', () => {
    const opt = newtonCG({ hvp: hvpOf(A) })
    const p = toTree(x0)
    const [s, u] = opt.step(opt.init(p), toTree(quadraticGrad(x0)), p)
    const x = fromTree(applyUpdates(p, u))
    quadraticGrad(x).forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-12))
    expect(s.stop).toBe('converged')
    expect(s.iterations).toBeLessThanOrEqual(4)
  })
  it('with damping λ solves (A + λI)p = −g', () => {
    const opt = newtonCG({ hvp: hvpOf(A), damping: 2 })
    const p = toTree(x0)
    const g = quadraticGrad(x0)
    const [, u] = opt.step(opt.init(p), toTree(g), p)
    const step = fromTree(u)
    const residual = matVec(A, step).map((v, i) => v + 2 * step[i] + g[i])
    residual.forEach((r) => expect(Math.abs(r)).toBeLessThan(1e-10))
  })
  it('stays inside the trust region', () => {
    const opt = newtonCG({ hvp: hvpOf(A), radius: 0.1 })
    const p = toTree(x0)
    const [s, u] = opt.step(opt.init(p), toTree(quadraticGrad(x0)), p)
    expect(Math.hypot(...fromTree(u))).toBeCloseTo(0.1, 12)
    expect(s.stop).toBe('boundary')
  })
  it('goes to the boundary along negative curvature (f = x² − y² at (0, 1))', () => {
    const H = [[2, 0], [0, -2]]
    const opt = newtonCG({ hvp: (_p, v) => fromArray([2], matVec(H, flatData(v))), radius: 0.5 })
    const p = tensor([0, 1])
    const [s, u] = opt.step(opt.init(p), tensor([0, -2]), p)
    expect(s.stop).toBe('negative-curvature')
    expect(flatData(u)[0]).toBeCloseTo(0, 15)
    expect(flatData(u)[1]).toBeCloseTo(0.5, 15)
  })
})

describe('saddleFreeNewton', () => {
  it('moves away from the saddle of x² − y² where Newton would move towards it', () => {
    // At (1, 0.5): g = (2, −1), |H| = 2I, step = −(1, −0.5): x → 0, y → 1.
    const opt = saddleFreeNewton({ hessian: () => tensor([[2, 0], [0, -2]]), damping: 0 })
    const p = tensor([1, 0.5])
    const [, u] = opt.step(opt.init(p), tensor([2, -1]), p)
    expect(flatData(applyUpdates(p, u))).toEqual([0, 1])
  })
  it('equals Newton on a positive-definite quadratic', () => {
    // One leaf, so the flatten order is the order of A's rows.
    const opt = saddleFreeNewton({ hessian: () => tensor(A), damping: 0 })
    const p = fromArray([4], x0)
    const [, u] = opt.step(opt.init(p), fromArray([4], quadraticGrad(x0)), p)
    quadraticGrad(flatData(applyUpdates(p, u))).forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-12))
  })
  it('reports a singular Hessian', () => {
    const opt = saddleFreeNewton({ hessian: () => tensor([[1, 0], [0, 0]]), damping: 0 })
    expect(() => opt.step(opt.init(tensor([0, 0])), tensor([1, 1]), tensor([0, 0]))).toThrow(/saddleFreeNewton: .*singular/)
  })
})
