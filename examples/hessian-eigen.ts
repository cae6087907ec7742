/**
 * Hessian eigenvalues, by example: a saddle, Rosenbrock's narrow valley, and
 * Himmelblau's nine critical points, then a 1,000-dimensional Hessian seen
 * only through Hessian-vector products. Every number printed can be checked
 * by hand from the formulas in the comments.
 *
 *   npx tsx examples/hessian-eigen.ts          # full
 *   npx tsx examples/hessian-eigen.ts --fast   # a smaller matrix-free part (CI)
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PointAnalysis, unsafeAnalyze } from '../src/curvature/analyze.js'
import { hessianOperator } from '../src/curvature/graphOperator.js'
import { unsafeLanczos } from '../src/curvature/lanczos.js'
import { unsafeNewtonStep, unsafeSaddleFreeNewtonStep } from '../src/curvature/newton.js'
import { unsafeHutchinsonTrace } from '../src/curvature/trace.js'
import { type Sym, sub } from '../src/graph/index.js'
import { Tensor, tensor } from '../src/tensor/Tensor.js'

const fast = process.argv.includes('--fast')

const fix = (x: number, digits = 4): string => (Object.is(x, -0) ? 0 : x).toFixed(digits)
const vec = (xs: readonly number[], digits = 4): string => `(${xs.map((x) => fix(x, digits)).join(', ')})`
const pad = (s: string, n: number): string => s.padEnd(n)

/** f(v) with v = (x, y). */
const xy = (f: (x: Sym, y: Sym) => Sym) => (v: Sym): Sym => f(v.at(0), v.at(1))

const describePoint = (a: PointAnalysis): void => {
  console.log(`  f = ${fix(a.value)}   ∇f = ${vec(a.gradient)}   H = [${a.hessian.map((r) => vec(r, 2)).join(', ')}]`)
  a.eigenvalues.forEach((l, i) => console.log(`  λ${i + 1} = ${fix(l, 6)}   v${i + 1} = ${vec(a.eigenvectors[i])}`))
  console.log(`  condition number = ${a.conditionNumber === null ? 'undefined (λ = 0)' : fix(a.conditionNumber, 1)}   kind: ${a.kind}`)
}

// -------------------------------------------------------------------------------------
// 1. The saddle x² − y²
// -------------------------------------------------------------------------------------

const saddle = xy((x, y) => x.square().sub(y.square()))
console.log('1. f = x² − y² at (0, 0): H = diag(2, −2), so λ = −2, 2 and the point is a saddle')
describePoint(unsafeAnalyze(saddle, [0, 0]))

// From (1, 0.5): g = (2, −1). Newton's step −H⁻¹g = (−1, −0.5) lands on the saddle;
// the saddle-free step −|H|⁻¹g = (−1, 0.5) keeps going downhill in y.
const from = unsafeAnalyze(saddle, [1, 0.5])
const newton = unsafeNewtonStep(from.gradient, tensor(from.hessian as number[][]))
const saddleFree = unsafeSaddleFreeNewtonStep(from.gradient, tensor(from.hessian as number[][]))
console.log(`  from (1, 0.5): Newton step ${vec(Array.from(newton), 2)} → (0, 0), f = 0 (the saddle)`)
console.log(`                 saddle-free step ${vec(Array.from(saddleFree), 2)} → (0, 1), f = −1 (away from it)`)
console.log(`  curvature along −∇f there: gᵀHg/‖g‖² = (2·4 − 2·1)/5 = ${fix(from.gradientCurvature ?? NaN)} (${from.curvatureCase})`)
console.log()

// -------------------------------------------------------------------------------------
// 2. Rosenbrock's narrow valley
// -------------------------------------------------------------------------------------

const rosenbrock = xy((x, y) => sub(1, x).square().add(y.sub(x.square()).square().mul(100)))
console.log('2. Rosenbrock f = (1 − x)² + 100(y − x²)² at its minimum (1, 1)')
console.log('  H = [[1200x² − 400y + 2, −400x], [−400x, 200]] = [[802, −400], [−400, 200]]:')
console.log('  trace 1002, det 400, so λ = 501 ∓ √250601 = 0.399361, 1001.600639 and κ = λ₂/λ₁ ≈ 2508')
describePoint(unsafeAnalyze(rosenbrock, [1, 1]))
console.log('  v1, the flat direction, is nearly the valley floor y = x², whose tangent at (1, 1) is (1, 2)/√5 = (0.4472, 0.8944)')
const start = unsafeAnalyze(rosenbrock, [-1.2, 1])
console.log('  at the classic start (−1.2, 1): ∇f = (−215.6, −88), gᵀHg/‖g‖² and the best step along −∇f:')
console.log(
  `  curvature ${fix(start.gradientCurvature ?? NaN, 2)} (${start.curvatureCase}), ε* = ‖g‖²/gᵀHg = ${fix(start.optimalStep ?? NaN, 6)}, ` +
    `predicted decrease ${fix(start.predictedDecrease ?? NaN, 2)} from f = ${fix(start.value, 2)}`
)
console.log()

