/**
 * First and second derivatives of every op against central finite
 * differences at random points, and closed forms.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as G from '../../src/graph/index.js'
import type { Sym } from '../../src/graph/index.js'
import { type Tensor, arange, fromArray, tensor } from '../../src/tensor/Tensor.js'
import { centralDifference, centralDifferenceVec, dotArrays, expectAllClose, expectClose, scalarOf } from './helpers.js'

fc.configureGlobal({ seed: 20261129, numRuns: 40 })

const vec = (n: number, min: number, max: number) =>
  fc.array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })

/** Each op as a scalar function of a vector of 3, with the domain its derivative is smooth on. */
const unaryCases: Array<[string, (x: Sym) => Sym, number, number]> = [
  ['neg', G.neg, -3, 3],
  ['exp', G.exp, -2, 2],
  ['log', G.log, 0.5, 3],
  ['sin', G.sin, -3, 3],
  ['cos', G.cos, -3, 3],
  ['tan', G.tan, -1.2, 1.2],
  ['sqrt', G.sqrt, 0.5, 4],
  ['tanh', G.tanh, -2, 2],
  ['sigmoid', G.sigmoid, -4, 4],
  ['abs', G.abs, 0.2, 3],
  ['relu', G.relu, 0.2, 3],
  ['softplus', G.softplus, -4, 4],
  ['square', G.square, -3, 3],
  ['powConst 3', (x) => G.powConst(x, 3), -2, 2],
  ['powConst -1.5', (x) => G.powConst(x, -1.5), 0.5, 3]
]

/** Scalar objective that mixes the op's output so that every element matters: Σ wᵢ·opᵢ + ½Σ opᵢ². */
const weigh = (y: Sym): Sym => {
  const w = G.constant(fromArray(y.shape, Array.from({ length: y.size }, (_, i) => 1 + 0.37 * i)))
  return G.add(G.sum(G.mul(y, w)), G.mul(G.sum(G.square(y)), 0.5))
}

const checkFirstAndSecond = (f: (x: Sym) => Sym, xs: number[], t: number[], u: number[], shape = [xs.length]) => {
  const x = fromArray(shape, xs)
  const value = scalarOf(f)
  const g = G.grad(f)(x)
  // gradient along t against a central difference of f
  expectClose(dotArrays(g.data, t), centralDifference(value, x, t, 1e-6), 1e-5, 1e-6)
  // Hessian-vector product against a central difference of the gradient
  const hv = G.hvp(f)(x, fromArray(shape, t))
  expectAllClose(hv.data, centralDifferenceVec(G.grad(f), x, t, 1e-5), 1e-5, 1e-5)
  // both HVP modes agree, and uᵀHt = tᵀHu
  const hv2 = G.hvp(f, { mode: 'reverse-over-reverse' })(x, fromArray(shape, t))
  expectAllClose(hv2.data, hv.data, 1e-10, 1e-10)
  const hu = G.hvp(f)(x, fromArray(shape, u))
  expectClose(dotArrays(u, hv.data), dotArrays(t, hu.data), 1e-9, 1e-9)
}

describe('elementwise unary ops', () => {
  it.each(unaryCases)('%s: gradient and HVP match finite differences', (_, op, lo, hi) => {
    fc.assert(
      fc.property(vec(3, lo, hi), vec(3, -1, 1), vec(3, -1, 1), (xs, t, u) => {
        checkFirstAndSecond((x) => weigh(op(x)), xs, t, u)
      })
    )
  })
})

const binaryCases: Array<[string, (a: Sym, b: Sym) => Sym, number, number]> = [
  ['add', G.add, -3, 3],
  ['sub', G.sub, -3, 3],
  ['mul', G.mul, -3, 3],
  ['div', G.div, 0.5, 3],
  ['pow', G.pow, 0.5, 2]
]

