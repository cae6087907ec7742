import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { extendedRosenbrockHvp, impurityPoint } from '../../bench/curvature.js'
import { hessianOperator } from '../../src/curvature/graphOperator.js'
import { lanczos } from '../../src/curvature/lanczos.js'
import { type Sym, sub } from '../../src/graph/index.js'
import { random } from '../../src/tensor/Random.js'
import { Tensor } from '../../src/tensor/Tensor.js'
import { maxDiff, norm2 } from './helpers.js'

/** Extended Rosenbrock with graph ops: Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². */
const extendedRosenbrock = (x: Sym): Sym => {
  const n = x.shape[0]
  const head = x.slice(0, n - 1)
  const tail = x.slice(1, n)
  return tail.sub(head.square()).square().mul(100).add(sub(1, head).square()).sum()
}

describe('hessianOperator', () => {
  it('gives the same products as the analytic extended-Rosenbrock HVP (n = 1,000)', () => {
    const n = 1000
    const x = Float64Array.from(random(1).uniform([n], -1.5, 1.5).data)
    const op = hessianOperator(extendedRosenbrock, Tensor.unsafeFromBuffer([n], x))
    if (E.isLeft(op)) throw new Error(op.left.message)
    const analytic = extendedRosenbrockHvp(x)
    for (const seed of [2, 3]) {
      const v = Float64Array.from(random(seed).normal([n]).data)
      const expected = analytic(v)
      expect(maxDiff(op.right(v), expected) / norm2(expected)).toBeLessThan(1e-13)
    }
  })

  it('drives Lanczos to the same top-5 eigenvalues as the analytic HVP in 10,000 dimensions', () => {
    const n = 10_000
    const x = impurityPoint(n)
    const op = hessianOperator(extendedRosenbrock, Tensor.unsafeFromBuffer([n], x))
    if (E.isLeft(op)) throw new Error(op.left.message)
    const viaGraph = lanczos(op.right, n, { k: 5 })
    const viaHand = lanczos(extendedRosenbrockHvp(x), n, { k: 5 })
    if (E.isLeft(viaGraph) || E.isLeft(viaHand)) throw new Error('lanczos failed')
    expect(viaGraph.right.converged).toBe(true)
    expect(maxDiff(viaGraph.right.values, viaHand.right.values) / viaHand.right.values[0]).toBeLessThan(1e-12)
  })

  it('reports a function that does not trace as a Left', () => {
    const r = hessianOperator((x: Sym) => x.at(3), Tensor.unsafeFromBuffer([2], new Float64Array(2)))
    expect(E.isLeft(r) && r.left.code).toBe('bad-function')
  })
})

describe('hessianOperator over a tree', () => {
  it('takes and returns every leaf end to end, as the dense tree Hessian does', () => {
    // f = Σ aᵢ²bᵢ: with leaves a, b the Hessian is [[diag 2b, diag 2a], [diag 2a, 0]].
    const f = (p: { a: Sym; b: Sym }): Sym => p.a.square().mul(p.b).sum()
    const op = hessianOperator(f, { a: Tensor.unsafeFromBuffer([2], Float64Array.from([1, 2])), b: Tensor.unsafeFromBuffer([2], Float64Array.from([3, 4])) })
    if (E.isLeft(op)) throw new Error(op.left.message)
    const dense = [[6, 0, 2, 0], [0, 8, 0, 4], [2, 0, 0, 0], [0, 4, 0, 0]]
    for (let j = 0; j < 4; j++) {
      const e = new Float64Array(4)
      e[j] = 1
      expect(Array.from(op.right(e))).toEqual(dense.map((row) => row[j]))
    }
  })
})
