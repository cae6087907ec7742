/**
 * The ops added with the op table: each one's gradient and Hessian-vector
 * product against central differences away from kinks, against closed forms
 * and PyTorch 1.13's conventions at them (values from /usr/bin/python3 with
 * torch 1.13, float64), and compiled against interpreted bit for bit.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as G from '../../src/graph/index.js'
import type { Sym } from '../../src/graph/index.js'
import { erf, sigmoid as sigmoidScalar, tanh as tanhScalar } from '../../src/graph/primitives.js'
import { compileGraph } from '../../src/eval/compile.js'
import { interpret } from '../../src/eval/interpret.js'
import { Tensor, tensor } from '../../src/tensor/Tensor.js'
import { centralDifference, centralDifferenceVec, expectAllClose, expectClose } from './helpers.js'

/** The elements, with −0 read as 0 (the tests of signed zeros use Object.is). */
const arr = (t: Tensor): number[] => Array.from(t.data, (v) => v + 0)

/** The function's graph, compiled and interpreted, and its gradient graph likewise, must agree bit for bit. */
const expectCompiledEqualsInterpreted = (f: (x: Sym) => Sym, x: Tensor): void => {
  const t = G.trace(f, x)
  const [compiled] = compileGraph(t.graph)([x])
  const [interpreted] = interpret(t.graph, [x])
  expect(Array.from(compiled)).toEqual(Array.from(interpreted.data))
  const out = t.graph.outputs[0]
  const grads = G.vjpGraph(out, [t.graph.inputs[0]], G.broadcastTo(1, out.shape))
  const gg = { inputs: t.graph.inputs, outputs: grads }
  expect(Array.from(compileGraph(gg)([x])[0])).toEqual(Array.from(interpret(gg, [x])[0].data))
}

/** Gradient and HVP of sum(f(x)) against central differences along a fixed direction. */
const expectDerivativesMatchDifferences = (f: (x: Sym) => Sym, x: Tensor, rtol = 1e-6): void => {
  const loss = (v: Sym): Sym => f(v).sum()
  const value = G.jit(loss)
  const gradient = G.grad(loss)
  const direction = x.data.map((_, i) => (i % 2 === 0 ? 1 : -0.5))
  const g = gradient(x)
  let dot = 0
  g.data.forEach((gi, i) => {
    dot += gi * direction[i]
  })
  expectClose(dot, centralDifference((v) => value(v).item(), x, direction, 1e-6), rtol, rtol)
  const hv = G.hvp(loss)(x, Tensor.unsafeFromBuffer(x.shape, Float64Array.from(direction)))
  expectAllClose(hv.data, centralDifferenceVec(gradient, x, direction, 1e-5), 1e-5, 1e-5)
}

