import { describe, expect, it } from 'vitest'
import { adam } from '../../src/optim/aliases.js'
import { sgd } from '../../src/optim/combinators.js'
import { applyUpdates, type Optimizer } from '../../src/optim/Optimizer.js'
import { NonFiniteGradientError, accumulate, averagedParams, lookahead, masked, parameterEma, skipNonFinite } from '../../src/optim/wrappers.js'
import { scalar, tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'
import { flatData } from './helpers.js'

/** Steps on f = Σx² (∇f = 2x) from x, returning the parameters after each step. */
const descend = <S>(opt: Optimizer<S>, x: TensorTree, steps: number): { xs: number[][]; state: S } => {
  let state = opt.init(x)
  const xs: number[][] = []
  for (let k = 0; k < steps; k++) {
    const g = flatData(x).map((v) => 2 * v)
    const [s, u] = opt.step(state, tensor(g), x)
    state = s
    x = applyUpdates(x, u)
    xs.push(flatData(x))
  }
  return { xs, state }
}

describe('skipNonFinite', () => {
  const opt = skipNonFinite(adam({ lr: 0.1 }), { maxConsecutive: 3 })
  const p = tensor([1, 2])
  it('skips a NaN gradient: zero update, inner state kept, skip counted', () => {
    const s0 = opt.init(p)
    const [s1, u] = opt.step(s0, tensor([NaN, 1]), p)
    expect(flatData(u)).toEqual([0, 0])
    expect(s1.inner).toBe(s0.inner)
    expect([s1.skipped, s1.consecutive]).toEqual([1, 1])
    const [s2] = opt.step(s1, tensor([1, 1]), p)
    expect([s2.skipped, s2.consecutive]).toEqual([1, 0])
  })
  it('gives up after maxConsecutive non-finite gradients in a row', () => {
    let s = opt.init(p)
    ;[s] = opt.step(s, tensor([Infinity, 1]), p)
    ;[s] = opt.step(s, tensor([1, -Infinity]), p)
    expect(() => opt.step(s, tensor([1, NaN]), p)).toThrow(NonFiniteGradientError)
    expect(() => opt.step(s, tensor([1, NaN]), p)).toThrow(/3 consecutive steps.*NaN at the top/)
  })
})

describe('accumulate', () => {
  it('returns zero updates, then the inner step on the mean of k gradients', () => {
    const inner = adam({ lr: 0.1 })
    const opt = accumulate(inner, { every: 3 })
    const p = tensor([1, -1])
    let s = opt.init(p)
    const gs = [[1, 2], [3, -4], [-1, 0.5]]
    const updates: number[][] = []
    for (const g of gs) {
      const [s1, u] = opt.step(s, tensor(g), p)
      s = s1
      updates.push(flatData(u))
    }
    expect(updates[0]).toEqual([0, 0])
    expect(updates[1]).toEqual([0, 0])
    const [, expected] = inner.step(inner.init(p), tensor([1, -0.5]), p)
    flatData(expected).forEach((e, i) => expect(updates[2][i]).toBeCloseTo(e, 15))
    expect(s.count).toBe(0)
  })
})

describe('masked', () => {
  it('updates only the selected paths, keying the inner state by them', () => {
    const opt = masked(adam({ lr: 0.1 }), (path) => !path.endsWith('bias'))
    const params = { layer: { weight: tensor([1, 2]), bias: scalar(3) } }
    const s = opt.init(params)
    expect(Object.keys((s as { inner: { slots: { nu: object } } }).inner.slots.nu)).toEqual(['["layer.weight"]'])
    const [, u] = opt.step(s, { layer: { weight: tensor([0.5, -0.5]), bias: scalar(9) } }, params)
    const flat = u as unknown as { layer: { weight: { data: Float64Array }; bias: { data: Float64Array } } }
    expect(Array.from(flat.layer.bias.data)).toEqual([0])
    expect(flat.layer.weight.data[0]).toBeCloseTo(-0.1, 6)
    expect(flat.layer.weight.data[1]).toBeCloseTo(0.1, 6)
  })
})

describe('parameterEma', () => {
  it('averages the iterates: x = 1, 0.8, 0.64 with decay ½ gives 0.9, 0.77', () => {
    const { xs, state } = descend(parameterEma(sgd(0.1), { decay: 0.5 }), tensor([1]), 2)
    expect(xs.map((x) => x[0])).toEqual([0.8, 0.64])
    expect(flatData(averagedParams(state, tensor([0])))[0]).toBeCloseTo(0.5 * (0.5 * 1 + 0.5 * 0.8) + 0.5 * 0.64, 15)
  })
})

describe('lookahead', () => {
  it('pulls the parameters to the slow weights every k steps', () => {
    // sgd(0.1) on x²: fast 1 → 0.8 → 0.64; slow = 1 + ½(0.64 − 1) = 0.82; then 0.82 → 0.656.
    const { xs } = descend(lookahead(sgd(0.1), { k: 2, alpha: 0.5 }), tensor([1]), 3)
    expect(xs[0][0]).toBeCloseTo(0.8, 15)
    expect(xs[1][0]).toBeCloseTo(0.82, 15)
    expect(xs[2][0]).toBeCloseTo(0.656, 15)
  })
})