describe('elementwise binary ops with broadcasting', () => {
  it.each(binaryCases)('%s: [2,3] op [3] matches finite differences', (_, op, lo, hi) => {
    fc.assert(
      fc.property(vec(9, lo, hi), vec(9, -1, 1), vec(9, -1, 1), (xs, t, u) => {
        // x holds a [2,3] matrix and a [3] vector, broadcast against each other
        const f = (x: Sym) => weigh(op(x.slice(0, 6).reshape([2, 3]), x.slice(6)))
        checkFirstAndSecond(f, xs, t, u)
      })
    )
  })
})

describe('reductions, structure and linear algebra', () => {
  const cases: Array<[string, (x: Sym) => Sym]> = [
    ['sum over axis 0', (x) => weigh(x.reshape([3, 4]).sum(0))],
    ['sum over axis 1', (x) => weigh(x.reshape([3, 4]).sum(1))],
    ['mean', (x) => weigh(x.reshape([3, 4]).mean([0, 1]).reshape([1]))],
    // spread apart so that no two elements tie (max is not differentiable at a tie)
    ['max over axis 1', (x) => weigh(x.mul(0.1).add(G.constant(arange(12))).reshape([3, 4]).max(1))],
    ['max over all', (x) => G.max(x.mul(0.1).add(G.constant(arange(12)))).mul(G.sum(x))],
    ['logsumexp over axis 1', (x) => weigh(x.reshape([3, 4]).logsumexp(1))],
    ['logsumexp over all', (x) => G.logsumexp(x).mul(G.sum(x))],
    ['transpose', (x) => weigh(x.reshape([3, 4]).transpose().matmul(G.constant(tensor([[1, 2, 3], [0, -1, 2], [1, 1, 1]]))))],
    ['matmul matrix × matrix', (x) => weigh(x.slice(0, 6).reshape([2, 3]).matmul(x.slice(6).reshape([3, 2])))],
    ['matmul matrix × vector', (x) => weigh(x.slice(0, 9).reshape([3, 3]).matmul(x.slice(9)))],
    ['matmul vector × matrix', (x) => weigh(x.slice(0, 3).matmul(x.slice(3).reshape([3, 3])))],
    ['dot', (x) => G.dot(x.slice(0, 6), x.slice(6)).square()],
    ['outer', (x) => weigh(G.outer(x.slice(0, 5), x.slice(5)))],
    ['at', (x) => x.at(3).mul(x.at(-1)).mul(x.reshape([3, 4]).at(1, 2))],
    ['slice with offset', (x) => weigh(x.slice(2, 9).mul(x.slice(0, 7)))],
    ['slice on axis 1', (x) => weigh(x.reshape([3, 4]).slice(1, 3, 1))],
    ['concat', (x) => weigh(G.concat([x.slice(0, 3).square(), x.slice(5), x.slice(0, 2).sin()]))],
    ['concat on axis 1', (x) => weigh(G.concat([x.reshape([3, 4]), x.reshape([3, 4]).slice(0, 1, 1).exp()], 1))],
    ['stack', (x) => weigh(G.stack([x.slice(0, 4), x.slice(4, 8).tanh(), x.slice(8)], 1))],
    ['pad', (x) => weigh(G.pad(x.reshape([3, 4]).square(), [1, 0], [2, 1]))]
  ]
  it.each(cases)('%s: gradient and HVP match finite differences', (_, f) => {
    fc.assert(
      fc.property(vec(12, -1.5, 1.5), vec(12, -1, 1), vec(12, -1, 1), (xs, t, u) => {
        checkFirstAndSecond(f, xs, t, u)
      }),
      { numRuns: 20 }
    )
  })
})