describe('elementwise functions', () => {
  const cases: [string, (x: Sym) => Sym, number[]][] = [
    ['atan', G.atan, [-2, -0.3, 0.4, 3]],
    ['asin', G.asin, [-0.9, -0.2, 0.3, 0.7]],
    ['acos', G.acos, [-0.9, -0.2, 0.3, 0.7]],
    ['sinh', G.sinh, [-2, -0.3, 0.4, 3]],
    ['cosh', G.cosh, [-2, -0.3, 0.4, 3]],
    ['asinh', G.asinh, [-2, -0.3, 0.4, 3]],
    ['log1p', G.log1p, [-0.5, 1e-3, 0.4, 3]],
    ['expm1', G.expm1, [-2, -1e-3, 0.4, 3]],
    ['erf', G.erf, [-2, -0.3, 0.4, 1.7]],
    ['sigmoid', G.sigmoid, [-30, -0.3, 0.4, 3]],
    ['huber', (x) => G.huber(x, 1.5), [-3, -0.3, 0.4, 2]],
    ['clip', (x) => G.clip(x, -1, 0.5), [-3, -0.3, 0.4, 2]],
    ['minimum', (x) => G.minimum(x, G.mul(x, x)), [-3, 0.3, 0.6, 2]],
    ['maximum', (x) => G.maximum(x, G.mul(x, x)), [-3, 0.3, 0.6, 2]],
    ['where', (x) => G.where(G.greater(x, 0), G.sqrt(x), G.neg(x)), [-3, -0.3, 0.4, 2]],
    ['softmax', (x) => G.softmax(x).mul(x), [-1, 0.3, 0.4, 2]],
    ['logSoftmax', (x) => G.logSoftmax(x).mul(G.sin(x)), [-1, 0.3, 0.4, 2]]
  ]
  it.each(cases)('%s: gradient and HVP match central differences away from kinks', (_, f, xs) => {
    expectDerivativesMatchDifferences(f, tensor(xs))
  })
  it.each(cases)('%s: compiled and interpreted agree bit for bit, value and gradient', (_, f, xs) => {
    expectCompiledEqualsInterpreted(f, tensor([...xs, 0, -0, 1, -1, Infinity, -Infinity, NaN]))
  })

  it('the derivatives are the closed forms', () => {
    const x = 0.3
    const at = (f: (v: Sym) => Sym): number => G.grad((v: Sym) => f(v).sum())(tensor([x])).data[0]
    expectClose(at(G.atan), 1 / (1 + x * x), 1e-15)
    expectClose(at(G.asin), 1 / Math.sqrt(1 - x * x), 1e-15)
    expectClose(at(G.acos), -1 / Math.sqrt(1 - x * x), 1e-15)
    expectClose(at(G.sinh), Math.cosh(x), 1e-15)
    expectClose(at(G.cosh), Math.sinh(x), 1e-15)
    expectClose(at(G.asinh), 1 / Math.sqrt(1 + x * x), 1e-15)
    expectClose(at(G.log1p), 1 / (1 + x), 1e-15)
    expectClose(at(G.expm1), Math.exp(x), 1e-15)
    expectClose(at(G.erf), (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x), 1e-15)
  })
})

describe('kinks: PyTorch 1.13 subgradient conventions', () => {
  const grad1 = (f: (v: Sym) => Sym, x: number): number => G.grad((v: Sym) => f(v).sum())(tensor([x])).data[0]
  const grads = (f: (...v: Sym[]) => Sym, ...xs: number[]): number[] =>
    arr(G.grad((v: Sym) => f(...xs.map((_, i) => v.at(i))))(tensor(xs)))

  it('abs′(0) = relu′(0) = sign′(0) = 0', () => {
    expect([grad1(G.abs, 0), grad1(G.relu, 0), grad1(G.sign, 0)]).toEqual([0, 0, 0])
  })

  it('clip passes the gradient to x at both bounds, to lo below and to hi above (torch.clamp)', () => {
    // torch: clamp(x, lo, hi).backward() at x = lo, x = hi, x < lo, x > hi: [1,0,0], [1,0,0], [0,1,0], [0,0,1]
    expect(grads((x, lo, hi) => G.clip(x, lo, hi), 0, 0, 1)).toEqual([1, 0, 0])
    expect(grads((x, lo, hi) => G.clip(x, lo, hi), 1, 0, 1)).toEqual([1, 0, 0])
    expect(grads((x, lo, hi) => G.clip(x, lo, hi), -1, 0, 1)).toEqual([0, 1, 0])
    expect(grads((x, lo, hi) => G.clip(x, lo, hi), 2, 0, 1)).toEqual([0, 0, 1])
    expect(G.jit((v: Sym) => G.clip(v, 0, 1))(tensor([-1, 0.5, 3, NaN])).data).toEqual(Float64Array.from([0, 0.5, 1, NaN]))
  })

  it('minimum and maximum split a tie half and half (torch.minimum, torch.maximum)', () => {
    expect(grads(G.maximum, 1, 1)).toEqual([0.5, 0.5])
    expect(grads(G.minimum, 1, 1)).toEqual([0.5, 0.5])
    expect(grads(G.maximum, 2, 1)).toEqual([1, 0])
    expect(grads(G.minimum, 2, 1)).toEqual([0, 1])
  })

  it('huber: the derivative at |x| = δ is ±δ from both sides, and the second derivative is 1 inside, 0 outside', () => {
    // torch: huber_loss(x, 0, delta=1) at x = 1 has gradient 1; delta = 2 at x = 2.5 has gradient 2
    expect(grad1((v) => G.huber(v, 1), 1)).toBe(1)
    expect(grad1((v) => G.huber(v, 2), 2.5)).toBe(2)
    expect(G.jit((v: Sym) => G.huber(v, 2))(tensor([1, -3])).data).toEqual(Float64Array.from([0.5, 4]))
    const h = G.hessian((v: Sym) => G.huber(v, 1).sum())(tensor([0.5, 3]))
    expect(arr(h)).toEqual([1, 0, 0, 0])
    expect(() => G.huber(G.constant(1), 0)).toThrow(/delta must be a positive/)
  })

  it('pow at base 0 masks its gradient as PyTorch does', () => {
    // torch: d(a^b) at (0, 2) = [0, 0]; (0, 0.5) = [inf, 0]; (0, 0) = [0, 0]; (0, −1) = [−inf, −inf]; (−2, 2) = [−4, nan]
    const pow = (a: Sym, b: Sym): Sym => G.pow(a, b)
    expect(grads(pow, 0, 2)).toEqual([0, 0])
    expect(grads(pow, 0, 0.5)).toEqual([Infinity, 0])
    expect(grads(pow, 0, 0)).toEqual([0, 0])
    expect(grads(pow, 0, -1)).toEqual([-Infinity, -Infinity])
    expect(grads(pow, -2, 2)).toEqual([-4, NaN])
  })
})

