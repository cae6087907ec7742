import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeOptimizerSpec, encodeOptimizerSpec, optimizerFromSpec, optimizerFromText, parseOptimizerSpec } from '../../src/io/spec.js'
import { adam, adamw, classicSgd, rmsprop } from '../../src/optim/aliases.js'
import { sgd, withEwma, withMomentum, withRMS } from '../../src/optim/combinators.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { cosineDecay, join, linearWarmup } from '../../src/optim/Schedule.js'
import { expectClose, quadraticGrad, run, x0 } from '../optim/helpers.js'

const errorsOf = (json: unknown): readonly string[] => {
  const r = decodeOptimizerSpec(json)
  if (E.isRight(r)) throw new Error(`expected a rejection of ${JSON.stringify(json)}`)
  return r.left
}
const build = (json: unknown): Optimizer<unknown> => {
  const r = decodeOptimizerSpec(json)
  if (E.isLeft(r)) throw new Error(r.left.join('\n'))
  return optimizerFromSpec(r.right) as Optimizer<unknown>
}
const same = (a: Optimizer<unknown>, b: Optimizer<unknown>) => expectClose(run(a, x0, quadraticGrad, 6), run(b, x0, quadraticGrad, 6), 0, 0)

const valid: readonly unknown[] = [
  { sgd: { lr: 0.01, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 } },
  { sgd: { lr: 0.1 } },
  { adagrad: { lr: 0.1, lrDecay: 0.01, weightDecay: 0, initialAccumulatorValue: 0.1, eps: 1e-10 } },
  { rmsprop: { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0.5, centered: true } },
  { adam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false } },
  { adamw: {} },
  { adamax: { betas: [0.8, 0.9] } },
  { nadam: { momentumDecay: 0.004 } },
  { adadelta: { rho: 0.95 } },
  { lion: { lr: 1e-4 } },
  [{ ewma: { beta: 0.9, debias: true } }, { rms: { rho: 0.999, eps: 1e-8, debias: true } }, { sgd: { lr: 0.001 } }],
  [{ clipByGlobalNorm: { maxNorm: 1 } }, { weightDecay: { lambda: 0.1 } }, { clip: { max: 3 } }, { momentum: { beta: 0.9, nesterov: true } }, { adagrad: {} }, { decoupledWeightDecay: { lambda: 0.01 } }, { sgd: { lr: { cosineDecay: { init: 0.1, decaySteps: 100 } } } }],
  [{ sgd: { lr: { join: { schedules: [{ linearWarmup: { to: 0.1, steps: 10 } }, { piecewiseConstant: { boundaries: [5, 10], values: [0.1, 0.01, 0.001] } }], boundaries: [10] } } } }]
]

describe('decode and encode', () => {
  it.each(valid.map((v) => [JSON.stringify(v), v]))('%s encodes back to the same JSON', (_, json) => {
    const r = decodeOptimizerSpec(json)
    expect(E.isRight(r)).toBe(true)
    if (E.isRight(r)) expect(JSON.stringify(encodeOptimizerSpec(r.right))).toBe(JSON.stringify(json))
  })
})