describe('closed forms', () => {
  const rosenbrock = (p: Sym) => {
    const x = p.at(0)
    const y = p.at(1)
    return G.sub(1, x).square().add(y.sub(x.square()).square().mul(100))
  }

  it('Rosenbrock: gradient at (−1.2, 1) is (−215.6, −88); Hessian at (1,1) is [[802,−400],[−400,200]]', () => {
    // ∂f/∂x = −2(1−x) − 400x(y−x²), ∂f/∂y = 200(y−x²)
    const [x, y] = [-1.2, 1]
    const g = G.grad(rosenbrock)(tensor([x, y]))
    expectAllClose(g.data, [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], 1e-14)
    expectAllClose(g.data, [-215.6, -88], 1e-12)
    // ∂²f/∂x² = 2 − 400(y − 3x²), ∂²f/∂x∂y = −400x, ∂²f/∂y² = 200
    const h = G.hessian(rosenbrock)(tensor([1, 1]))
    expect(h.shape).toEqual([2, 2])
    expect(Array.from(h.data)).toEqual([802, -400, -400, 200])
  })

  it('∇ ½‖Ax − b‖² = Aᵀ(Ax − b), and its Hessian is AᵀA', () => {
    const A = tensor([[1, 2, 0], [0, -1, 3], [2, 2, 2], [1, 0, -1]])
    const b = tensor([1, -2, 0.5, 3])
    const x = tensor([0.3, -0.7, 1.1])
    const f = (v: Sym) => G.matmul(A, v).sub(b).square().sum().mul(0.5)
    const r = [0, 1, 2, 3].map((i) => [0, 1, 2].reduce((s, j) => s + A.get(i, j) * x.get(j), 0) - b.get(i))
    const want = [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((s, i) => s + A.get(i, j) * r[i], 0))
    expectAllClose(G.grad(f)(x).data, want, 1e-14)
    const AtA = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((s, k) => s + A.get(k, i) * A.get(k, j), 0)))
    expectAllClose(G.hessian(f)(x).data, AtA, 1e-14)
  })

  it('extended Rosenbrock: HVP equals the tridiagonal Hessian times v', () => {
    const n = 50
    const x = fromArray([n], Array.from({ length: n }, (_, i) => 0.5 + 0.1 * Math.sin(i)))
    const v = fromArray([n], Array.from({ length: n }, (_, i) => Math.cos(i)))
    const f = (z: Sym) => {
      const head = z.slice(0, -1)
      const tail = z.slice(1)
      return tail.sub(head.square()).square().mul(100).add(G.sub(1, head).square()).sum()
    }
    // Hᵢᵢ = 1200xᵢ² − 400xᵢ₊₁ + 2 (i < n−1) + 200 (i > 0); Hᵢ,ᵢ₊₁ = −400xᵢ
    const want = Array.from({ length: n }, (_, i) => {
      let d = i > 0 ? 200 : 0
      if (i < n - 1) d += 1200 * x.data[i] ** 2 - 400 * x.data[i + 1] + 2
      let s = d * v.data[i]
      if (i < n - 1) s += -400 * x.data[i] * v.data[i + 1]
      if (i > 0) s += -400 * x.data[i - 1] * v.data[i - 1]
      return s
    })
    expectAllClose(G.hvp(f)(x, v).data, want, 1e-12, 1e-9)
    expectAllClose(G.hvp(f, { mode: 'reverse-over-reverse' })(x, v).data, want, 1e-12, 1e-9)
  })

  it('softplus and sigmoid stay finite far from zero', () => {
    const f = (x: Sym) => G.softplus(x).sum()
    const x = tensor([-800, 800])
    expect(G.jit(f)(x).item()).toBe(800)
    expect(Array.from(G.grad(f)(x).data)).toEqual([0, 1])
  })

  it('derivatives nest: the third derivative of Σx⁴ is 24x', () => {
    const f = (x: Sym) => G.powConst(x, 4).sum()
    const second = (x: Sym) => G.symGrad((y: Sym) => G.symGrad(f)(y).sum())(x) // 12x²
    expectAllClose(G.jit(second)(tensor([1.5, -2])).data, [27, 48], 1e-14)
    expectAllClose(G.grad((x: Sym) => second(x).sum())(tensor([1.5, -2])).data, [36, -48], 1e-14)
    const [, d3] = G.jvp((x: Sym) => second(x).sum())(tensor([1.5]), tensor([1]))
    expectClose(d3.item(), 36, 1e-14)
    expectClose(G.hessian(f)(tensor([1.5])).item(), 12 * 1.5 ** 2, 1e-14)
  })

})

