import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Tensor, fromArray } from '../../src/tensor/Tensor.js'
import { lawExpectations } from './expect.js'
import { adam } from '../../src/optim/aliases.js'
import { runLaw } from '../../laws/law.js'
import { quadraticArb } from '../../laws/arbitraries.js'
import {
  checkOptimizerLaws,
  descentLaws,
  minibatchLaws,
  type AnyOptimizer,
  type OptimizerLawOptions,
  optimizerLaws,
  pathOnQuadratic,
  polyakParameters
} from '../../laws/optimizer.js'
import { accumulatedMomentumReference, averagedMomentumReference, gradientDescentReference, heavyBallReference, updateRuleReference } from '../../laws/reference.js'
import {
  anchoredSgd,
  countingSgd,
  flatteningSgd,
  hoardingSgd,
  jitterySgd,
  leafNormalisedSgd,
  mutatingMomentum,
  signSgdWithoutEps,
  sloppyDonated,
  tinyAdaGrad,
  tinyAdam,
  tinyMomentum,
  tinyRms,
  tinySgd,
  adamEpsInsideSqrt,
  adamSwappedBetas,
  dampenedFromTheStart,
  nameKeyedMomentum,
  objectValuesMomentum,
  rmsWithoutOneMinusRho,
  scheduleOffByOne,
  weightDecayWrongSign,
  zeroUpdate
} from './fixtures.js'

const params = { numRuns: 40, seed: 20261129 }

const { expectAllHold, expectFails, lawNamed } = lawExpectations(params)

