/**
 * The convergence table: every optimizer reaches the minimum of a convex
 * quadratic and of Rosenbrock's function within the documented number of
 * steps and distance (gradients analytic). Rows marked with a schedule need
 * one: Lion and NAdam oscillate at a constant rate, Adadelta wanders along
 * Rosenbrock's valley unless its rate decays.
 */
import { describe, expect, it } from 'vitest'
import { minimize } from '../../src/drivers/minimize.js'
import { adadelta, adagrad, adam, adamax, adamw, classicSgd, lion, nadam, rmsprop } from '../../src/optim/aliases.js'
import { newtonCG, saddleFreeNewton } from '../../src/optim/newton.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { cosineDecay, exponentialDecay } from '../../src/optim/Schedule.js'
import { type Tensor, fromArray, tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'

const xy = (x: TensorTree): [number, number] => [(x as Tensor).data[0], (x as Tensor).data[1]]

// f = ½xᵀQx − bᵀx, minimum at Q⁻¹b = (4/11, −5/11).
const Q = [[4, 1], [1, 3]]
const B = [1, -1]
const quadratic = (x: TensorTree): readonly [number, TensorTree] => {
  const [a, b] = xy(x)
  const g = [Q[0][0] * a + Q[0][1] * b - B[0], Q[1][0] * a + Q[1][1] * b - B[1]]
  return [0.5 * (a * (g[0] + B[0]) + b * (g[1] + B[1])) - (B[0] * a + B[1] * b), fromArray([2], g)]
}
const quadraticHessian = (): number[][] => Q

// Rosenbrock f = (1 − a)² + 100(b − a²)², minimum at (1, 1).
const rosenbrock = (x: TensorTree): readonly [number, TensorTree] => {
  const [a, b] = xy(x)
  return [(1 - a) ** 2 + 100 * (b - a * a) ** 2, fromArray([2], [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])]
}
const rosenbrockHessian = (x: TensorTree): number[][] => {
  const [a, b] = xy(x)
  return [[2 - 400 * (b - 3 * a * a), -400 * a], [-400 * a, 200]]
}

const hvpOf = (hessian: (x: TensorTree) => number[][]) => (x: TensorTree, v: TensorTree): TensorTree => {
  const H = hessian(x)
  const [p, q] = xy(v)
  return fromArray([2], [H[0][0] * p + H[0][1] * q, H[1][0] * p + H[1][1] * q])
}

type Row = readonly [name: string, make: (hessian: (x: TensorTree) => number[][]) => Optimizer<unknown>, quadSteps: number, quadTol: number, rosenSteps: number, rosenTol: number]

const table: readonly Row[] = [
  ['sgd(lr 1e-3, momentum 0.9)', () => classicSgd({ lr: 1e-3, momentum: 0.9 }) as Optimizer<unknown>, 1000, 1e-5, 5000, 1e-4],
  ['adagrad(lr 0.5)', () => adagrad({ lr: 0.5 }) as Optimizer<unknown>, 200, 1e-5, 20000, 1e-4],
  ['rmsprop(lr 1e-3, momentum 0.9, centered)', () => rmsprop({ lr: 1e-3, momentum: 0.9, centered: true }) as Optimizer<unknown>, 1000, 1e-5, 20000, 1e-3],
  ['adam(lr 0.02)', () => adam({ lr: 0.02 }) as Optimizer<unknown>, 1000, 1e-5, 5000, 1e-4],
  ['adamw(lr 0.02, weightDecay 0)', () => adamw({ lr: 0.02, weightDecay: 0 }) as Optimizer<unknown>, 1000, 1e-5, 5000, 1e-4],
  ['adamax(lr 0.02)', () => adamax({ lr: 0.02 }) as Optimizer<unknown>, 1000, 1e-5, 8000, 1e-4],
  ['nadam(lr cosine 0.02 → 0 over 8000)', () => nadam({ lr: cosineDecay({ init: 0.02, decaySteps: 8000 }) }) as Optimizer<unknown>, 1000, 1e-5, 8000, 1e-4],
  ['adadelta(lr 1 · 0.9998ᵗ, rho 0.95)', () => adadelta({ lr: exponentialDecay({ init: 1, rate: 0.9998 }), rho: 0.95 }) as Optimizer<unknown>, 1000, 1e-5, 40000, 1e-4],
  ['lion(lr cosine 1e-2 → 0 over 3000)', () => lion({ lr: cosineDecay({ init: 1e-2, decaySteps: 3000 }) }) as Optimizer<unknown>, 3000, 1e-4, 3000, 1e-4],
  ['newtonCG(radius 0.5)', (h) => newtonCG({ hvp: hvpOf(h), radius: 0.5 }) as Optimizer<unknown>, 5, 1e-10, 30, 1e-6],
  ['saddleFreeNewton(damping 1e-3)', (h) => saddleFreeNewton({ hessian: (x) => tensor(h(x)), damping: 1e-3 }) as Optimizer<unknown>, 10, 1e-8, 30, 1e-6]
]

describe('convergence table', () => {
  describe.each(table)('%s', (_, make, quadSteps, quadTol, rosenSteps, rosenTol) => {
    it(`reaches (4/11, −5/11) on the quadratic from (2, −2) within ${quadSteps} steps`, () => {
      const r = minimize(quadratic, tensor([2, -2]), make(quadraticHessian), { maxSteps: quadSteps, gradTol: 1e-9 })
      const [a, b] = xy(r.params)
      expect(Math.hypot(a - 4 / 11, b + 5 / 11)).toBeLessThanOrEqual(quadTol)
    })
    it(`reaches (1, 1) on Rosenbrock from (−1.2, 1) within ${rosenSteps} steps`, () => {
      const r = minimize(rosenbrock, tensor([-1.2, 1]), make(rosenbrockHessian), { maxSteps: rosenSteps, gradTol: 1e-7 })
      const [a, b] = xy(r.params)
      expect(Math.hypot(a - 1, b - 1)).toBeLessThanOrEqual(rosenTol)
    })
  })
})