describe('rejections name the path and the reason', () => {
  it.each([
    [{ adam: { lr: 0 } }, '$.adam.lr: must be > 0, got 0'],
    [{ adam: { lr: -1 } }, '$.adam.lr: must be > 0, got -1'],
    [{ adam: { betas: [0.9, 1] } }, '$.adam.betas[1]: must be in [0, 1), got 1'],
    [{ adam: { betas: [0.9] } }, '$.adam.betas: expected an array of 2 numbers, got an array of length 1'],
    [{ adam: { eps: -1e-8 } }, '$.adam.eps: must be ≥ 0, got -1e-8'],
    [{ adam: { lr: '0.1' } }, '$.adam.lr: expected a finite number, got "0.1"'],
    [{ adam: { learningRate: 0.1 } }, "$.adam.learningRate: unknown key 'learningRate' (expected 'lr', 'betas', 'eps', 'weightDecay', 'amsgrad')"],
    [{ adma: {} }, "$.adma: unknown optimizer 'adma' (expected one of 'sgd', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adamax', 'nadam', 'adadelta', 'lion')"],
    [{ sgd: {} }, "$.sgd.lr: missing required key 'lr'"],
    [{ sgd: { lr: 0.1, nesterov: true } }, '$.sgd.nesterov: Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch)'],
    [{ adam: {}, sgd: { lr: 1 } }, "$: expected exactly one key (one of 'sgd', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adamax', 'nadam', 'adadelta', 'lion'), got 2: 'adam', 'sgd'"],
    [[], '$: expected at least 1 element, got 0'],
    [[{ rms: { rho: 0.9 } }], "$[0]: a pipeline must end in sgd or another terminal (backtracking, lbfgs, nesterovLookahead), got 'rms'"],
    [[{ sgd: { lr: 1 } }, { sgd: { lr: 1 } }], '$[0]: sgd must be the last stage (it is stage 0 of 2)'],
    [[{ ewma: { beta: 1.5 } }, { sgd: { lr: 1 } }], '$[0].ewma.beta: must be in [0, 1), got 1.5'],
    [[{ rms: { rho: 0.9, epsilon: 1 } }, { sgd: { lr: 1 } }], "$[0].rms.epsilon: unknown key 'epsilon' (expected 'rho', 'eps', 'centered', 'debias', 'epsInside', 'amsgrad')"],
    [[{ momentum: {} }, { sgd: { lr: 1 } }], "$[0].momentum.beta: missing required key 'beta'"],
    [[{ sgd: { lr: { cosineDecay: { init: 0.1, decaySteps: 0 } } } }], '$[0].sgd.lr.cosineDecay.decaySteps: must be a positive integer, got 0'],
    [[{ sgd: { lr: { piecewiseConstant: { boundaries: [5], values: [1] } } } }], '$[0].sgd.lr.piecewiseConstant.values: needs 2 values for 1 boundaries, got 1'],
    [[{ sgd: { lr: { join: { schedules: [{ constant: { value: 1 } }, { warmup: {} }], boundaries: [3] } } } }], "$[0].sgd.lr.join.schedules[1].warmup: unknown schedule 'warmup' (expected one of 'constant', 'exponentialDecay', 'stepDecay', 'cosineDecay', 'linearWarmup', 'piecewiseConstant', 'join')"],
    ['adam', "$: expected an object with one key, one of 'sgd', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adamax', 'nadam', 'adadelta', 'lion', got \"adam\""]
  ] as const)('%j', (json, message) => {
    expect(errorsOf(json)).toContain(message)
  })
  it('reports every error, not just the first', () => {
    expect(errorsOf({ adam: { lr: 0, eps: -1, foo: 1 } }).length).toBe(3)
  })
})

describe('optimizers from specs', () => {
  it('aliases build the alias with its defaults', () => {
    same(build({ adam: {} }), adam() as Optimizer<unknown>)
    same(build({ adamw: { lr: 0.01 } }), adamw({ lr: 0.01 }) as Optimizer<unknown>)
    same(build({ sgd: { lr: 0.05, momentum: 0.9, nesterov: true } }), classicSgd({ lr: 0.05, momentum: 0.9, nesterov: true }) as Optimizer<unknown>)
    same(build({ rmsprop: { centered: true } }), rmsprop({ centered: true }) as Optimizer<unknown>)
  })
  it("the Adam pipeline of docs/spec.md is Adam", () => {
    const pipeline = [{ ewma: { beta: 0.9, debias: true } }, { rms: { rho: 0.999, eps: 1e-8, debias: true } }, { sgd: { lr: 0.001 } }]
    same(build(pipeline), adam() as Optimizer<unknown>)
    same(build(pipeline), withEwma(withRMS(sgd(0.001), { rho: 0.999, debias: true }), { beta: 0.9, debias: true }) as Optimizer<unknown>)
  })
  it('a pipeline with a schedule reads stages outermost first', () => {
    const lr = join([linearWarmup({ to: 0.1, steps: 3 }), cosineDecay({ init: 0.1, decaySteps: 10 })], [3])
    const json = [{ momentum: { beta: 0.8 } }, { rms: { rho: 0.9 } }, { sgd: { lr: { join: { schedules: [{ linearWarmup: { to: 0.1, steps: 3 } }, { cosineDecay: { init: 0.1, decaySteps: 10 } }], boundaries: [3] } } } }]
    same(build(json), withMomentum(withRMS(sgd(lr), { rho: 0.9 }), { beta: 0.8 }) as Optimizer<unknown>)
  })
})