describe('general optimizer laws', () => {
  it.each([
    ['sgd', tinySgd(0.1)],
    ['momentum', tinyMomentum(0.1, 0.9)],
    ['adam', tinyAdam(0.01)],
    ['rmsprop', tinyRms(0.01)],
    ['adagrad', tinyAdaGrad(0.1)]
  ] as [string, AnyOptimizer][])('hold for a correct %s', (_, opt) => {
    expectAllHold(optimizerLaws(opt))
  })

  it('purity: rejects an optimizer that updates its state in place', () => {
    const message = expectFails(optimizerLaws(mutatingMomentum(0.1, 0.9)), 'do not mutate')
    expect(message).toMatch(/wrote into its inputs/)
    expect(message).toMatch(/seed: 20261129/)
  })

  it('purity: rejects a stepApplied that forgets the parameters, or writes into those it was not given', () => {
    const base = adam({ lr: 0.01 }) as AnyOptimizer
    // the update alone, as if the parameters were zero
    const forgets: AnyOptimizer = { ...base, stepApplied: (s, g, p, donate) => (donate ? base.stepDonated!(s, g, p) : base.step(s, g, p)) }
    expect(expectFails(optimizerLaws(forgets), 'stepApplied agrees')).toMatch(/differs from params \+ step's update/)
    // in place even without donation
    const overwrites: AnyOptimizer = { ...base, stepApplied: (s, g, p) => base.stepApplied!(s, g, p, true, undefined, p) }
    expect(expectFails(optimizerLaws(overwrites), 'stepApplied agrees')).toMatch(/changed the parameters it stepped from/)
    expectAllHold(optimizerLaws(base))
  })

  it('purity: rejects an optimizer with hidden state, and one with random jitter', () => {
    expect(expectFails(optimizerLaws(countingSgd(0.1)), 'same state twice')).toMatch(/replayed gave a different update/)
    expectFails(optimizerLaws(jitterySgd(0.1)), 'same state twice')
  })

  it('purity: rejects an init that depends on parameter values', () => {
    expectFails(optimizerLaws(anchoredSgd(0.1)), 'only on structure')
    // ... unless the user says so
    expect(optimizerLaws(anchoredSgd(0.1), { initDependsOnlyOnShapes: false }).some((l) => l.name.includes('only on structure'))).toBe(false)
  })

  it('purity: rejects a stepDonated that disagrees with step', () => {
    expectFails(optimizerLaws(sloppyDonated(0.1)), 'stepDonated')
  })

  it('structure: rejects an update that loses the tree structure', () => {
    expect(expectFails(optimizerLaws(flatteningSgd(0.1)), 'structure and shapes of the gradient')).toMatch(/signature/)
  })

  it('structure: rejects a state that grows', () => {
    expectFails(optimizerLaws(hoardingSgd(0.1)), 'keeps its structure')
  })

  it('structure: rejects NaN updates from finite inputs', () => {
    expectFails(optimizerLaws(signSgdWithoutEps(0.1)), 'finite')
  })

  it('structure: rejects an optimizer that breaks on zero-size leaves', () => {
    expect(expectFails(optimizerLaws(leafNormalisedSgd(0.1)), 'zero-size')).toMatch(/empty leaf/)
  })

  it('the runner throws naming the law and the seed', () => {
    expect(() => checkOptimizerLaws(mutatingMomentum(0.1, 0.9), { fc: params })).toThrow(/law "purity › init and step do not mutate their inputs" does not hold[\s\S]*seed: 20261129/)
  })
})

describe('claimed optimizer laws', () => {
  it('composition: momentum with β = 0 equals sgd; with β = 0.5 it does not', () => {
    expectAllHold(optimizerLaws(tinyMomentum(0.1, 0), { equivalentTo: [{ name: 'sgd', optimizer: tinySgd(0.1) }] }))
    expectFails(optimizerLaws(tinyMomentum(0.1, 0.5), { equivalentTo: [{ name: 'sgd', optimizer: tinySgd(0.1) }] }), 'equals sgd')
  })

  it('scaling: sgd and momentum are linear; RMSProp is not', () => {
    expectAllHold(optimizerLaws(tinySgd(0.3), { kind: 'sgd', lr: 0.3 }))
    expectAllHold(optimizerLaws(tinyMomentum(0.3, 0.8), { kind: 'momentum', lr: 0.3, momentum: 0.8 }))
    expectFails(optimizerLaws(tinyRms(0.3), { linear: true }), 'linear')
  })

  it('scaling: RMSProp, Adam and AdaGrad are scale invariant; sgd is not', () => {
    expectAllHold(optimizerLaws(tinyRms(0.01), { kind: 'rmsprop', lr: 0.01, alpha: 0.9 }))
    expectAllHold(optimizerLaws(tinyAdam(0.01), { kind: 'adam', lr: 0.01 }))
    expectAllHold(optimizerLaws(tinyAdaGrad(0.1), { kind: 'adagrad', lr: 0.1 }))
    expectFails(optimizerLaws(tinySgd(0.1), { scaleInvariant: true }), 'invariant')
  })

  it("scaling: rejects Adam without bias correction (its first step is lr·(1−β₁)/√(1−β₂) ≈ 3.16·lr)", () => {
    const message = expectFails(optimizerLaws(tinyAdam(0.01, { biasCorrection: false }), { kind: 'adam', lr: 0.01 }), 'per coordinate')
    expect(message).toMatch(/0\.0316/)
  })

  it('adaptive: rejects RMSProp, whose effective rate rises when gradients shrink', () => {
    expectFails(optimizerLaws(tinyRms(0.1), { effectiveLearningRateNeverIncreases: true }), 'effective')
  })

  it('ewma: holds for the formulas, fails when the claim about debiasing is wrong', () => {
    // An EWMA stage in front of sgd(lr) is the averaged momentum form: v ← βv + (1−β)g, update −lr·v.
    const averaged = averagedMomentumReference(0.8, 0.5)
    expectAllHold(optimizerLaws(averaged, { ewma: { beta: 0.8, debias: false, lr: 0.5 } }))
    expectFails(optimizerLaws(averaged, { ewma: { beta: 0.8, debias: true, lr: 0.5 } }), 'constant series')
  })

  it('ewma: the bias-corrected law pins β (plain sgd passes a constant series, not a random one)', () => {
    const claim = { ewma: { beta: 0.8, debias: true, lr: 0.5 } }
    expect(runLaw(lawNamed(optimizerLaws(tinySgd(0.5), claim), 'constant series'), params).holds).toBe(true)
    expect(expectFails(optimizerLaws(tinySgd(0.5), claim), 'any series')).toMatch(/β = 0\.8/)
    expectFails(optimizerLaws(averagedMomentumReference(0.7, 0.5), { ewma: { beta: 0.8, debias: false, lr: 0.5 } }), 'any series')
  })
})

describe('declared kinds pin the update rule', () => {
  const rule = 'published update rule'

  it('a kind without the hyper-parameters it needs is an error, not a dropped law', () => {
    expect(() => optimizerLaws(tinyAdam(0.01), { kind: 'adam' })).toThrow(/kind 'adam' pins its update rule and needs lr/)
    expect(() => optimizerLaws(tinyMomentum(0.1, 0.9), { kind: 'momentum', lr: 0.1 })).toThrow(/needs momentum/)
    expect(() => optimizerLaws(tinySgd(0.1), { kind: 'sgd', lr: -1 })).toThrow(/finite lr > 0/)
  })

  it('the correct formulas pass (every option of the built-ins: builtins.test.ts)', () => {
    expectAllHold(optimizerLaws(tinySgd(0.1), { kind: 'sgd', lr: 0.1 }))
    expectAllHold(optimizerLaws(tinyMomentum(0.1, 0.9, true), { kind: 'momentum', lr: 0.1, momentum: 0.9, nesterov: true }))
    expectAllHold(optimizerLaws(tinyAdam(0.01, { b1: 0.8, b2: 0.99 }), { kind: 'adam', lr: 0.01, betas: [0.8, 0.99] }))
    expectAllHold(optimizerLaws(tinyAdaGrad(0.1), { kind: 'adagrad', lr: 0.1 }))
  })

  it.each([
    ['swapped β’s', adamSwappedBetas(0.01), { kind: 'adam', lr: 0.01 }],
    ['ε inside the square root', adamEpsInsideSqrt(0.01), { kind: 'adam', lr: 0.01 }],
    ['Adam without bias correction', tinyAdam(0.01, { biasCorrection: false }), { kind: 'adam', lr: 0.01 }],
    ['dampening on the first step', dampenedFromTheStart(0.1, 0.9, 0.5), { kind: 'momentum', lr: 0.1, momentum: 0.9, dampening: 0.5 }],
    ['RMSProp without (1 − ρ)', rmsWithoutOneMinusRho(0.01, 0.9), { kind: 'rmsprop', lr: 0.01, alpha: 0.9 }],
    ['weight decay of the wrong sign', weightDecayWrongSign(0.1, 0.01), { kind: 'sgd', lr: 0.1, weightDecay: 0.01 }],
    ['a schedule read one step late', scheduleOffByOne((t) => 0.1 / (1 + t)), { kind: 'sgd', lr: (t: number) => 0.1 / (1 + t) }],
    ['an update that is always 0', zeroUpdate, { kind: 'sgd', lr: 0.1 }],
    ['leaves read with Object.values', objectValuesMomentum(0.1, 0.9), { kind: 'momentum', lr: 0.1, momentum: 0.9 }],
    ['state keyed by leaf name', nameKeyedMomentum(0.1, 0.9), { kind: 'momentum', lr: 0.1, momentum: 0.9 }],
    ['RMSProp declared as AdaGrad', tinyRms(0.1), { kind: 'adagrad', lr: 0.1 }],
    ['momentum declared as plain sgd', tinyMomentum(0.1, 0.5), { kind: 'sgd', lr: 0.1 }]
  ] as [string, AnyOptimizer, OptimizerLawOptions][])('rejects %s', (_, opt, options) => {
    expect(expectFails(optimizerLaws(opt, options), rule)).toMatch(/differs from the reference/)
  })

  it('the focused laws say what broke: dampening, weight decay, schedule, descent', () => {
    expect(
      expectFails(optimizerLaws(dampenedFromTheStart(0.1, 0.9, 0.5), { kind: 'momentum', lr: 0.1, momentum: 0.9, dampening: 0.5 }), 'dampening starts')
    ).toMatch(/no dampening on the first step/)
    expect(expectFails(optimizerLaws(weightDecayWrongSign(0.1, 0.01), { kind: 'sgd', lr: 0.1, weightDecay: 0.01 }), 'towards 0')).toMatch(/not towards 0/)
    expect(
      expectFails(optimizerLaws(scheduleOffByOne((t) => 0.1 / (1 + t)), { kind: 'sgd', lr: (t: number) => 0.1 / (1 + t) }), 'step count')
    ).toMatch(/follow lr\(count \+ 1\): the schedule is counted from the wrong step/)
    expect(expectFails(optimizerLaws(zeroUpdate, { kind: 'sgd', lr: 0.1 }), 'descent direction')).toMatch(/not a descent direction/)
    expectFails(optimizerLaws(zeroUpdate, { descends: true }), 'descent direction')
  })
})

describe('descent laws', () => {
  const gd = (lr: number) => gradientDescentReference(lr)
  const hb = (lr: number, beta: number) => accumulatedMomentumReference(beta, lr)

  it('hold for the reference gradient descent, heavy ball, momentum forms and Nesterov', () => {
    expectAllHold(
      descentLaws({
        gradientDescent: gd,
        heavyBall: hb,
        momentumForms: {},
        nesterov: (alpha, lr) => tinyMomentum(lr, alpha, true)
      })
    )
  })

  it('gradient descent: rejects a step that overshoots (3× the lr)', () => {
    expectFails(descentLaws({ gradientDescent: (lr) => gd(3 * lr) }), 'decreases f')
  })

  it('gradient descent: rejects a step that undershoots the contraction (½ the lr)', () => {
    expectFails(descentLaws({ gradientDescent: (lr) => gd(0.5 * lr) }), 'contracts')
  })

  it('gradient descent: rejects an optimizer that stands still (the decrease is strict)', () => {
    expect(expectFails(descentLaws({ gradientDescent: () => zeroUpdate }), 'decreases f')).toMatch(/not down/)
  })

  it('heavy ball: rejects the best plain gradient descent, whatever κ (the bound stays below 1)', () => {
    // lr/2 = 2/(√L+√μ)² converges, at best at (κ−1)/(κ+1): above the bound's cap (ρ + (κ−1)/(κ+1))/2.
    expect(expectFails(descentLaws({ heavyBall: (rate) => gd(rate / 2) }), 'Polyak')).toMatch(/gradient descent's best/)
  })

  it('heavy ball: rejects a momentum method that drops the momentum', () => {
    expect(expectFails(descentLaws({ heavyBall: (lr) => gd(lr) }), 'Polyak')).toMatch(/measured rate/)
  })

  it("momentum forms: rejects an accumulated form that dampens (v ← αv + (1−α)g at the same ε)", () => {
    expectFails(descentLaws({ momentumForms: { accumulated: averagedMomentumReference } }), 'three momentum forms')
  })

  it('Nesterov: rejects plain momentum offered as Nesterov', () => {
    expectFails(descentLaws({ nesterov: (alpha, lr) => tinyMomentum(lr, alpha, false) }), 'Nesterov')
  })

  it("Polyak's parameters give the textbook numbers", () => {
    // κ = 100, L = 1: rate 9/11, β = 81/121, lr = 4/(1 + 0.1)² = 400/121
    const p = polyakParameters({ L: 1, mu: 0.01, kappa: 100 })
    expect(p.rate).toBeCloseTo(9 / 11, 14)
    expect(p.beta).toBeCloseTo(81 / 121, 14)
    expect(p.lr).toBeCloseTo(400 / 121, 12)
  })

  it('the reference forms agree on one hand-checked path', () => {
    // f(x) = ½x², x₀ = 1, α = 0.5, ε = 0.1: heavy ball x₁ = 0.9, v₁ = −0.1; x₂ = 0.9 − 0.05 − 0.09 = 0.76
    const q = fc.sample(quadraticArb({ minDim: 1, maxDim: 1, minL: 1, maxL: 1 }), { seed: 1, numRuns: 1 })[0]
    const start = q.xStar.map((x) => x + 1)
    const path = pathOnQuadratic(heavyBallReference(0.5, 0.1), q, 2, start).map((x) => x[0] - q.xStar[0])
    expect(path[1]).toBeCloseTo(0.9, 12)
    expect(path[2]).toBeCloseTo(0.76, 12)
    const averaged = pathOnQuadratic(averagedMomentumReference(0.5, 0.2), q, 2, start).map((x) => x[0] - q.xStar[0])
    expect(averaged[2]).toBeCloseTo(0.76, 12)
  })
})

describe('minibatch law', () => {
  const shuffledEpoch = (n: number, batchSize: number, seed: number): number[][] => {
    const order = Array.from({ length: n }, (_, i) => i)
    let s = seed
    for (let i = n - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648
      const j = s % (i + 1)
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    const out: number[][] = []
    for (let i = 0; i < n; i += batchSize) out.push(order.slice(i, i + batchSize))
    return out
  }

  it('holds for a shuffled partition with a ragged last batch', () => {
    expectAllHold(minibatchLaws(shuffledEpoch))
  })

  it('rejects an epoch that drops the ragged last batch', () => {
    const dropLast = (n: number, b: number, seed: number) => {
      const all = shuffledEpoch(n, b, seed)
      return n % b === 0 ? all : all.slice(0, -1)
    }
    expect(expectFails(minibatchLaws(dropLast), 'averaged over an epoch')).toMatch(/appears 0 times/)
  })

  it('rejects batches that depend on more than the seed', () => {
    const unseeded = (n: number, b: number) => shuffledEpoch(n, b, Math.floor(Math.random() * 2 ** 31))
    expect(expectFails(minibatchLaws(unseeded), 'same seed')).toMatch(/then/)
  })

  it('rejects an epoch that samples with replacement', () => {
    const withReplacement = (n: number, b: number, seed: number) =>
      shuffledEpoch(n, b, seed).map((batch, k) => batch.map((_, i) => (seed + 7 * k + i * 13) % n))
    expectFails(minibatchLaws(withReplacement), 'averaged over an epoch')
  })
})

describe('updateRuleReference follows PyTorch at the edges of SGD', () => {
  const g = fromArray([2], [1, -2])
  const p = fromArray([2], [0.5, 0.5])
  it('without momentum, dampening changes nothing: every update is −lr·g', () => {
    const ref = updateRuleReference('momentum', { lr: 0.1, momentum: 0, dampening: 0.5 })
    let s = ref.init(p)
    for (let k = 0; k < 3; k++) {
      const [next, u] = ref.step(s, g, p)
      expect(Array.from((u as Tensor).data)).toEqual([-0.1, 0.2])
      s = next
    }
  })
  it('Nesterov without momentum, or with dampening, is refused as PyTorch refuses it', () => {
    expect(() => updateRuleReference('momentum', { lr: 0.1, momentum: 0, nesterov: true })).toThrow(/Nesterov momentum requires a momentum > 0 and zero dampening/)
    expect(() => updateRuleReference('momentum', { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/got momentum 0.9, dampening 0.1/)
  })
})
