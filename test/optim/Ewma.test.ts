import { describe, expect, it } from 'vitest'
import { betaForWindow, effectiveWindow, emptyEwma, ewmaSeries, ewmaTotalWeight, ewmaUpdate, ewmaValue } from '../../src/optim/Ewma.js'
import { sgd, withEwma } from '../../src/optim/combinators.js'
import { tensor } from '../../src/tensor/Tensor.js'
import type { Tensor } from '../../src/tensor/Tensor.js'

describe('ewmaSeries', () => {
  it('is biased towards zero without correction: (1 − βᵗ)·c for a constant c', () => {
    const raw = ewmaSeries([5, 5, 5, 5], 0.9, false)
    raw.forEach((v, t) => expect(v).toBeCloseTo(5 * (1 - 0.9 ** (t + 1)), 14))
    // By hand: 0.5, 0.9·0.5 + 0.5 = 0.95, 0.9·0.95 + 0.5 = 1.355.
    ;[0.5, 0.95, 1.355].forEach((v, t) => expect(raw[t]).toBeCloseTo(v, 14))
  })
  it('averages a constant series to itself with bias correction', () => {
    ewmaSeries(Array(50).fill(-3.25), 0.99).forEach((v) => expect(v).toBeCloseTo(-3.25, 12))
  })
  it('equals the closed form (1 − β) Σ βᵗ⁻ᵏ xₖ / (1 − βᵗ)', () => {
    const xs = [3, -1, 4, 1, -5, 9, 2]
    const beta = 0.7
    const got = ewmaSeries(xs, beta)
    xs.forEach((_, i) => {
      const t = i + 1
      let s = 0
      for (let k = 1; k <= t; k++) s += (1 - beta) * beta ** (t - k) * xs[k - 1]
      expect(got[i]).toBeCloseTo(s / (1 - beta ** t), 13)
    })
  })
  it('is the first sample after one step with correction, whatever β', () => {
    for (const beta of [0, 0.5, 0.9, 0.999]) expect(ewmaSeries([7.5], beta)[0]).toBeCloseTo(7.5, 12)
  })
})

describe('effective window', () => {
  it('is 1/(1 − β) and inverts with betaForWindow', () => {
    expect(effectiveWindow(0.9)).toBeCloseTo(10, 12)
    expect(effectiveWindow(0.999)).toBeCloseTo(1000, 9)
    expect(betaForWindow(10)).toBeCloseTo(0.9, 15)
  })
  it('the last 1/(1 − β) samples carry about 1 − 1/e of the weight', () => {
    for (const beta of [0.9, 0.99, 0.999]) {
      const n = Math.round(effectiveWindow(beta))
      // An impulse n samples ago is what remains of the weight outside the window.
      const outside = Math.pow(beta, n)
      expect(outside).toBeGreaterThan(0.34)
      expect(outside).toBeLessThan(Math.exp(-1) + 1e-9)
      expect(Math.abs(outside - Math.exp(-1))).toBeLessThan(0.02)
    }
  })
  it('the total weight after t samples is 1 − βᵗ', () => {
    let s = emptyEwma
    for (let t = 1; t <= 20; t++) {
      s = ewmaUpdate(0.8, s, 1)
      expect(s.average).toBeCloseTo(ewmaTotalWeight(0.8, t), 14)
      expect(ewmaValue(0.8, s)).toBeCloseTo(1, 14)
    }
  })
})

describe('the withEwma stage is the same average, element by element', () => {
  it('passes −(debiased EWMA of the gradients) through sgd(1)', () => {
    const gs = [[1, -2], [3, 0.5], [-4, 2], [0, 1]]
    const opt = withEwma(sgd(1), { beta: 0.6, debias: true })
    const p = tensor([0, 0])
    let s = opt.init(p)
    const got: number[][] = []
    for (const g of gs) {
      const [s1, u] = opt.step(s, tensor(g), p)
      s = s1
      got.push(Array.from((u as Tensor).data).map((x) => -x))
    }
    for (let i = 0; i < 2; i++) {
      const expected = ewmaSeries(gs.map((g) => g[i]), 0.6)
      got.forEach((row, t) => expect(row[i]).toBeCloseTo(expected[t], 14))
    }
  })
})
