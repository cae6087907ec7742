/**
 * Every law against every built-in optimizer (the aliases and the docs/spec.md
 * compositions), the EWMA, the minibatch iterator and the graph's ops, with a
 * pinned seed so a failure replays.
 */
import { describe, expect, it } from 'vitest'
import { approxEq } from '../../laws/approx.js'
import { checkCurvatureLaws, checkEigenLaws, checkPartialEigenLaws } from '../../laws/curvature.js'
import { checkGradientLaws, checkProgramLaws, libraryProgramDifferentiator, libraryTransforms } from '../../laws/gradient.js'
import { checkProgramCurvatureLaws } from '../../laws/curvature.js'
import { runLaws } from '../../laws/law.js'
import {
  type AnyOptimizer,
  type OptimizerLawOptions,
  checkDescentLaws,
  checkEwmaLaws,
  checkOptimizerLaws,
  ewmaLaws,
  minibatchLaws
} from '../../laws/optimizer.js'
import { tensorOfShape, treeLikeAwayFromZero } from '../../laws/arbitraries.js'
import fc from 'fast-check'
import * as G from '../../src/graph/index.js'
import type { Sym } from '../../src/graph/index.js'
import { unsafeAnalyzePoint } from '../../src/curvature/analyze.js'
import { unsafeSymmetricEigen } from '../../src/curvature/eigen.js'
import { unsafeLanczos } from '../../src/curvature/lanczos.js'
import { type HessianVectorProduct, denseOperator } from '../../src/curvature/operator.js'
import * as E from 'fp-ts/lib/Either.js'
import { minibatchIndices } from '../../src/drivers/train.js'
import { ewmaSeries } from '../../src/optim/Ewma.js'
import { adadelta, adagrad, adam, adamax, adamw, classicSgd, lion, nadam, rmsprop } from '../../src/optim/aliases.js'
import {
  sgd,
  withAdaGrad,
  withClip,
  withClipByGlobalNorm,
  withDecoupledWeightDecay,
  withEwma,
  withMomentum,
  withRMS,
  withWeightDecay
} from '../../src/optim/combinators.js'
import { identity } from '../../src/optim/Optimizer.js'
import { accumulate, lookahead, masked, parameterEma, skipNonFinite } from '../../src/optim/wrappers.js'
import { type Tensor, fromArray } from '../../src/tensor/Tensor.js'
import { tinyAdaGrad, tinyAdam, tinyMomentum, tinyRms, tinySgd } from './fixtures.js'

const fcParams = { numRuns: 30, seed: 20261129 }

type Case = readonly [string, AnyOptimizer, OptimizerLawOptions]