describe('parseOptimizerSpec', () => {
  it('accepts a bare alias name with its defaults, and JSON text', () => {
    expect(parseOptimizerSpec(' adam ')).toEqual(E.right({ adam: {} }))
    expect(parseOptimizerSpec('{"rmsprop": {"lr": 0.1}}')).toEqual(E.right({ rmsprop: { lr: 0.1 } }))
    expect(E.isRight(optimizerFromText('nadam'))).toBe(true)
  })
  it('explains sgd without lr, unknown names and bad JSON', () => {
    expect(parseOptimizerSpec('sgd')).toEqual(E.left(['$: sgd needs a learning rate (no default, as in PyTorch): write {"sgd": {"lr": 0.01}}']))
    expect(E.isLeft(parseOptimizerSpec('adamx'))).toBe(true)
    const bad = parseOptimizerSpec('{"adam": ')
    expect(E.isLeft(bad) && bad.left[0].startsWith('$: not valid JSON')).toBe(true)
  })
})


describe('hostile input', () => {
  const joins = (depth: number): unknown => {
    let s: unknown = { constant: { value: 0.1 } }
    for (let i = 0; i < depth; i++) s = { join: { schedules: [s], boundaries: [] } }
    return [{ sgd: { lr: s } }]
  }
  it('rejects sparse arrays with the index of the hole', () => {
    expect(decodeOptimizerSpec(new Array(3))).toEqual(E.left(['$: expected an array without holes, got a sparse array (nothing at index 0)']))
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    expect(decodeOptimizerSpec([{ clip: { max: 1 } }, , { sgd: { lr: 0.1 } }])).toEqual(E.left(['$: expected an array without holes, got a sparse array (nothing at index 1)']))
    const betas = [0.9]
    betas.length = 2
    expect(decodeOptimizerSpec({ adam: { betas } })).toEqual(E.left(['$.adam.betas: expected an array without holes, got a sparse array (nothing at index 1)']))
  })
  it('decodes join schedules nested 15 deep and rejects 3,000 deep with a message, not a stack overflow', () => {
    const ok = decodeOptimizerSpec(joins(15))
    expect(E.isRight(ok)).toBe(true)
    const bad = decodeOptimizerSpec(joins(3000))
    expect(E.isLeft(bad) && bad.left[0]).toMatch(/^\$\[0\]\.sgd\.lr(\.join|\.schedules|\[0\])+: the spec nests deeper than 64 levels$/)
  })
  it('never takes an Object.prototype name for an optimizer or a stage', () => {
    for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__']) {
      expect(E.isLeft(parseOptimizerSpec(name))).toBe(true)
      const json = JSON.parse(`{${JSON.stringify(name)}: {}}`)
      expect(decodeOptimizerSpec(json)).toEqual(E.left([`$${/^\w+$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}: unknown optimizer '${name}' (expected one of 'sgd', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adamax', 'nadam', 'adadelta', 'lion')`]))
      expect(E.isLeft(decodeOptimizerSpec([JSON.parse(`{${JSON.stringify(name)}: {}}`), { sgd: { lr: 0.1 } }]))).toBe(true)
      expect(E.isLeft(decodeOptimizerSpec(JSON.parse(`{"adam": {${JSON.stringify(name)}: 1}}`)))).toBe(true)
    }
  })
  it('quotes at most a short piece of a huge key or name', () => {
    const key = 'k'.repeat(100000)
    const r = decodeOptimizerSpec({ adam: { [key]: 1 } })
    expect(E.isLeft(r) && r.left[0].length).toBeLessThan(400)
    const n = parseOptimizerSpec('a'.repeat(100000))
    expect(E.isLeft(n) && n.left[0]).toMatch(/^\$: unknown optimizer 'a{40}…' \(100000 characters\)/)
  })
})
