import { describe, expect, it } from 'vitest'
import { adadelta, adagrad, adam, adamax, adamw, classicSgd, lion, nadam, rmsprop } from '../../src/optim/aliases.js'
import {
  refAdadelta, refAdagrad, refAdam, refAdamax, refLion, refNadam, refRmsprop, refSgd
} from './reference.js'
import { expectClose, quadraticGrad, run, runRef, sumSquaresGrad, x0 } from './helpers.js'

const objectives = [
  ['Σx²', sumSquaresGrad],
  ['quadratic', quadraticGrad]
] as const

// Each row: an alias with options, and the scalar reference of PyTorch's rule with the same options
// (factories: both carry state across steps).
const table = [
  ['sgd', () => classicSgd({ lr: 0.1 }), () => refSgd({ lr: 0.1 })],
  ['sgd momentum', () => classicSgd({ lr: 0.05, momentum: 0.9 }), () => refSgd({ lr: 0.05, momentum: 0.9 })],
  ['sgd dampening+wd', () => classicSgd({ lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.1 }), () => refSgd({ lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.1 })],
  ['sgd nesterov', () => classicSgd({ lr: 0.05, momentum: 0.9, nesterov: true }), () => refSgd({ lr: 0.05, momentum: 0.9, nesterov: true })],
  ['adagrad', () => adagrad(), () => refAdagrad({})],
  ['adagrad all options', () => adagrad({ lr: 0.1, lrDecay: 0.05, weightDecay: 0.01, initialAccumulatorValue: 0.2, eps: 1e-6 }), () => refAdagrad({ lr: 0.1, lrDecay: 0.05, weightDecay: 0.01, initialAccumulatorValue: 0.2, eps: 1e-6 })],
  ['rmsprop', () => rmsprop(), () => refRmsprop({})],
  ['rmsprop centered momentum wd', () => rmsprop({ lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1 }), () => refRmsprop({ lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1 })],
  ['adam', () => adam(), () => refAdam({})],
  ['adam wd amsgrad', () => adam({ lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true }), () => refAdam({ lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true })],
  ['adamw', () => adamw({ lr: 0.01 }), () => refAdam({ lr: 0.01, weightDecay: 1e-2, decoupled: true })],
  ['adamw amsgrad', () => adamw({ lr: 0.01, weightDecay: 0.1, amsgrad: true }), () => refAdam({ lr: 0.01, weightDecay: 0.1, decoupled: true, amsgrad: true })],
  ['adamax', () => adamax(), () => refAdamax({})],
  ['adamax wd', () => adamax({ lr: 0.01, betas: [0.7, 0.9], weightDecay: 0.1 }), () => refAdamax({ lr: 0.01, betas: [0.7, 0.9], weightDecay: 0.1 })],
  ['nadam', () => nadam(), () => refNadam({})],
  ['nadam options', () => nadam({ lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.05, momentumDecay: 0.01 }), () => refNadam({ lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.05, momentumDecay: 0.01 })],
  ['adadelta', () => adadelta(), () => refAdadelta({})],
  ['adadelta options', () => adadelta({ lr: 0.5, rho: 0.95, eps: 1e-4, weightDecay: 0.1 }), () => refAdadelta({ lr: 0.5, rho: 0.95, eps: 1e-4, weightDecay: 0.1 })],
  ['lion', () => lion(), () => refLion({})],
  ['lion wd', () => lion({ lr: 0.01, betas: [0.8, 0.95], weightDecay: 0.1 }), () => refLion({ lr: 0.01, betas: [0.8, 0.95], weightDecay: 0.1 })],
] as const

describe('aliases against PyTorch formulas', () => {
  describe.each(table)('%s', (_, makeOptimizer, makeReference) => {
    it.each(objectives)('follows the reference for 8 steps on %s', (_name, grad) => {
      expectClose(run(makeOptimizer(), x0, grad, 8), runRef(makeReference(), x0, grad, 8))
    })
  })
})

describe('hyper-parameters out of range are refused with the alias and the parameter named', () => {
  const refused: [string, () => unknown, string][] = [
    ['a negative lr', () => adam({ lr: -1 }), 'adam: lr must be a finite number > 0 or a schedule, got -1'],
    ['a zero lr', () => classicSgd({ lr: 0 }), 'sgd: lr must be a finite number > 0 or a schedule, got 0'],
    ['a NaN lr', () => rmsprop({ lr: NaN }), 'rmsprop: lr must be a finite number > 0 or a schedule, got NaN'],
    ['an infinite lr', () => adagrad({ lr: Infinity }), 'adagrad: lr must be a finite number > 0 or a schedule, got Infinity'],
    ['β₁ = 1', () => adamw({ betas: [1, 0.999] }), 'adamw: betas[0] must be in [0, 1), got 1'],
    ['a negative β₂', () => adamax({ betas: [0.9, -0.1] }), 'adamax: betas[1] must be in [0, 1), got -0.1'],
    ['a negative ε', () => adam({ eps: -1e-8 }), 'adam: eps must be a finite number ≥ 0, got -1e-8'],
    ['a negative weight decay', () => lion({ weightDecay: -0.1 }), 'lion: weightDecay must be a finite number ≥ 0, got -0.1'],
    ['RMSProp α = 2', () => rmsprop({ alpha: 2 }), 'rmsprop: alpha must be in [0, 1), got 2'],
    ['momentum 1', () => classicSgd({ lr: 0.1, momentum: 1 }), 'sgd: momentum must be in [0, 1), got 1'],
    ['dampening 2', () => classicSgd({ lr: 0.1, momentum: 0.9, dampening: 2 }), 'sgd: dampening must be in [0, 1], got 2'],
    ['Nesterov without momentum', () => classicSgd({ lr: 0.1, nesterov: true }), 'sgd: Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch), got momentum 0, dampening 0'],
    ['Nesterov with dampening', () => classicSgd({ lr: 0.1, momentum: 0.9, dampening: 0.5, nesterov: true }), 'got momentum 0.9, dampening 0.5'],
    ['a negative lr decay', () => adagrad({ lrDecay: -1 }), 'adagrad: lrDecay must be a finite number ≥ 0, got -1'],
    ['a negative momentum decay', () => nadam({ momentumDecay: -1 }), 'nadam: momentumDecay must be a finite number ≥ 0, got -1'],
    ['ρ = 1', () => adadelta({ rho: 1 }), 'adadelta: rho must be in [0, 1), got 1']
  ]
  it.each(refused)('%s', (_, make, message) => {
    expect(make).toThrow(RangeError)
    expect(make).toThrow(message)
  })

  it('the edges of each range and a schedule are accepted', () => {
    expect(() => classicSgd({ lr: (t: number) => 0.1 / (1 + t), momentum: 0, dampening: 1 })).not.toThrow()
    expect(() => adam({ lr: 1e-300, betas: [0, 0], eps: 0, weightDecay: 0 })).not.toThrow()
    expect(() => classicSgd({ lr: 0.1, momentum: 0.9, nesterov: true })).not.toThrow()
  })
})