const aliasCases: readonly Case[] = [
  ['sgd', classicSgd({ lr: 0.1 }), { kind: 'sgd', lr: 0.1, equivalentTo: [{ name: 'the formula', optimizer: tinySgd(0.1) }] }],
  ['sgd with momentum', classicSgd({ lr: 0.1, momentum: 0.9 }), { kind: 'momentum', lr: 0.1, momentum: 0.9, equivalentTo: [{ name: 'the formula', optimizer: tinyMomentum(0.1, 0.9) }] }],
  ['sgd with Nesterov momentum', classicSgd({ lr: 0.1, momentum: 0.9, nesterov: true }), { kind: 'momentum', lr: 0.1, momentum: 0.9, nesterov: true, equivalentTo: [{ name: 'the formula', optimizer: tinyMomentum(0.1, 0.9, true) }] }],
  ['sgd with momentum, dampening and weight decay', classicSgd({ lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01 }), { kind: 'momentum', lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01 }],
  // PyTorch keeps no momentum buffer when momentum is 0, so dampening does nothing
  ['sgd with dampening but no momentum', classicSgd({ lr: 0.1, momentum: 0, dampening: 0.5 }), { kind: 'momentum', lr: 0.1, momentum: 0, dampening: 0.5, equivalentTo: [{ name: 'the formula', optimizer: tinySgd(0.1) }] }],
  ['sgd with a schedule and weight decay', classicSgd({ lr: (t) => 0.1 / (1 + t), weightDecay: 0.05 }), { kind: 'sgd', lr: (t: number) => 0.1 / (1 + t), weightDecay: 0.05 }],
  ['adagrad', adagrad({ lr: 0.1 }), { kind: 'adagrad', lr: 0.1, equivalentTo: [{ name: 'the formula', optimizer: tinyAdaGrad(0.1) }] }],
  ['adagrad with lr decay', adagrad({ lr: 0.1, lrDecay: 0.05, weightDecay: 0.02, initialAccumulatorValue: 0.1 }), { kind: 'adagrad', lr: 0.1, lrDecay: 0.05, weightDecay: 0.02, initialAccumulatorValue: 0.1 }],
  ['rmsprop', rmsprop({ lr: 0.01, alpha: 0.9 }), { kind: 'rmsprop', lr: 0.01, alpha: 0.9, equivalentTo: [{ name: 'the formula', optimizer: tinyRms(0.01, 0.9) }] }],
  // Centered: r − m² (a variance) can be far smaller than g², so ε/√(r − m²) is not negligible: a looser tolerance.
  ['rmsprop centered with momentum', rmsprop({ lr: 0.01, centered: true, momentum: 0.5 }), { kind: 'rmsprop', lr: 0.01, centered: true, momentum: 0.5, epsilonApprox: approxEq({ rtol: 1e-3, atol: 1e-12 }) }],
  ['adam', adam({ lr: 0.01 }), { kind: 'adam', lr: 0.01, equivalentTo: [{ name: 'the formula', optimizer: tinyAdam(0.01) }] }],
  ['adam with amsgrad', adam({ lr: 0.01, amsgrad: true }), { kind: 'adam', lr: 0.01, amsgrad: true }],
  ['adam with weight decay and other betas', adam({ lr: 0.01, weightDecay: 0.1, betas: [0.8, 0.95], eps: 1e-6 }), { kind: 'adam', lr: 0.01, weightDecay: 0.1, betas: [0.8, 0.95], eps: 1e-6 }],
  ['adamw', adamw({ lr: 0.01 }), { scaleInvariant: true }],
  ['adamax', adamax({ lr: 0.01 }), { scaleInvariant: true, firstStepMagnitude: 0.01, descends: true }],
  ['nadam', nadam({ lr: 0.01 }), { scaleInvariant: true, descends: true }],
  ['adadelta', adadelta(), {}],
  ['lion', lion({ lr: 0.01 }), { scaleInvariant: true, firstStepMagnitude: 0.01, descends: true }]
]

