/**
 * Line searches on Rosenbrock, f = (1 − x)² + 100(y − x²)², from (−1.2, 1):
 * gradient descent with a fixed step, gradient descent with Armijo's
 * backtracking, L-BFGS (two-loop recursion and a strong-Wolfe line search) and
 * Newton's method, each until ‖∇f‖ ≤ 1e-6. Steps and function evaluations are
 * counted (an evaluation is one call of the value-and-gradient oracle; Newton
 * also forms one Hessian per step).
 *
 *   npx tsx examples/line-search.ts          # full run
 *   npx tsx examples/line-search.ts --fast   # fewer steps for the slow ones (CI)
 *
 * Checkable: the minimum is f = 0 at (1, 1); pure Newton converges
 * quadratically near it; L-BFGS should take about as many iterations as
 * SciPy's L-BFGS-B (around 35).
 */
import { minimize } from '../src/drivers/minimize.js'
import { objectiveOf } from '../src/drivers/objective.js'
import { type Sym, hessian } from '../src/graph/index.js'
import { unsafeNewtonStep } from '../src/curvature/newton.js'
import { describe } from '../src/optim/chain.js'
import { sgd } from '../src/optim/combinators.js'
import type { Optimizer } from '../src/optim/Optimizer.js'
import { backtracking, lbfgs } from '../src/optim/terminals.js'
import { type Tensor, tensor } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'

const fast = process.argv.includes('--fast')
const f = (x: Sym) => {
  const a = x.at(0)
  const b = x.at(1)
  return a.neg().add(1).square().add(b.sub(a.square()).square().mul(100))
}
const oracle = objectiveOf(f)
const H = hessian(f)
const start = [-1.2, 1]
const tol = 1e-6
const maxSteps = fast ? 2000 : 100_000

const row = (name: string, steps: number, evaluations: number, x: ArrayLike<number>, value: number): void =>
  console.log(`  ${name.padEnd(62)} ${String(steps).padStart(7)} ${String(evaluations).padStart(8)}  ${value.toExponential(2).padStart(9)}  ${x[0].toFixed(7)}, ${x[1].toFixed(7)}`)

console.log(`Rosenbrock from (−1.2, 1) until ‖∇f‖ ≤ ${tol} (at most ${maxSteps} steps):`)
console.log(`  ${'method'.padEnd(62)} ${'steps'.padStart(7)} ${'f evals'.padStart(8)}  ${'f'.padStart(9)}  x, y`)
const methods: Record<string, Optimizer<unknown>> = {
  'gradient descent, fixed step 1e-3': sgd(1e-3) as unknown as Optimizer<unknown>,
  [`gradient descent, ${describe(backtracking())}`]: backtracking() as unknown as Optimizer<unknown>,
  [describe(lbfgs())]: lbfgs() as unknown as Optimizer<unknown>
}
for (const [name, opt] of Object.entries(methods)) {
  let evaluations = 0
  const counted = (x: TensorTree) => {
    evaluations++
    return oracle(x)
  }
  const r = minimize(counted, tensor(start), opt, { maxSteps, gradTol: tol })
  row(name, r.steps, evaluations, (r.params as Tensor).data, r.value)
}

// Newton's method, pure steps x ← x − H⁻¹∇f (the Hessian from the graph).
{
  let x = tensor(start)
  let evaluations = 0
  let steps = 0
  for (;;) {
    const [value, g] = oracle(x)
    evaluations++
    const gd = (g as Tensor).data
    if (Math.hypot(gd[0], gd[1]) <= tol || steps >= 100) {
      row('Newton, pure steps (one Hessian each)', steps, evaluations, x.data, value)
      break
    }
    const p = unsafeNewtonStep(g as Tensor, H(x) as Tensor)
    x = tensor([x.data[0] + p[0], x.data[1] + p[1]])
    steps++
  }
}
