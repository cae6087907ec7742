import { describe, expect, it } from 'vitest'
import { minimize, treeNorm } from '../../src/drivers/minimize.js'
import { adam } from '../../src/optim/aliases.js'
import { sgd } from '../../src/optim/combinators.js'
import { applyUpdates } from '../../src/optim/Optimizer.js'
import { newtonCG, saddleFreeNewton } from '../../src/optim/newton.js'
import { skipNonFinite } from '../../src/optim/wrappers.js'
import { type Tensor, fromArray, scalar, tensor } from '../../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors, mapTensors } from '../../src/tensor/Tree.js'

/** f = Σx², ∇f = 2x, on any tree. */
const sumSquares = (x: TensorTree): readonly [number, TensorTree] => {
  let f = 0
  for (const l of flattenTensors(x).leaves) for (const v of l.data) f += v * v
  return [f, mapTensors(x, (t) => fromArray(t.shape, Array.from(t.data, (v) => 2 * v)))]
}
const first = (x: TensorTree): number => (x as Tensor).data[0]

describe('minimize', () => {
  it('halves x each step with sgd(0.25) on x², stopping at the gradient tolerance', () => {
    // x_k = 3·2⁻ᵏ, ‖∇f‖ = 6·2⁻ᵏ ≤ 1e-8 first at k = 30 (6·2⁻³⁰ ≈ 5.6e-9).
    const r = minimize(sumSquares, tensor([3]), sgd(0.25), { trajectory: true })
    expect(r.reason).toBe('grad-tol')
    expect(r.steps).toBe(30)
    expect(r.trajectory!.length).toBe(31)
    r.trajectory!.forEach((x, k) => expect(first(x)).toBe(3 * 2 ** -k))
    expect(r.values[30]).toBe((3 * 2 ** -30) ** 2)
  })
  it('stops at maxSteps', () => {
    const r = minimize(sumSquares, { a: tensor([1, 2]), b: scalar(3) }, adam({ lr: 0.01 }), { maxSteps: 7 })
    expect([r.reason, r.steps, r.values.length]).toEqual(['max-steps', 7, 8])
  })
  it('stops when the value stops falling for `patience` steps', () => {
    const flat = (): readonly [number, TensorTree] => [1, tensor([1])]
    const r = minimize(flat, tensor([0]), sgd(0.1), { noProgress: { patience: 5 } })
    expect([r.reason, r.steps]).toEqual(['no-progress', 5])
  })
  it('stops when onStep returns false, after seeing the start', () => {
    const seen: number[] = []
    const r = minimize(sumSquares, tensor([1]), sgd(0.1), {
      onStep: (i) => {
        seen.push(i.step)
        return i.step < 3
      }
    })
    expect(seen).toEqual([0, 1, 2, 3])
    expect([r.reason, r.steps]).toEqual(['callback', 3])
  })
  it('stops on a non-finite value, and when a NaN guard gives up', () => {
    const nan = (): readonly [number, TensorTree] => [NaN, tensor([NaN])]
    expect(minimize(nan, tensor([0]), sgd(1)).reason).toBe('non-finite')
    const badGrad = (x: TensorTree): readonly [number, TensorTree] => [first(x) ** 2, tensor([NaN])]
    const r = minimize(badGrad, tensor([1]), skipNonFinite(sgd(0.1), { maxConsecutive: 4 }))
    expect(r.reason).toBe('non-finite')
    expect(r.steps).toBe(3)
    expect(r.message).toMatch(/4 consecutive/)
    expect(first(r.params)).toBe(1)
  })
  it('on a non-finite value returns the last finite point and its value, not the NaN iterate', () => {
    // f = √x − x·0 from x = 1 with sgd(4): x₁ = 1 − 4·½ = −1, where √x is NaN.
    const sqrtOf = (x: TensorTree): readonly [number, TensorTree] => [Math.sqrt(first(x)), tensor([0.5 / Math.sqrt(first(x))])]
    const seen: number[] = []
    const r = minimize(sqrtOf, tensor([1]), sgd(4), { trajectory: true, onStep: (i) => void seen.push(first(i.params)) })
    expect(r.reason).toBe('non-finite')
    expect([first(r.params), r.value, first(r.gradient), r.steps]).toEqual([1, 1, 0.5, 0])
    expect(r.values).toEqual([1])
    expect(r.trajectory!.map(first)).toEqual([1])
    expect(r.message).toBe('step 1: f is NaN; returning the point of step 0')
    expect(seen).toEqual([1, -1])
  })
  it('on a parameter that becomes infinite returns the step before, naming the leaf', () => {
    // x₀ = 1, g₀ = −1 so x₁ = 2; then g₁ = 1e309 = Infinity, so x₂ = −Infinity.
    const blowUp = (x: TensorTree): readonly [number, TensorTree] => {
      const w = (x as { w: Tensor }).w.data[0]
      return [w * w, { w: tensor([w === 1 ? -1 : 1e308 * 10]) }]
    }
    const r = minimize(blowUp, { w: tensor([1]) }, sgd(1), { maxSteps: 10 })
    expect(r.reason).toBe('non-finite')
    expect((r.params as { w: Tensor }).w.data[0]).toBe(2)
    expect([r.value, r.steps, r.values]).toEqual([4, 1, [1, 4]])
    expect(r.message).toBe('step 2: parameter w is -Infinity; returning the point of step 1')
  })
  it('turns a Newton method giving up on a non-finite gradient into the stop reason', () => {
    const nanGrad = (x: TensorTree): readonly [number, TensorTree] => [first(x) ** 2, tensor([first(x) < 0.5 ? NaN : 2 * first(x)])]
    const hessian = (): Tensor => fromArray([1, 1], [2])
    const r = minimize(nanGrad, tensor([1]), saddleFreeNewton({ hessian, damping: 0, lr: 0.75 }), { maxSteps: 10 })
    expect(r.reason).toBe('non-finite')
    expect([first(r.params), r.steps]).toEqual([0.25, 1])
    expect(r.message).toMatch(/^step 2: saddleFreeNewton: the gradient has NaN at flat index 0; no step taken$/)
    const cg = minimize(nanGrad, tensor([1]), newtonCG({ hvp: (_p, v) => mapTensors(v, (t) => fromArray(t.shape, Array.from(t.data, (z) => 2 * z))), lr: 0.75 }))
    expect([cg.reason, first(cg.params)]).toEqual(['non-finite', 0.25])
  })
  it('gives exactly the numbers of a hand-written pure loop (the donated step changes nothing)', () => {
    const opt = adam({ lr: 0.05 })
    const x0 = { w: tensor([1, -2, 0.5]), b: scalar(2) }
    const r = minimize(sumSquares, x0, opt, { maxSteps: 25 })
    let x: TensorTree = x0
    let s = opt.init(x)
    for (let k = 0; k < 25; k++) {
      const [s1, u] = opt.step(s, sumSquares(x)[1], x)
      s = s1
      x = applyUpdates(x, u)
    }
    expect(flattenTensors(r.params).leaves.map((l) => Array.from(l.data))).toEqual(flattenTensors(x).leaves.map((l) => Array.from(l.data)))
    expect(r.gradNorm).toBe(treeNorm(sumSquares(x)[1]))
  })
  it('never writes into x0', () => {
    const x0 = tensor([1, 2, 3])
    minimize(sumSquares, x0, adam({ lr: 0.1 }), { maxSteps: 5 })
    expect(Array.from(x0.data)).toEqual([1, 2, 3])
  })
})
