import { describe, expect, it } from 'vitest'
import { approxEq, identical } from '../../laws/approx.js'
import { fromArray, scalar, tensor, zeros } from '../../src/tensor/Tensor.js'

describe('approxEq', () => {
  const eq = approxEq({ rtol: 1e-6, atol: 1e-9 })

  it('numbers: |a − b| ≤ atol + rtol·max(|a|, |b|), symmetric', () => {
    expect(eq.numbers(1, 1 + 0.9e-6)).toBe(true)
    expect(eq.numbers(1, 1 + 1.2e-6)).toBe(false)
    expect(eq.numbers(1 + 1.2e-6, 1)).toBe(false)
    expect(eq.numbers(0, 0.9e-9)).toBe(true)
    expect(eq.numbers(0, 2e-9)).toBe(false)
  })

  it('NaN equals only NaN; an infinity only itself', () => {
    expect(eq.numbers(NaN, NaN)).toBe(true)
    expect(eq.numbers(NaN, 0)).toBe(false)
    expect(eq.numbers(Infinity, Infinity)).toBe(true)
    expect(eq.numbers(Infinity, -Infinity)).toBe(false)
    expect(eq.numbers(Infinity, 1e308)).toBe(false)
  })

  it('tensors: shapes must match exactly', () => {
    expect(eq.tensors(tensor([1, 2]), tensor([1, 2]))).toBe(true)
    expect(eq.tensors(tensor([1, 2]), tensor([[1, 2]]))).toBe(false)
    expect(eq.explain(tensor([1, 2]), tensor([[1, 2]]))).toMatch(/shapes differ: \[2\] vs \[1,2\]/)
    expect(eq.tensors(zeros([0]), zeros([0]))).toBe(true)
    expect(eq.tensors(zeros([0, 3]), zeros([0]))).toBe(false)
  })

  it('trees: structure must match; the message names the path and element', () => {
    const a = { w: tensor([1, 2]), b: [scalar(3)] }
    expect(eq.trees(a, { w: tensor([1, 2]), b: [scalar(3)] })).toBe(true)
    expect(eq.explain(a, { w: tensor([1, 2]), b: [scalar(3.1)] })).toMatch(/^at b\[0\], element 0: 3 vs 3\.1/)
    expect(eq.explain(a, { w: tensor([1, 2]), c: [scalar(3)] })).toMatch(/tree structures differ/)
    expect(eq.explain(a, { w: tensor([1, 2]), b: [scalar(3), scalar(4)] })).toMatch(/tree structures differ/)
  })

  it('rejects negative tolerances', () => {
    expect(() => approxEq({ rtol: -1 })).toThrow(/≥ 0/)
  })
})

describe('identical', () => {
  it('is bitwise, with −0 ≠ 0 and all NaNs equal', () => {
    expect(identical.numbers(0.1 + 0.2, 0.3)).toBe(false)
    expect(identical.numbers(-0, 0)).toBe(false)
    expect(identical.numbers(NaN, NaN)).toBe(true)
    expect(identical.trees(fromArray([2], [1, NaN]), fromArray([2], [1, NaN]))).toBe(true)
  })
})