describe('jacobian, jvp and vjp', () => {
  const f = (x: Sym) => G.concat([x.square(), x.slice(0, 1).mul(x.slice(1, 2)), G.sin(x.slice(2))])

  it('jacobian rows are gradients of each output; jvp is J·t; vjp is Jᵀ·c', () => {
    const x = tensor([0.5, -1, 2])
    const J = G.jacobian(f)(x)
    expect(J.shape).toEqual([5, 3])
    const want = [
      [1, 0, 0],
      [0, -2, 0],
      [0, 0, 4],
      [-1, 0.5, 0],
      [0, 0, Math.cos(2)]
    ].flat()
    expectAllClose(J.data, want, 1e-15)
    const t = [0.3, -0.2, 1]
    const [value, tangent] = G.jvp(f)(x, tensor(t))
    expectAllClose(value.data, [0.25, 1, 4, -0.5, Math.sin(2)], 1e-15)
    expectAllClose(tangent.data, [0, 1, 2, 3, 4].map((i) => dotArrays(want.slice(3 * i, 3 * i + 3), t)), 1e-15)
    const c = [1, 2, 3, 4, 5]
    const [, pullback] = G.vjp(f)(x)
    const back = pullback(tensor(c))
    expectAllClose(back.data, [0, 1, 2].map((j) => [0, 1, 2, 3, 4].reduce((s, i) => s + want[3 * i + j] * c[i], 0)), 1e-15)
  })
})

describe('trees of parameters', () => {
  it('grad of a record returns a record of the same shapes, with data arguments', () => {
    const loss = (p: { w: Sym; b: Sym }, x: Sym, y: Sym) => G.matmul(x, p.w).add(p.b).sub(y).square().mean()
    const x = tensor([[1, 2], [3, 4], [5, 6]])
    const y = tensor([1, 0, -1])
    const p = { w: tensor([0.1, -0.2]), b: tensor(0.3) }
    const g = G.grad(loss)(p, x, y)
    expect(Object.keys(g).sort()).toEqual(['b', 'w'])
    expect(g.w.shape).toEqual([2])
    expect(g.b.shape).toEqual([])
    // residuals rᵢ = xᵢ·w + b − yᵢ; ∂/∂w = (2/3) Σ rᵢ xᵢ; ∂/∂b = (2/3) Σ rᵢ
    const r = [0, 1, 2].map((i) => x.get(i, 0) * 0.1 + x.get(i, 1) * -0.2 + 0.3 - y.get(i))
    expectAllClose(g.w.data, [0, 1].map((j) => (2 / 3) * r.reduce((s, ri, i) => s + ri * x.get(i, j), 0)), 1e-15)
    expectClose(g.b.item(), (2 / 3) * r.reduce((s, ri) => s + ri, 0), 1e-15)
    // the same compiled gradient serves another batch of the same shape
    const y2 = tensor([0, 0, 0])
    const r2 = [0, 1, 2].map((i) => x.get(i, 0) * 0.1 + x.get(i, 1) * -0.2 + 0.3)
    expectClose(G.grad(loss)(p, x, y2).b.item(), (2 / 3) * r2.reduce((s, ri) => s + ri, 0), 1e-15)
  })

  it('arrays of tensors work as trees', () => {
    const f = (ps: Sym[]) => ps[0].mul(ps[1]).sum()
    const g = G.grad(f)([tensor([1, 2]), tensor([3, 4])])
    expect(g.map((t: Tensor) => Array.from(t.data))).toEqual([[3, 4], [1, 2]])
  })
})