describe('where and comparisons', () => {
  it('comparisons are 0/1 masks, NaN compares false except !=', () => {
    const x = tensor([1, 2, NaN])
    const y = tensor([2, 2, 2])
    const run = (f: (a: Sym, b: Sym) => Sym): number[] => arr(G.jit((a: Sym, b: Sym) => f(a, b))(x, y))
    expect(run(G.less)).toEqual([1, 0, 0])
    expect(run(G.lessEqual)).toEqual([1, 1, 0])
    expect(run(G.greater)).toEqual([0, 0, 0])
    expect(run(G.greaterEqual)).toEqual([0, 1, 0])
    expect(run(G.equal)).toEqual([0, 1, 0])
    expect(run(G.notEqual)).toEqual([1, 0, 1])
  })

  it('where(x > 0, sqrt(x), −x) at x = −1: value 1, gradient −1, no NaN from the branch not taken, at any order', () => {
    const f = (v: Sym): Sym => G.where(G.greater(v, 0), G.sqrt(v), G.neg(v)).sum()
    const x = tensor([-1, 4])
    expect(arr(G.jit(f)(x))).toEqual([1 + 2])
    expect(arr(G.grad(f)(x))).toEqual([-1, 0.25])
    expect(arr(G.hvp(f)(x, tensor([1, 1])))).toEqual([0, -1 / 32])
    expect(arr(G.hvp(f, { mode: 'reverse-over-reverse' })(x, tensor([1, 1])))).toEqual([0, -1 / 32])
    expect(arr(G.jvp(f)(x, tensor([1, 1]))[1])).toEqual([-1 + 0.25])
    expect(arr(G.hessian(f)(x))).toEqual([0, 0, 0, -1 / 32])
  })

  it('a hinge written with where and maximum has the subgradient of its chosen branch', () => {
    const hinge = (v: Sym): Sym => G.maximum(G.sub(1, v), 0).sum()
    expect(arr(G.grad(hinge)(tensor([0.5, 2])))).toEqual([-1, 0])
  })

  it('rejects shapes that do not broadcast, naming them', () => {
    expect(() => G.where(G.constant(tensor([1, 0])), G.constant(tensor([1, 2, 3])), 0)).toThrow(/where: shapes \[2\], \[3\] and \[\] do not broadcast/)
  })
})