const lr = 0.05
const compositionCases: readonly Case[] = [
  ['momentum(β) ∘ sgd = SGD(momentum=β)', withMomentum(sgd(lr), { beta: 0.8 }), { kind: 'momentum', lr, momentum: 0.8, equivalentTo: [{ name: 'classicSgd', optimizer: classicSgd({ lr, momentum: 0.8 }) }] }],
  [
    'ewma ∘ rms ∘ sgd = Adam',
    withEwma(withRMS(sgd(lr), { rho: 0.999, eps: 1e-8, debias: true }), { beta: 0.9, debias: true }),
    { kind: 'adam', lr, equivalentTo: [{ name: 'the Adam formula', optimizer: tinyAdam(lr) }] }
  ],
  // Momentum sums g/a of both signs, so the ε parts of a can survive the cancellation: an absolute allowance of about lr·ε/(√(1−ρ)·|c·g|) per step.
  ['rms ∘ momentum ∘ sgd = RMSprop(momentum)', withRMS(withMomentum(sgd(lr), { beta: 0.7 }), { rho: 0.9 }), { kind: 'rmsprop', lr, alpha: 0.9, momentum: 0.7, epsilonApprox: approxEq({ rtol: 1e-5, atol: 1e-6 }), equivalentTo: [{ name: 'rmsprop', optimizer: rmsprop({ lr, alpha: 0.9, momentum: 0.7 }) }] }],
  ['adagrad ∘ sgd = Adagrad', withAdaGrad(sgd(lr), { eps: 1e-10 }), { kind: 'adagrad', lr, equivalentTo: [{ name: 'adagrad', optimizer: adagrad({ lr }) }] }],
  [
    'Adam stages ∘ decoupledWeightDecay ∘ sgd = AdamW',
    withEwma(withRMS(withDecoupledWeightDecay(sgd(lr), { lambda: 0.01 }), { rho: 0.999, debias: true }), { beta: 0.9, debias: true }),
    { scaleInvariant: true, descends: true, equivalentTo: [{ name: 'adamw', optimizer: adamw({ lr, weightDecay: 0.01 }) }] }
  ],
  [
    'weightDecay ∘ Adam = Adam(weight_decay)',
    withWeightDecay(withEwma(withRMS(sgd(lr), { rho: 0.999, debias: true }), { beta: 0.9, debias: true }), { lambda: 0.1 }),
    { kind: 'adam', lr, weightDecay: 0.1, equivalentTo: [{ name: 'adam', optimizer: adam({ lr, weightDecay: 0.1 }) }] }
  ],
  // neutral settings equal the inner optimizer
  ['momentum with β = 0', withMomentum(sgd(lr), { beta: 0 }), { kind: 'sgd', lr, equivalentTo: [{ name: 'sgd', optimizer: sgd(lr) }] }],
  ['weight decay 0', withWeightDecay(sgd(lr), { lambda: 0 }), { kind: 'sgd', lr, equivalentTo: [{ name: 'sgd', optimizer: sgd(lr) }] }],
  ['decoupled weight decay 0', withDecoupledWeightDecay(withMomentum(sgd(lr)), { lambda: 0 }), { equivalentTo: [{ name: 'momentum sgd', optimizer: withMomentum(sgd(lr)) }] }],
  ['clip at +∞', withClip(adam({ lr }), { max: Infinity }), { equivalentTo: [{ name: 'adam', optimizer: adam({ lr }) }] }],
  ['clip by global norm at +∞', withClipByGlobalNorm(rmsprop({ lr }), { maxNorm: Infinity }), { equivalentTo: [{ name: 'rmsprop', optimizer: rmsprop({ lr }) }] }],
  ['ewma with bias correction', withEwma(sgd(0.5), { beta: 0.8, debias: true }), { ewma: { beta: 0.8, debias: true, lr: 0.5 }, linear: true, descends: true }],
  ['ewma without bias correction', withEwma(sgd(0.5), { beta: 0.8 }), { ewma: { beta: 0.8, debias: false, lr: 0.5 }, linear: true, descends: true }],
  ['identity', identity, { linear: true }],
  // wrappers
  ['skipNonFinite on finite gradients', skipNonFinite(adam({ lr })), { kind: 'adam', lr, equivalentTo: [{ name: 'adam', optimizer: adam({ lr }) }] }],
  ['accumulate every 1', accumulate(adam({ lr }), { every: 1 }), { kind: 'adam', lr, equivalentTo: [{ name: 'adam', optimizer: adam({ lr }) }] }],
  ['masked, all selected', masked(withMomentum(sgd(lr)), () => true), { equivalentTo: [{ name: 'momentum sgd', optimizer: withMomentum(sgd(lr)) }] }],
  ['parameterEma', parameterEma(adam({ lr })), { initDependsOnlyOnShapes: false, equivalentTo: [{ name: 'adam', optimizer: adam({ lr }) }] }],
  ['lookahead', lookahead(adam({ lr })), { initDependsOnlyOnShapes: false }]
]

// Five seeds, 20 runs each: every correct built-in passes every law it claims under each of them.
const seeds = [20261129, 1, 2, 3, 4]

describe.each(aliasCases)('alias %s', (_, opt, options) => {
  it.each(seeds)('satisfies the general and its claimed laws (seed %i)', (seed) => {
    checkOptimizerLaws(opt, { ...options, fc: { numRuns: 20, seed } })
  })
})

describe.each(compositionCases)('composition %s', (_, opt, options) => {
  it.each(seeds)('satisfies the general and its claimed laws (seed %i)', (seed) => {
    checkOptimizerLaws(opt, { ...options, fc: { numRuns: 20, seed } })
  })
})

describe('descent laws of the built-in momentum methods', () => {
  it.each(seeds)('sgd decreases and contracts; momentum sgd is heavy ball; the forms agree; Nesterov is the look-ahead form (seed %i)', (seed) => {
    checkDescentLaws(
      {
        gradientDescent: (rate) => sgd(rate),
        heavyBall: (rate, beta) => withMomentum(sgd(rate), { beta }),
        nesterov: (alpha, rate) => withMomentum(sgd(rate), { beta: alpha, nesterov: true }),
        momentumForms: {
          accumulated: (alpha, rate) => withMomentum(sgd(rate), { beta: alpha }),
          averaged: (alpha, rate) => withEwma(sgd(rate), { beta: alpha })
        }
      },
      { fc: { numRuns: 20, seed } }
    )
  })
})

