import { describe, expect, it } from 'vitest'
import { constant, cosineDecay, exponentialDecay, join, linearWarmup, piecewiseConstant, stepDecay } from '../../src/optim/Schedule.js'

describe('schedules', () => {
  it('constant', () => expect([0, 1, 100].map(constant(0.3))).toEqual([0.3, 0.3, 0.3]))
  it('exponentialDecay: init·rate^(t/steps), staircase floors the exponent', () => {
    const s = exponentialDecay({ init: 2, rate: 0.5, steps: 2 })
    expect(s(0)).toBe(2)
    expect(s(1)).toBeCloseTo(2 * Math.SQRT1_2, 15)
    expect(s(4)).toBe(0.5)
    const st = exponentialDecay({ init: 2, rate: 0.5, steps: 2, staircase: true })
    expect([0, 1, 2, 3, 4].map(st)).toEqual([2, 2, 1, 1, 0.5])
  })
  it('stepDecay is PyTorch StepLR: init·γ^⌊t/stepSize⌋', () => {
    const s = stepDecay({ init: 1, stepSize: 3, gamma: 0.5 })
    expect([0, 2, 3, 5, 6, 9].map(s)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125])
  })
  it('cosineDecay: init at 0, half way init·(1+α)/2, α·init from T on', () => {
    const s = cosineDecay({ init: 4, decaySteps: 10, alpha: 0.1 })
    expect(s(0)).toBe(4)
    expect(s(5)).toBeCloseTo(4 * (0.9 * 0.5 + 0.1), 14)
    expect(s(10)).toBeCloseTo(0.4, 14)
    expect(s(50)).toBeCloseTo(0.4, 14)
  })
  it('linearWarmup rises linearly then holds', () => {
    const s = linearWarmup({ from: 0, to: 1, steps: 4 })
    expect([0, 1, 2, 4, 10].map(s)).toEqual([0, 0.25, 0.5, 1, 1])
  })
  it('piecewiseConstant switches at each boundary', () => {
    const s = piecewiseConstant({ boundaries: [2, 5], values: [1, 0.1, 0.01] })
    expect([0, 1, 2, 4, 5, 9].map(s)).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01])
    expect(() => piecewiseConstant({ boundaries: [1], values: [1] })).toThrow(/needs 2 values/)
  })
  it('join restarts each schedule at its boundary', () => {
    const s = join([linearWarmup({ to: 1, steps: 2 }), cosineDecay({ init: 1, decaySteps: 4 })], [2])
    expect(s(0)).toBe(0)
    expect(s(1)).toBe(0.5)
    expect(s(2)).toBe(1)
    expect(s(4)).toBeCloseTo(0.5, 15)
    expect(s(6)).toBeCloseTo(0, 15)
  })
})
