import { describe, it } from 'vitest'
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