describe('EWMA and minibatches', () => {
  it('ewmaSeries averages a constant series to itself (debiased) and to c(1 − βᵗ) (raw)', () => {
    checkEwmaLaws(ewmaSeries, { fc: fcParams })
  })

  it('an EWMA that forgets the bias correction fails', () => {
    const outcomes = runLaws(ewmaLaws((series, beta) => ewmaSeries(series, beta, false)), fcParams)
    expect(outcomes[0].holds).toBe(false)
  })

  it('an EWMA with the wrong β fails the random-series law, though its bias-corrected constant series is right', () => {
    const outcomes = runLaws(ewmaLaws((series, beta, debias) => ewmaSeries(series, debias ? beta * beta : beta, debias)), fcParams)
    expect(outcomes.map((o) => o.holds)).toEqual([true, false])
  })

  it('minibatchIndices: over an epoch the size-weighted batch gradients average to the full gradient', () => {
    const outcomes = runLaws(minibatchLaws((n, batchSize, seed) => minibatchIndices(n, 1, { batchSize, seed })[0]), fcParams)
    expect(outcomes.map((o) => o.message)).toEqual([undefined, undefined])
  })

  it('with dropLast the tail is left out, and the law says so', () => {
    const [, outcome] = runLaws(minibatchLaws((n, batchSize, seed) => minibatchIndices(n, 1, { batchSize, seed, dropLast: true })[0]), fcParams)
    expect(outcome.holds).toBe(false)
    expect(outcome.message).toMatch(/appears 0 times/)
  })
})

// -------------------------------------------------------------------------------------
// the graph's ops
// -------------------------------------------------------------------------------------

const weights = (shape: readonly number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fromArray(shape, Array.from({ length: n }, (_, i) => 1 + 0.3 * Math.sin(i + 1)))
}

/** Turn an op's output into a scalar that exercises its first and second derivatives: Σ w⊙y + ¼(Σ y)². */
const scalarOf = (y: Sym): Sym => G.add(G.sum(G.mul(y, weights(y.shape))), G.mul(G.square(G.sum(y)), 0.25))

const inRange = (shape: readonly number[], min: number, max: number) => tensorOfShape(shape, { min, max })
const awayFromZero = (shape: readonly number[]) =>
  treeLikeAwayFromZero(fromArray(shape, new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0)), 0.2, 1).map((t) => t as Tensor)
const separated = (n: number) =>
  fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: n, maxLength: n }).map((u) => fromArray([n], u.map((x, i) => x + ((i * 7) % n) * 0.6)))

type OpCase = readonly [string, (x: Sym) => Sym, fc.Arbitrary<Tensor>]