// -------------------------------------------------------------------------------------
// 3. Himmelblau's nine critical points
// -------------------------------------------------------------------------------------

const himmelblau = xy((x, y) => x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square()))
console.log("3. Himmelblau f = (x² + y − 11)² + (x + y² − 7)²: nine critical points")
console.log('  H = [[4u + 8x² + 2, 4x + 4y], [4x + 4y, 4w + 8y² + 2]] with u = x² + y − 11, w = x + y² − 7;')
console.log('  at (3, 2): u = w = 0, H = [[74, 20], [20, 34]], λ = 54 ∓ 20√2 = 25.7157, 82.2843')
const published: readonly (readonly [number, number])[] = [
  [3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848127],
  [-0.270845, -0.923039],
  [0.086677, 2.884254], [-3.073026, -0.081353], [3.385154, 0.073852], [-0.127961, -1.953715]
]
console.log(`  ${pad('x', 11)}${pad('y', 11)}${pad('f', 11)}${pad('λ1', 11)}${pad('λ2', 11)}kind`)
for (const guess of published) {
  // Three Newton steps polish the 6-decimal coordinates to full precision.
  let p = Float64Array.from(guess)
  for (let i = 0; i < 3; i++) {
    const a = unsafeAnalyze(himmelblau, p)
    const step = unsafeNewtonStep(a.gradient, tensor(a.hessian as number[][]))
    p = p.map((x, j) => x + step[j])
  }
  const a = unsafeAnalyze(himmelblau, p, { gradTol: 1e-8 })
  console.log(`  ${[p[0], p[1], a.value, a.eigenvalues[0], a.eigenvalues[1]].map((x) => pad(fix(x), 11)).join('')}${a.kind}`)
}
console.log('  4 minima − 4 saddles + 1 maximum = 1, as Morse theory requires of a function that grows in every direction')
console.log()

// -------------------------------------------------------------------------------------
// 4. Matrix-free: extended Rosenbrock, from Hessian-vector products only
// -------------------------------------------------------------------------------------

const n = fast ? 200 : 2000
const j = n / 2
const extended = (x: Sym): Sym => {
  const head = x.slice(0, n - 1)
  const tail = x.slice(1, n)
  return tail.sub(head.square()).square().mul(100).add(sub(1, head).square()).sum()
}
// x = 1 everywhere except x_j = 2.
const point = new Float64Array(n).fill(1)
point[j] = 2
const op = hessianOperator(extended, Tensor.unsafeFromBuffer([n], point))
if (E.isLeft(op)) throw new Error(op.left.message)
console.log(`4. Extended Rosenbrock Σ 100(x_{i+1} − x_i²)² + (1 − x_i)² in ${n} dimensions at x = 1 except x_${j} = 2, via HVPs only`)
console.log('  H is tridiagonal: Hᵢᵢ = 1200xᵢ² − 400xᵢ₊₁ + 202 (802 first, 200 last), Hᵢ,ᵢ₊₁ = −400xᵢ. At x = 1: 1002 and −400,')
console.log(`  except H_${j},${j} = 4800 − 400 + 202 = 4602 and H_${j - 1},${j - 1} = 1200 − 800 + 202 = 602, so`)
console.log(`  tr H = 802 + 1002·${n - 2} + 200 + 3600 − 400 = ${802 + 1002 * (n - 2) + 200 + 3600 - 400}.`)
console.log(`  λmax ≥ e_${j}ᵀHe_${j} = 4602 and, by Gershgorin on row ${j} (off-diagonals −400, −800), λmax ≤ 4602 + 1200 = 5802;`)
console.log('  Away from the spike the rows have diagonal ≤ 1002 and off-diagonals of size ≤ 800: the top eigenvalue stands alone,')
console.log('  which is what lets Lanczos find it in a few dozen products (the eigenvalues near 1802 crowd and need ~n).')
const top = unsafeLanczos(op.right, n, { k: 1 })
console.log(`  Lanczos λmax = ${fix(top.values[0], 6)}  (${top.steps} HVP steps, residual ${top.residuals[0].toExponential(1)})`)
const trace = unsafeHutchinsonTrace(op.right, n, { samples: 100 })
console.log(`  Hutchinson trace: ${fix(trace.estimate, 1)} ± ${fix(trace.standardError, 1)} (${trace.samples} Rademacher probes)`)
