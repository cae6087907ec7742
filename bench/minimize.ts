/**
 * minimize-adam-2d: the per-step overhead of `minimize` on a small problem.
 * Adam (lr 1e-3) on 2-D Rosenbrock from (−1.2, 1), 1000 steps, in interleaved
 * rounds of one process (ratios in one run; the machine may be shared, so
 * read the ratios rather than the absolute times):
 * - `minimize`: `minimize(valueAndGrad(rosenbrock), x0, adam())`;
 * - `handwritten`: a plain loop calling the same compiled value-and-gradient
 *   and a hand-written Adam on two numbers;
 * - `gradient`: the plain loop with the compiled value-and-gradient alone.
 * Times are µs per step. Target: minimize ≤ 2 µs per step. The end points are
 * checked against each other before any time counts.
 *
 *   npx tsx bench/minimize.ts [--quick] [--json]
 */
import { minimize } from '../src/drivers/minimize.js'
import { valueAndGrad } from '../src/graph/index.js'
import { adam } from '../src/optim/aliases.js'
import { Tensor, tensor } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'
import { type Row, compare, crossCheck } from './harness.js'
import { rosenbrock } from './workloads.js'

const steps = 1000
const lr = 1e-3
const f = valueAndGrad(rosenbrock)
const x0 = tensor([-1.2, 1])
const oracle = (x: TensorTree): readonly [number, TensorTree] => f(x as Tensor)
const optimizer = adam({ lr })

export const minimizeAdam2d = (): Float64Array => (minimize(oracle, x0, optimizer, { maxSteps: steps, gradTol: 0 }).params as Tensor).data

/** What a careful person writes: the compiled gradient in a loop, Adam by hand. */
export const handwrittenAdam2d = (): Float64Array => {
  const p = Float64Array.from(x0.data)
  const m = new Float64Array(2)
  const v = new Float64Array(2)
  let x = Tensor.unsafeFromBuffer([2], p)
  for (let t = 1; t <= steps; t++) {
    const g = f(x)[1].data
    const stepSize = lr / (1 - Math.pow(0.9, t))
    const bc2Sqrt = Math.sqrt(1 - Math.pow(0.999, t))
    const next = new Float64Array(2)
    for (let i = 0; i < 2; i++) {
      const gi = g[i]
      m[i] = 0.9 * m[i] + 0.09999999999999998 * gi
      v[i] = 0.999 * v[i] + 0.0010000000000000009 * (gi * gi)
      next[i] = p[i] - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + 1e-8)
    }
    p.set(next)
    x = Tensor.unsafeFromBuffer([2], next)
  }
  return p
}

/** The floor: the compiled value-and-gradient alone, `steps` times. */
const gradientOnly = (): number => {
  let s = 0
  for (let t = 0; t < steps; t++) s += f(x0)[0]
  return s
}

export const benchMinimize = async ({ quick }: { readonly quick: boolean }): Promise<Row[]> => {
  crossCheck('minimize-adam-2d', 'minimize', minimizeAdam2d(), handwrittenAdam2d(), 1e-12)
  const times = await compare({ minimize: minimizeAdam2d, handwritten: handwrittenAdam2d, gradient: gradientOnly }, { quick })
  return Object.entries(times).map(([impl, us]) => ({ workload: 'minimize-adam-2d', impl, median: us / steps, unit: 'us' as const }))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const rows = await benchMinimize({ quick: args.includes('--quick') })
  if (args.includes('--json')) console.log(JSON.stringify(rows))
  else {
    const base = rows.find((r) => r.impl === 'handwritten')!.median
    for (const r of rows) console.log(`${r.impl.padEnd(12)} ${r.median.toPrecision(4)} µs/step  ${(r.median / base).toFixed(2)}× handwritten`)
  }
}