const opCases: readonly OpCase[] = [
  ['neg', (x) => G.neg(x), inRange([4], -1, 1)],
  ['exp', (x) => G.exp(x), inRange([4], -1, 1)],
  ['log', (x) => G.log(x), inRange([4], 0.5, 2)],
  ['sin', (x) => G.sin(x), inRange([4], -2, 2)],
  ['cos', (x) => G.cos(x), inRange([4], -2, 2)],
  ['tan', (x) => G.tan(x), inRange([4], -1, 1)],
  ['sqrt', (x) => G.sqrt(x), inRange([4], 0.5, 2)],
  ['tanh', (x) => G.tanh(x), inRange([4], -2, 2)],
  ['sigmoid', (x) => G.sigmoid(x), inRange([4], -2, 2)],
  ['abs', (x) => G.abs(x), awayFromZero([4])],
  ['relu', (x) => G.relu(x), awayFromZero([4])],
  ['softplus', (x) => G.softplus(x), inRange([4], -2, 2)],
  ['square', (x) => G.square(x), inRange([4], -2, 2)],
  ['powConst', (x) => G.powConst(x, 2.5), inRange([4], 0.5, 2)],
  ['pow', (x) => G.pow(x, G.slice(G.concat([x, x]), 1, 5)), inRange([4], 0.5, 2)],
  ['add', (x) => G.add(x, G.mul(x, x)), inRange([4], -1, 1)],
  ['sub', (x) => G.sub(G.sin(x), x), inRange([4], -1, 1)],
  ['mul', (x) => G.mul(x, G.reshape(G.transpose(G.reshape(x, [2, 2])), [4])), inRange([4], -1, 1)],
  ['div', (x) => G.div(G.sin(x), G.add(2, x)), inRange([4], -1, 1)],
  ['sum over an axis', (x) => G.sum(G.reshape(G.square(x), [2, 3]), 1), inRange([6], -1, 1)],
  ['mean over an axis', (x) => G.mean(G.reshape(G.sin(x), [2, 3]), 0), inRange([6], -1, 1)],
  ['max', (x) => G.max(G.mul(x, x)), separated(4).map((t) => fromArray([4], Array.from(t.data, (v) => v + 0.5)))],
  ['logsumexp', (x) => G.logsumexp(G.reshape(x, [2, 2]), 1), inRange([4], -2, 2)],
  ['matmul', (x) => G.matmul(G.reshape(x, [2, 3]), G.transpose(G.reshape(G.sin(x), [2, 3]))), inRange([6], -1, 1)],
  ['dot', (x) => G.dot(x, G.cos(x)), inRange([4], -1, 1)],
  ['outer', (x) => G.outer(x, G.sin(x)), inRange([3], -1, 1)],
  ['transpose', (x) => G.mul(G.transpose(G.reshape(x, [2, 3])), weights([3, 2])), inRange([6], -1, 1)],
  ['slice', (x) => G.square(G.slice(x, 1, 3)), inRange([4], -1, 1)],
  ['at', (x) => G.mul(G.at(x, 2), G.at(x, 0)), inRange([4], -1, 1)],
  ['concat', (x) => G.square(G.concat([x, G.sin(x)])), inRange([3], -1, 1)],
  ['stack', (x) => G.mul(G.stack([x, G.square(x)]), 1.5), inRange([3], -1, 1)],
  ['pad', (x) => G.square(G.pad(G.sin(x), [1], [2])), inRange([3], -1, 1)]
]

describe.each(opCases)('op %s', (_, op, at) => {
  it('gradient and curvature laws hold', () => {
    const f = (x: Sym): Sym => scalarOf(op(x))
    checkGradientLaws(f, { at, fc: fcParams })
    checkCurvatureLaws(f, { at, fc: fcParams })
  })
})

describe('random programs over the ops', () => {
  it('the gradient laws hold for the library (values, differences, linearity, product and chain rules)', () => {
    checkProgramLaws(undefined, { fc: { numRuns: 60, seed: 20261129 } })
  })

  it('the curvature laws hold for the library (forward-over-reverse HVP, the default)', () => {
    checkProgramCurvatureLaws(undefined, { fc: { numRuns: 60, seed: 20261129 } })
  })

  it('the curvature laws hold for reverse-over-reverse HVP too', () => {
    const reverse = libraryProgramDifferentiator({ ...libraryTransforms, hvp: (f) => G.hvp(f, { mode: 'reverse-over-reverse' }) })
    checkProgramCurvatureLaws(reverse, { fc: { numRuns: 40, seed: 20261129 } })
  })
})

const denseHvp = (h: Tensor): HessianVectorProduct => {
  const operator = denseOperator(h)
  if (E.isLeft(operator)) throw new Error(operator.left.message)
  return operator.right
}

describe('eigen-decomposition and classification', () => {
  it('symmetricEigen and analyzePoint satisfy the eigen laws', () => {
    checkEigenLaws((h) => unsafeSymmetricEigen(h), {
      classify: (h) => unsafeAnalyzePoint({ value: 0, gradient: new Array<number>(h.shape[0]).fill(0), hessian: h }).kind,
      signConvention: true,
      fc: fcParams
    })
  })

  it.each(['largest', 'smallest', 'magnitude'] as const)('lanczos (which = %s) satisfies the partial eigen laws, sign convention included', (which) => {
    checkPartialEigenLaws((h, k) => unsafeLanczos(denseHvp(h), h.shape[0], { k, which }), { which, signConvention: true, fc: fcParams })
  })
})
