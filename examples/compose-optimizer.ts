/**
 * Composing optimizers with `chain`. Adam is `chain(ewma, rms, sgd(lr))` with
 * bias correction, and the same chain written four ways (alias, chain, nested
 * combinators, JSON pipeline) takes bit-identical steps; `describe` prints it
 * and `toSpec` turns it back into JSON. A user stage (sign) between built-in
 * ones makes Signum. Then, on Rosenbrock, Adam from its
 * parts with one piece changed at a time (centered RMS, a cosine schedule,
 * momentum instead of the EWMA: the design card's `withMomentum(withRMS(sgd))`)
 * against a few aliases.
 *
 *   npx tsx examples/compose-optimizer.ts          # full run
 *   npx tsx examples/compose-optimizer.ts --fast   # fewer steps (CI)
 *
 * Checkable by hand:
 * - Adam's first step on f = x² from x = 1 (g = 2) is −lr·g/(|g| + ε) ≈ −0.001.
 * - Heavy ball (lr 0.1, β 0.9) on f = x² from 1: x = 0.8, 0.46, 0.062
 *   (v = 2, 0.9·2 + 1.6 = 3.4, 0.9·3.4 + 0.92 = 3.98).
 */
import * as E from 'fp-ts/lib/Either.js'
import { minimize } from '../src/drivers/minimize.js'
import { objectiveOf } from '../src/drivers/objective.js'
import type { Sym } from '../src/graph/index.js'
import { decodeOptimizerSpec, optimizerFromSpec } from '../src/io/spec.js'
import { adam, classicSgd, lion, nadam } from '../src/optim/aliases.js'
import { chain, describe, toSpec } from '../src/optim/chain.js'
import { sgd, withEwma, withMomentum, withRMS } from '../src/optim/combinators.js'
import * as stages from '../src/optim/stages.js'
import { type Optimizer, applyUpdates } from '../src/optim/Optimizer.js'
import { type Schedule, cosineDecay } from '../src/optim/Schedule.js'
import { type Tensor, tensor } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'

const fast = process.argv.includes('--fast')
const first = (x: TensorTree): number => (x as Tensor).data[0]

/** Steps of an optimizer on f = x² from x = 1: the parameter after each. */
const onSquare = <S>(opt: Optimizer<S>, steps: number): number[] => {
  let x: TensorTree = tensor([1])
  let s = opt.init(x)
  const xs: number[] = []
  for (let k = 0; k < steps; k++) {
    const [s1, u] = opt.step(s, tensor([2 * first(x)]), x)
    s = s1
    x = applyUpdates(x, u)
    xs.push(first(x))
  }
  return xs
}

// 1. Adam three ways.
const spec = decodeOptimizerSpec([{ ewma: { beta: 0.9, debias: true } }, { rms: { rho: 0.999, eps: 1e-8, debias: true } }, { sgd: { lr: 0.001 } }])
if (E.isLeft(spec)) throw new Error(spec.left.join('\n'))
const ways = {
  'adam()': adam(),
  'chain(ewma, rms, sgd(1e-3))': chain(stages.ewma({ beta: 0.9, debias: true }), stages.rms({ rho: 0.999, debias: true }), sgd(1e-3)),
  'withEwma(withRMS(sgd(1e-3), …), …)': withEwma(withRMS(sgd(1e-3), { rho: 0.999, debias: true }), { beta: 0.9, debias: true }),
  'JSON pipeline': optimizerFromSpec(spec.right)
}
console.log('Adam written four ways, f = x² from x = 1 (first step ≈ −0.001):')
const runs = Object.entries(ways).map(([name, opt]) => [name, onSquare(opt as Optimizer<unknown>, 3)] as const)
for (const [name, xs] of runs) console.log(`  ${name.padEnd(36)} ${xs.map((x) => x.toFixed(12)).join('  ')}`)
const identical = runs.every(([, xs]) => xs.every((x, i) => Object.is(x, runs[0][1][i])))
console.log(`  bit-identical: ${identical}`)
console.log(`  describe: ${describe(ways['chain(ewma, rms, sgd(1e-3))'])}`)
console.log(`  toSpec:   ${JSON.stringify(toSpec(ways['chain(ewma, rms, sgd(1e-3))']))}`)