describe('softmax, logSoftmax, crossEntropy', () => {
  it('crossEntropy of integer labels: value and gradient as torch.nn.functional.cross_entropy', () => {
    const logits = tensor([[1, 2, 3], [0.5, -1, 2]])
    const labels = tensor([2, 0])
    const f = (z: Sym, y: Sym): Sym => G.crossEntropy(z, y)
    expectClose(G.jit(f)(logits, labels).item(), 1.0744586305507688, 1e-15)
    expectAllClose(G.grad(f)(logits, labels).data, [
      0.04501528658519022, 0.12236423552739882, -0.1673795221125891,
      -0.41235480392998164, 0.019556286635343725, 0.39279851729463794
    ], 1e-14, 1e-16)
  })

  it('crossEntropy checks constant labels and shapes', () => {
    const z = G.constant(tensor([[1, 2, 3]]))
    expect(() => G.crossEntropy(z, G.constant(tensor([3])))).toThrow(/label 0 is 3, not an integer class in 0..2/)
    expect(() => G.crossEntropy(z, G.constant(tensor([0.5])))).toThrow(/not an integer class/)
    expect(() => G.crossEntropy(z, G.constant(tensor([0, 1])))).toThrow(/labels must have shape \[1\]/)
  })

  it('softmax sums to 1 along its axis and is exp(logSoftmax)', () => {
    const x = tensor([[1, 2, 3], [-1000, 0, 1000]])
    const s = G.jit((v: Sym) => G.softmax(v, 1))(x)
    expectAllClose(s.data, [0.09003057317038046, 0.24472847105479767, 0.6652409557748219, 0, 0, 1], 1e-15, 1e-300)
    expect(arr(G.jit((v: Sym) => G.logSoftmax(v, 0))(tensor([0, 0])))).toEqual([-Math.LN2, -Math.LN2])
  })

  it('logsumexp at ±∞ is ±∞ as in PyTorch, not NaN', () => {
    const lse = G.jit((v: Sym) => G.logsumexp(v))
    expect(lse(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity)
    expect(lse(tensor([Infinity, 1])).item()).toBe(Infinity)
    expectClose(lse(tensor([1000, 1000])).item(), 1000 + Math.LN2, 1e-16)
    expectAllClose(G.grad((v: Sym) => G.logsumexp(v))(tensor([0, Math.log(3)])).data, [0.25, 0.75], 1e-15)
  })
})

describe('erf and sigmoid: one forward for every evaluator', () => {
  // mpmath.erf at 200 bits, rounded to float64
  const reference: [number, number][] = [
    [1e-8, 1.1283791670955126e-8], [0.1, 0.1124629160182849], [0.3, 0.3286267594591274], [0.7, 0.6778011938374184],
    [1.0, 0.8427007929497149], [1.4, 0.9522851197626488], [1.5, 0.9661051464753108], [1.7, 0.9837904585907745],
    [2.0, 0.9953222650189527], [2.5, 0.999593047982555], [3.0, 0.9999779095030014], [4.0, 0.9999999845827421],
    [5.5, 0.9999999999999927], [5.9, 0.9999999999999999]
  ]
  const ulp = (x: number): number => {
    const b = new Float64Array([Math.abs(x)])
    const i = new BigInt64Array(b.buffer)
    i[0] += 1n
    return b[0] - Math.abs(x)
  }
  it('erf is within 2 ulp of mpmath, odd, and ±1 at ±∞', () => {
    for (const [x, want] of reference) {
      expect(Math.abs(erf(x) - want) / ulp(want)).toBeLessThanOrEqual(2)
      expect(erf(-x)).toBe(-erf(x))
    }
    expect([erf(Infinity), erf(-Infinity), erf(10)]).toEqual([1, -1, 1])
    expect(Object.is(erf(-0), -0)).toBe(true)
    expect(erf(NaN)).toBeNaN()
  })

  // mpmath.tanh at 200 bits, rounded to float64
  const tanhReference: [number, number][] = [
    [1e-300, 1e-300], [5e-324, 5e-324], [1e-17, 1e-17], [1e-09, 1e-09], [1e-05, 9.999999999666668e-06], [0.001, 0.0009999996666668],
    [0.01, 0.00999966667999946], [0.1, 0.09966799462495582], [0.25, 0.24491866240370913], [0.3466, 0.3333568084333619],
    [0.5, 0.46211715726000974], [0.55, 0.5005202111902353], [0.7, 0.6043677771171635], [0.9, 0.7162978701990245],
    [0.999, 0.76117386166057], [1.0, 0.7615941559557649], [1.25, 0.8482836399575129], [1.5, 0.9051482536448664],
    [2.0, 0.9640275800758169], [2.5, 0.9866142981514303], [3.0, 0.9950547536867305], [3.177, 0.9965264949080462],
    [4.0, 0.999329299739067], [5.0, 0.9999092042625951], [7.5, 0.9999993881955461], [10.0, 0.9999999958776927],
    [15.0, 0.9999999999998128], [18.0, 0.9999999999999996], [19.06, 0.9999999999999999], [20.0, 1.0], [21.9, 1.0]
  ]
  it('tanh is within 2 ulp of mpmath, odd, ±0 at ±0 and ±1 from 22 on', () => {
    for (const [x, want] of tanhReference) {
      expect(Math.abs(tanhScalar(x) - want) / ulp(want)).toBeLessThanOrEqual(2)
      expect(tanhScalar(-x)).toBe(-tanhScalar(x))
    }
    expect([tanhScalar(22), tanhScalar(1e300), tanhScalar(Infinity), tanhScalar(-Infinity)]).toEqual([1, 1, 1, -1])
    expect(Object.is(tanhScalar(0), 0) && Object.is(tanhScalar(-0), -0)).toBe(true)
    expect(tanhScalar(NaN)).toBeNaN()
  })

  it('tanh agrees with Math.tanh to 2 ulp on a dense grid, and every evaluator computes the same bits', () => {
    const xs = Array.from({ length: 4001 }, (_, i) => (i - 2000) / 100) // −20 … 20
    for (const x of xs) expect(Math.abs(tanhScalar(x) - Math.tanh(x))).toBeLessThanOrEqual(4 * ulp(Math.tanh(x)))
    const t = tensor(xs)
    const want = xs.map(tanhScalar)
    expect(arr(G.jit((v: Sym) => G.tanh(v))(t))).toEqual(want)
    expect(arr(G.jit((v: Sym) => G.tanh(v.mul(1)))(t))).toEqual(want)
    // the derivative reads the same forward: 1 − tanh²
    expect(arr(G.grad((v: Sym) => G.tanh(v).sum())(t))).toEqual(want.map((y) => 1 - y * y))
    expectCompiledEqualsInterpreted((v) => G.tanh(v.mul(3)).mul(v), t)
  })

  it('sigmoid(−720) is e^−720 on the graph (compiled and interpreted) and in the scalar forward', () => {
    const x = tensor([-720, -709.5, 0, 40])
    const want = [Math.exp(-720), sigmoidScalar(-709.5), 0.5, 1]
    expect(want[0]).toBeGreaterThan(0)
    expect(arr(G.jit((v: Sym) => G.sigmoid(v))(x))).toEqual(want)
  })
})

describe('stopGradient', () => {
  const f = (v: Sym): Sym => G.mul(G.square(v), G.stopGradient(v)).sum() // x²·sg(x): ∇ = 2x·x, H = 2x
  it('passes the value and stops the derivative in every mode and at every order', () => {
    const x = tensor([3])
    expect(G.jit(f)(x).item()).toBe(27)
    expect(arr(G.grad(f)(x))).toEqual([18])
    expect(arr(G.hvp(f)(x, tensor([1])))).toEqual([6])
    expect(arr(G.hvp(f, { mode: 'reverse-over-reverse' })(x, tensor([1])))).toEqual([6])
    expect(arr(G.hessian(f)(x))).toEqual([6])
    expect(G.jvp(f)(x, tensor([1]))[1].item()).toBe(18)
    expect(arr(G.grad((v: Sym) => G.stopGradient(v).sum())(x))).toEqual([0])
    expect(G.jvp((v: Sym) => G.stopGradient(v).sum())(x, tensor([1]))[1].item()).toBe(0)
  })
})

describe('customVjp', () => {
  it('a straight-through estimator: sign forward, identity backward', () => {
    const ste = G.customVjp((x: Sym) => G.sign(x), ({ cotangent }) => cotangent)
    const f = (v: Sym): Sym => ste(v).mul(tensor([2, 3])).sum()
    expect(arr(G.jit((v: Sym) => ste(v))(tensor([-0.5, 2])))).toEqual([-1, 1])
    expect(arr(G.grad(f)(tensor([-0.5, 2])))).toEqual([2, 3])
    // forward mode transposes the (linear) rule
    expect(G.jvp(f)(tensor([-0.5, 2]), tensor([1, 1]))[1].item()).toBe(5)
  })

  it('grad, hvp and hessian honour a rule that differs from the true derivative', () => {
    // value x², declared derivative 3x: grad 3x, Hessian 3 (not 2)
    const odd = G.customVjp((x: Sym) => G.square(x), ({ inputs: [x], cotangent }) => G.mul(cotangent, G.mul(x, 3)))
    const f = (v: Sym): Sym => odd(v).sum()
    expect(arr(G.grad(f)(tensor([2])))).toEqual([6])
    expect(arr(G.hvp(f)(tensor([2]), tensor([1])))).toEqual([3])
    expect(arr(G.hvp(f, { mode: 'reverse-over-reverse' })(tensor([2]), tensor([1])))).toEqual([3])
    expect(arr(G.hessian(f)(tensor([2])))).toEqual([3])
    // the rule reaches through an outer function: d(odd(x)²)/dx = 2·x²·3x
    expect(arr(G.grad((v: Sym) => G.square(odd(v)).sum())(tensor([2])))).toEqual([48])
    expect(arr(G.hessian((v: Sym) => G.square(odd(v)).sum())(tensor([2])))).toEqual([2 * (6 * 6 + 4 * 3)])
  })

  it('a rule of two inputs, and a jvp rule when given', () => {
    const prod = G.customVjp(
      (a: Sym, b: Sym) => G.mul(a, b),
      ({ inputs: [a, b], cotangent }) => [G.mul(cotangent, b), G.mul(cotangent, a)],
      { jvp: ({ inputs: [a, b], tangents: [ta, tb] }) => G.add(G.mul(ta ?? 0, b), G.mul(tb ?? 0, a)) }
    )
    const f = (v: Sym): Sym => prod(v.at(0), v.at(1))
    expect(arr(G.grad(f)(tensor([2, 5])))).toEqual([5, 2])
    expect(G.jvp(f)(tensor([2, 5]), tensor([1, 10]))[1].item()).toBe(25)
    expect(arr(G.hessian(f)(tensor([2, 5])))).toEqual([0, 1, 1, 0])
  })

  it('forward mode through a rule that is not linear in the cotangent fails with a clear error', () => {
    const bad = G.customVjp((x: Sym) => G.square(x), ({ cotangent }) => G.square(cotangent), { name: 'bad' })
    expect(() => G.jvp((v: Sym) => bad(v).sum())(tensor([1]), tensor([1]))).toThrow(/customVjp bad: .*linear in the cotangent/)
    const wrongCount = G.customVjp((x: Sym) => x, () => [G.constant(1), G.constant(1)], { name: 'two' })
    expect(() => G.grad((v: Sym) => wrongCount(v).sum())(tensor([1]))).toThrow(/customVjp two: the rule returned 2 cotangents for 1 inputs/)
  })
})

describe('against PyTorch, run live where /usr/bin/python3 has torch', () => {
  const python = '/usr/bin/python3'
  const hasTorch = existsSync(python) && spawnSync(python, ['-c', 'import torch'], { timeout: 60_000 }).status === 0
  // each case: a torch expression of the tensor x (float64, requires_grad) and a descent function, at points
  const cases: [string, string, (x: Sym) => Sym, number[]][] = [
    ['abs', 'torch.abs(x)', G.abs, [-1, 0, 2]],
    ['relu', 'torch.relu(x)', G.relu, [-1, 0, 2]],
    ['sign', 'torch.sign(x)', G.sign, [-1, 0, 2]],
    ['clamp', 'torch.clamp(x, -1.0, 0.5)', (x) => G.clip(x, -1, 0.5), [-2, -1, 0, 0.5, 1]],
    ['maximum', 'torch.maximum(x, x.flip(0))', (x) => G.maximum(x, G.concat([x.slice(2, 3), x.slice(1, 2), x.slice(0, 1)])), [1, 2, 1]],
    ['minimum', 'torch.minimum(x, x.flip(0))', (x) => G.minimum(x, G.concat([x.slice(2, 3), x.slice(1, 2), x.slice(0, 1)])), [1, 2, 3]],
    ['huber', "torch.nn.functional.huber_loss(x, torch.zeros_like(x), reduction='none', delta=1.5)", (x) => G.huber(x, 1.5), [-2, -1.5, 0, 1.5, 3]],
    ['atan', 'torch.atan(x)', G.atan, [-2, 0.5]],
    ['asin', 'torch.asin(x)', G.asin, [-0.5, 0.5]],
    ['acos', 'torch.acos(x)', G.acos, [-0.5, 0.5]],
    ['sinh', 'torch.sinh(x)', G.sinh, [-2, 0.5]],
    ['cosh', 'torch.cosh(x)', G.cosh, [-2, 0.5]],
    ['asinh', 'torch.asinh(x)', G.asinh, [-2, 0.5]],
    ['log1p', 'torch.log1p(x)', G.log1p, [-0.5, 1e-9, 2]],
    ['expm1', 'torch.expm1(x)', G.expm1, [-2, 1e-9]],
    ['erf', 'torch.erf(x)', G.erf, [-2, 0.3, 1.7, 4]],
    ['pow base 0', 'x[0:1] ** x[1:2]', (x) => G.pow(x.slice(0, 1), x.slice(1, 2)), [0, 2]],
    ['pow base 0, exponent ½', 'x[0:1] ** x[1:2]', (x) => G.pow(x.slice(0, 1), x.slice(1, 2)), [0, 0.5]],
    ['pow base 0, exponent 0', 'x[0:1] ** x[1:2]', (x) => G.pow(x.slice(0, 1), x.slice(1, 2)), [0, 0]],
    ['logSoftmax', 'torch.log_softmax(x, 0) * torch.arange(1.0, 4.0, dtype=torch.float64)', (x) => G.logSoftmax(x).mul(tensor([1, 2, 3])), [0.5, -1, 2]]
  ]
  const encode = (v: number): string => (Number.isNaN(v) ? "float('nan')" : v === Infinity ? "float('inf')" : v === -Infinity ? "-float('inf')" : String(v))
  const script = [
    'import torch, json',
    'out = []',
    ...cases.map(([, expr, , xs]) => [
      `x = torch.tensor([${xs.map(encode).join(', ')}], dtype=torch.float64, requires_grad=True)`,
      `y = (${expr}).sum()`,
      'y.backward()',
      'out.append([y.item(), x.grad.tolist()])'
    ].join('\n')),
    'print(json.dumps(out))'
  ].join('\n')

  it.skipIf(!hasTorch)('value and gradient of every case equal torch 1.13 float64 (to 1 ulp-level rounding)', () => {
    const run = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 120_000 })
    expect(run.status, run.stderr).toBe(0)
    const parsed = JSON.parse(run.stdout.replace(/-?Infinity|NaN/g, (m) => `"${m}"`)) as [number | string, (number | string)[]][]
    const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v))
    cases.forEach(([label, , f, xs], k) => {
      const [value, gradient] = parsed[k]
      const x = tensor(xs)
      const loss = (v: Sym): Sym => f(v).sum()
      expect(G.jit(loss)(x).item(), label).toBeCloseTo(num(value), 12)
      const g = Array.from(G.grad(loss)(x).data)
      gradient.map(num).forEach((want, i) => {
        if (!Number.isFinite(want)) expect(g[i], `${label} gradient ${i}`).toBe(want)
        else expect(Math.abs(g[i] - want), `${label} gradient ${i}: ${g[i]} vs torch ${want}`).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want)))
      })
    })
  })
})
