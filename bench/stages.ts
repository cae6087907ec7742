/**
 * W8: what a user stage costs. One donated Adam step on 1,000,000 parameters,
 * three ways, in interleaved rounds of one process (ratios in one run):
 * - `adam`: chain(ewma, rms, sgd), the built-in stages;
 * - `adam+user`: the same chain with a user elementwise stage in the middle
 *   (d ↦ d/2, written with the library's ops), compiled into the same loop;
 * - `handwritten`: the hand-fused in-place loop.
 * Target: adam+user ≤ 1.3 × adam. Each answer is checked against handwritten first.
 *
 *   npx tsx bench/stages.ts [--quick]    prints the JSON rows (bench/run.ts calls it as W8)
 */
import { chain } from '../src/optim/chain.js'
import * as stages from '../src/optim/stages.js'
import { sgd } from '../src/optim/terminals.js'
import type { Optimizer } from '../src/optim/Optimizer.js'
import { Tensor } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'
import { type Row, compare, crossCheck } from './harness.js'

const n = 1_000_000
const lr = 1e-3
const halve = stages.elementwise({ name: 'halve', rule: ({ d }) => ({ d: d.mul(0.5) }) })
const adam = chain(stages.ewma({ beta: 0.9, debias: true }), stages.rms({ rho: 0.999, debias: true }), sgd(lr))
// the user stage halves d, so lr doubles: the same numbers as adam
const withUser = chain(stages.ewma({ beta: 0.9, debias: true }), halve, stages.rms({ rho: 0.999, debias: true }), sgd(2 * lr))

const handwritten = () => {
  const m = new Float64Array(n)
  const v = new Float64Array(n)
  let t = 0
  return (p: Float64Array, g: Float64Array): void => {
    t++
    const stepSize = lr / (1 - Math.pow(0.9, t))
    const bc2Sqrt = Math.sqrt(1 - Math.pow(0.999, t))
    for (let i = 0; i < n; i++) {
      const gi = g[i]
      const mi = 0.9 * m[i] + 0.09999999999999998 * gi
      const vi = 0.999 * v[i] + 0.0010000000000000009 * (gi * gi)
      m[i] = mi
      v[i] = vi
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + 1e-8)
    }
  }
}

const gradient = Tensor.unsafeFromBuffer([n], Float64Array.from({ length: n }, (_, i) => Math.sin(i)))

/** A donated stepper: state and update buffers reused, as the drivers do. */
const donated = <S>(opt: Optimizer<S>) => {
  const params = Tensor.unsafeFromBuffer([n], new Float64Array(n).fill(0.5))
  let state = opt.init(params)
  let into: TensorTree | undefined
  return (): Float64Array => {
    const [s, u] = opt.stepDonated!(state, gradient, params, into)
    state = s
    into = u
    return (u as Tensor).data
  }
}

export const benchStages = async (quick: boolean): Promise<Row[]> => {
  // correctness first: three steps of each against the handwritten loop
  const hand = handwritten()
  const p = new Float64Array(n).fill(0.5)
  const a = donated(adam)
  const b = donated(withUser)
  for (let k = 0; k < 3; k++) {
    const before = p.slice(0, 1000)
    hand(p, gradient.data)
    const want = p.slice(0, 1000).map((x, i) => x - before[i])
    crossCheck('W8', 'adam', a().slice(0, 1000), want, 1e-12)
    crossCheck('W8', 'adam+user', b().slice(0, 1000), want, 1e-12)
  }
  const hp = new Float64Array(n).fill(0.5)
  const h = handwritten()
  const times = await compare({ adam: donated(adam), 'adam+user': donated(withUser), handwritten: () => h(hp, gradient.data) }, { quick })
  return Object.entries(times).map(([impl, us]) => ({ workload: 'W8', impl, median: us / 1000, unit: 'ms' as const }))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchStages(process.argv.includes('--quick'))
  const by = Object.fromEntries(rows.map((r) => [r.impl, r.median]))
  process.stderr.write(`W8: adam+user / adam = ${(by['adam+user'] / by.adam).toFixed(3)}, adam / handwritten = ${(by.adam / by.handwritten).toFixed(3)}\n`)
  console.log(JSON.stringify(rows, null, 2))
}