// 2. Heavy ball by hand.
console.log('\nHeavy ball chain(momentum({beta: 0.9}), sgd(0.1)) on x² (expect 0.8, 0.46, 0.062):')
console.log(`  ${onSquare(chain(stages.momentum({ beta: 0.9 }), sgd(0.1)), 3).map((x) => x.toFixed(12)).join('  ')}`)
console.log(`  the nested form withMomentum(sgd(0.1)) is the same: ${onSquare(withMomentum(sgd(0.1), { beta: 0.9 }), 3).map((x) => x.toFixed(12)).join('  ')}`)

// A user stage written with the library's ops, fused into the same loop.
const sign = stages.elementwise({ name: 'sign', rule: ({ d }) => ({ d: d.sign() }) })
const signum = chain(stages.ewma({ beta: 0.9 }), sign, sgd(0.01))
console.log(`\nSignum ${describe(signum)} on x² (each step exactly 0.01): ${onSquare(signum, 3).map((x) => x.toFixed(12)).join('  ')}`)

// 3. Rosenbrock with traced gradients: Adam's parts, then one piece changed at a time.
const objective = objectiveOf((x: Sym) => {
  const a = x.at(0)
  const b = x.at(1)
  return a.neg().add(1).square().add(b.sub(a.square()).square().mul(100))
})
const steps = fast ? 500 : 5000
const adamFrom = (lr: number | Schedule, rms: { readonly centered?: boolean } = {}) =>
  chain(stages.ewma({ beta: 0.9, debias: true }), stages.rms({ rho: 0.999, eps: 1e-8, debias: true, ...rms }), sgd(lr)) as unknown as Optimizer<unknown>
const contenders: Record<string, Optimizer<unknown>> = {
  'adam(lr 0.02)': adam({ lr: 0.02 }) as Optimizer<unknown>,
  'the same from parts': adamFrom(0.02),
  '… with centered RMS': adamFrom(0.02, { centered: true }),
  '… with lr cosine 0.02 → 0': adamFrom(cosineDecay({ init: 0.02, decaySteps: steps })),
  '… momentum instead of EWMA': chain(stages.momentum(), stages.rms(), sgd(0.01)) as unknown as Optimizer<unknown>,
  'signum (ewma → sign → sgd, cosine)': chain(stages.ewma({ beta: 0.9 }), sign, sgd(cosineDecay({ init: 1e-2, decaySteps: steps }))) as unknown as Optimizer<unknown>,
  'classicSgd(lr 1e-3, momentum 0.9)': classicSgd({ lr: 1e-3, momentum: 0.9 }) as Optimizer<unknown>,
  'nadam(cosine 0.02 → 0)': nadam({ lr: cosineDecay({ init: 0.02, decaySteps: steps }) }) as Optimizer<unknown>,
  'lion(cosine 0.01 → 0)': lion({ lr: cosineDecay({ init: 1e-2, decaySteps: steps }) }) as Optimizer<unknown>
}
console.log(`\nRosenbrock from (−1.2, 1), at most ${steps} steps (minimum 0 at (1, 1)):`)
console.log(`  ${'optimizer'.padEnd(36)} ${'steps'.padStart(6)}  ${'f'.padStart(10)}  x, y`)
for (const [name, opt] of Object.entries(contenders)) {
  const r = minimize(objective, tensor([-1.2, 1]), opt, { maxSteps: steps, gradTol: 1e-8 })
  const [x, y] = (r.params as Tensor).data
  console.log(`  ${name.padEnd(36)} ${String(r.steps).padStart(6)}  ${r.value.toExponential(2).padStart(10)}  ${x.toFixed(6)}, ${y.toFixed(6)}`)
}
