/**
 * Model-based test of the fusing engine: random pipelines (in the JSON spec's
 * form) built by the fused code must take the same steps as a plain
 * interpreter that applies one stage at a time to whole vectors, exactly as
 * docs/optimizers.md words the g/d semantics — and the donated step must agree bit for bit.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type StageSpec, optimizerFromSpec } from '../../src/io/spec.js'
import { applyUpdates, type Optimizer } from '../../src/optim/Optimizer.js'
import { flatData, quadraticGrad, toTree, fromTree } from './helpers.js'

type V = number[]

/** The unfused reference: stages outermost first, one vector operation each. */
const interpreter = (stages: readonly StageSpec[], lr: number) => {
  const slots = stages.map(() => ({}) as Record<string, V>)
  let t = 0
  return (theta: V, grad: V): V => {
    t++
    let g = grad.slice()
    let d = grad.slice()
    stages.forEach((stage, i) => {
      const s = slots[i]
      const zeros = () => g.map(() => 0)
      if ('weightDecay' in stage) {
        const l = stage.weightDecay.lambda
        g = g.map((x, k) => x + l * theta[k])
        d = d.map((x, k) => x + l * theta[k])
      } else if ('decoupledWeightDecay' in stage) {
        d = d.map((x, k) => x + stage.decoupledWeightDecay.lambda * theta[k])
      } else if ('clip' in stage) {
        const m = stage.clip.max
        g = g.map((x) => Math.min(Math.max(x, -m), m))
        d = d.map((x) => Math.min(Math.max(x, -m), m))
      } else if ('clipByGlobalNorm' in stage) {
        const norm = Math.sqrt(g.reduce((a, x) => a + x * x, 0))
        const scale = norm > stage.clipByGlobalNorm.maxNorm ? stage.clipByGlobalNorm.maxNorm / norm : 1
        g = g.map((x) => x * scale)
        d = d.map((x) => x * scale)
      } else if ('momentum' in stage) {
        const { beta, dampening = 0, nesterov = false } = stage.momentum
        s.v = t === 1 ? d.slice() : s.v.map((v, k) => beta * v + (1 - dampening) * d[k])
        d = nesterov ? d.map((x, k) => x + beta * s.v[k]) : s.v.slice()
      } else if ('ewma' in stage) {
        const { beta, debias = false } = stage.ewma
        s.m = (s.m ?? zeros()).map((m, k) => beta * m + (1 - beta) * d[k])
        d = s.m.map((m) => (debias ? m / (1 - beta ** t) : m))
      } else if ('rms' in stage) {
        const { rho, eps = 1e-8, centered = false, debias = false, epsInside = false } = stage.rms
        s.nu = (s.nu ?? zeros()).map((r, k) => rho * r + (1 - rho) * g[k] * g[k])
        s.mu = (s.mu ?? zeros()).map((m, k) => rho * m + (1 - rho) * g[k])
        const bc = debias ? 1 - rho ** t : 1
        d = d.map((x, k) => {
          const r = centered ? s.nu[k] - s.mu[k] * s.mu[k] : s.nu[k]
          return x / (epsInside ? Math.sqrt(r / bc + eps) : Math.sqrt(r) / Math.sqrt(bc) + eps)
        })
      } else if ('adagrad' in stage) {
        const { eps = 1e-10, initialAccumulatorValue = 0 } = stage.adagrad
        s.sum = (s.sum ?? g.map(() => initialAccumulatorValue)).map((r, k) => r + g[k] * g[k])
        d = d.map((x, k) => x / (Math.sqrt(s.sum[k]) + eps))
      }
    })
    return d.map((x) => -lr * x)
  }
}

const beta = fc.double({ min: 0, max: 0.99, noNaN: true })
const stageArb: fc.Arbitrary<StageSpec> = fc.oneof(
  fc.record({ momentum: fc.record({ beta, dampening: fc.double({ min: 0, max: 1, noNaN: true }), nesterov: fc.boolean() }) }),
  fc.record({ ewma: fc.record({ beta, debias: fc.boolean() }) }),
  fc.record({ rms: fc.record({ rho: beta, eps: fc.double({ min: 1e-8, max: 1e-2, noNaN: true }), centered: fc.constant(false), debias: fc.boolean(), epsInside: fc.boolean() }) }),
  fc.record({ adagrad: fc.record({ eps: fc.double({ min: 1e-10, max: 1e-2, noNaN: true }), initialAccumulatorValue: fc.double({ min: 0, max: 1, noNaN: true }) }) }),
  fc.record({ weightDecay: fc.record({ lambda: fc.double({ min: 0, max: 1, noNaN: true }) }) }),
  fc.record({ decoupledWeightDecay: fc.record({ lambda: fc.double({ min: 0, max: 1, noNaN: true }) }) }),
  fc.record({ clip: fc.record({ max: fc.double({ min: 0.1, max: 5, noNaN: true }) }) }),
  fc.record({ clipByGlobalNorm: fc.record({ maxNorm: fc.double({ min: 0.1, max: 5, noNaN: true }) }) })
)

describe('fused chains equal the one-stage-at-a-time interpreter', () => {
  it('for random pipelines, several steps on a quadratic', () => {
    fc.assert(
      fc.property(fc.array(stageArb, { minLength: 0, maxLength: 4 }), fc.double({ min: 1e-3, max: 0.1, noNaN: true }), (stages, lr) => {
        const opt = optimizerFromSpec([...stages, { sgd: { lr } }]) as Optimizer<unknown>
        const ref = interpreter(stages, lr)
        let params = toTree([1.5, -2, 0.3, 0.7])
        let pure = opt.init(params)
        let owned = opt.init(params)
        let theta = fromTree(params)
        for (let k = 0; k < 5; k++) {
          const g = quadraticGrad(theta)
          const [s1, u1] = opt.step(pure, toTree(g), params)
          const [s2, u2] = opt.stepDonated!(owned, toTree(g), params)
          pure = s1
          owned = s2
          expect(flatData(u2).every((x, i) => Object.is(x, flatData(u1)[i]))).toBe(true)
          const expected = ref(theta, g)
          const got = fromTree(u1)
          got.forEach((x, i) => expect(Math.abs(x - expected[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[i]))))
          params = applyUpdates(params, u1)
          theta = fromTree(params)
        }
      }),
      { seed: 20261129, numRuns: 200 }
    )
  })
})
