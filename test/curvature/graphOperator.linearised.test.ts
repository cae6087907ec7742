/**
 * hessianOperator evaluates the part of the HVP graph that does not depend on
 * the direction once, at construction: its products must be the bits of the
 * unsplit graph (`hvp`), for functions whose v-dependent part reads matrix
 * products, transposes, reductions, transcendental ops and constants.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { hessianOperator, linearise } from '../../src/curvature/graphOperator.js'
import { type Sym, constant, grad, hvp, jvpGraph, sub, topoOrder, trace, vjpGraph } from '../../src/graph/index.js'
import { inputNode, scalarConstant } from '../../src/graph/build.js'
import { random } from '../../src/tensor/Random.js'
import { Tensor } from '../../src/tensor/Tensor.js'

const extendedRosenbrock = (x: Sym): Sym => {
  const n = x.shape[0]
  const head = x.slice(0, n - 1)
  const tail = x.slice(1, n)
  return tail.sub(head.square()).square().mul(100).add(sub(1, head).square()).sum()
}

/** A 6→5 tanh→1 network on 7 samples, its weights packed into one vector of 41. */
const data = random(11).normal([7, 6])
const targets = random(12).normal([7, 1])
const packedMlp = (theta: Sym): Sym => {
  const w1 = theta.slice(0, 30).reshape([6, 5])
  const b1 = theta.slice(30, 35)
  const w2 = theta.slice(35, 40).reshape([5, 1])
  const b2 = theta.slice(40, 41)
  return constant(data).matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(targets).square().mean()
}

/** xᵀAx/2 + sin(Σx)·exp(x₀): a Hessian with a v-independent matrix part. */
const matrix = random(13).normal([9, 9])
const mixed = (x: Sym): Sym => {
  const col = x.reshape([9, 1])
  const quad = col.transpose().matmul(constant(matrix)).matmul(col).sum().mul(0.5)
  return quad.add(x.sum().sin().mul(x.at(0).exp()))
}

/** Linear: its Hessian is 0 and no output node reads v. */
const linear = (x: Sym): Sym => x.mul(3).sum()

const cases: ReadonlyArray<readonly [string, (x: Sym) => Sym, number]> = [
  ['extended Rosenbrock', extendedRosenbrock, 200],
  ['an MLP loss with packed weights', packedMlp, 41],
  ['a quadratic form plus a transcendental term', mixed, 9],
  ['a linear function', linear, 5]
]

describe('hessianOperator (linearised once)', () => {
  it.each(cases)('gives Hv bit for bit as hvp(f)(x, v) for %s', (_, f, n) => {
    const x = Tensor.unsafeFromBuffer([n], Float64Array.from(random(n).uniform([n], -1, 1).data))
    const op = hessianOperator(f, x)
    if (E.isLeft(op)) throw new Error(op.left.message)
    const reference = hvp(f)
    for (const seed of [1, 2, 3]) {
      const v = Float64Array.from(random(100 + seed).normal([n]).data)
      const got = op.right(v)
      const want = reference(x, Tensor.unsafeFromBuffer([n], v)).data
      expect(got.length).toBe(n)
      for (let i = 0; i < n; i++) expect(Object.is(got[i], want[i]), `element ${i}: ${got[i]} vs ${want[i]}`).toBe(true)
    }
  })

  it('matches central differences of the gradient for the packed MLP', () => {
    const n = 41
    const x = Float64Array.from(random(5).uniform([n], -1, 1).data)
    const v = Float64Array.from(random(6).normal([n]).data)
    const op = hessianOperator(packedMlp, Tensor.unsafeFromBuffer([n], x))
    if (E.isLeft(op)) throw new Error(op.left.message)
    const hv = op.right(v)
    const gradient = grad(packedMlp)
    const eps = 1e-5
    const at = (s: number) => gradient(Tensor.unsafeFromBuffer([n], x.map((xi, i) => xi + s * eps * v[i]))).data
    const plus = at(1)
    const minus = at(-1)
    let scale = 0
    for (const h of hv) scale = Math.max(scale, Math.abs(h))
    for (let i = 0; i < n; i++) expect(Math.abs(hv[i] - (plus[i] - minus[i]) / (2 * eps))).toBeLessThan(1e-7 * scale)
  })

  it('does not read the direction after a product returns, and keeps products independent', () => {
    const n = 9
    const x = Tensor.unsafeFromBuffer([n], Float64Array.from(random(9).uniform([n], -1, 1).data))
    const op = hessianOperator(mixed, x)
    if (E.isLeft(op)) throw new Error(op.left.message)
    const v = Float64Array.from(random(10).normal([n]).data)
    const first = op.right(v)
    const copy = Float64Array.from(first)
    op.right(Float64Array.from(random(11).normal([n]).data))
    expect(Array.from(first)).toEqual(Array.from(copy))
  })

  it('leaves the forward pass (every tanh) and every product of data with x to the fixed part', () => {
    const x = Tensor.unsafeFromBuffer([41], new Float64Array(41).fill(0.1))
    const tr = trace(packedMlp, x)
    const point = tr.graph.inputs[0]
    const v = inputNode(1, x.shape)
    const gradient = vjpGraph(tr.graph.outputs[0], [point], scalarConstant(1))
    const { fixed, perDirection } = linearise(point, v, jvpGraph(gradient, [point], [v]))
    const ops = (outputs: readonly Sym[]) => topoOrder(outputs).map((n) => n.op)
    expect(ops(fixed.outputs)).toContain('tanh')
    expect(ops(perDirection.outputs)).not.toContain('tanh')
    expect(perDirection.inputs).toHaveLength(fixed.outputs.length + 1)
    // the per-direction graph reads only its own inputs and constants
    const own = new Set(perDirection.inputs)
    for (const n of topoOrder(perDirection.outputs)) if (n.op === 'input') expect(own.has(n)).toBe(true)
  })

  it('builds again at a new point of the same shape (from the kept split) with that point\'s Hv', () => {
    const n = 41
    const reference = hvp(packedMlp)
    for (const seed of [21, 22, 23]) {
      const x = Tensor.unsafeFromBuffer([n], Float64Array.from(random(seed).uniform([n], -1, 1).data))
      const op = hessianOperator(packedMlp, x)
      if (E.isLeft(op)) throw new Error(op.left.message)
      const v = Float64Array.from(random(seed + 50).normal([n]).data)
      const want = reference(x, Tensor.unsafeFromBuffer([n], v)).data
      const got = op.right(v)
      for (let i = 0; i < n; i++) expect(Object.is(got[i], want[i])).toBe(true)
    }
  })

  it('keeps nothing for a function that fails: it is a Left every time', () => {
    const bad = (x: Sym) => x.at(7)
    for (let k = 0; k < 2; k++) {
      const r = hessianOperator(bad, Tensor.unsafeFromBuffer([3], new Float64Array(3)))
      expect(E.isLeft(r) && r.left.code).toBe('bad-function')
    }
  })
})
