/**
 * Escaping a saddle. On f = x² − y² the origin is a saddle: H = diag(2, −2).
 * Gradient descent started on the stable manifold (y = 0) never sees the
 * downhill direction — ∂f/∂y = −2y is exactly 0 there — and slides into the
 * saddle. A little noise pushes it off; started just off the manifold
 * (y₀ = 1e-8) plain GD escapes only at the rate |y| ← (1 + 2·lr)|y| per step,
 * momentum builds speed along −y, Newton's step −H⁻¹∇f jumps *onto* the saddle
 * (it solves ∇f = 0, whatever the curvature), and the saddle-free Newton step
 * −|H|⁻¹∇f doubles |y| every step. Then the same race on a 10-dimensional
 * saddle f = ½ Σ λᵢ xᵢ² with λ = 1, …, 9 and −0.2.
 *
 *   npx tsx examples/saddle-escape.ts           # tables (and --plot saddle-escape.svg for a picture)
 *   npx tsx examples/saddle-escape.ts --fast    # fewer steps (CI)
 *
 * Checkable by hand: GD with lr = 0.1 from y₀ = 1e-8 needs the first k with
 * 1e-8·1.2ᵏ > about 1 (f < −1 once y² > 1 + x², and x has shrunk to ~0), so
 * k ≈ ln(1e8)/ln(1.2) ≈ 101; saddle-free Newton needs 2ᵏ·1e-8 > 1: k = 27.
 */
import { writeFileSync } from 'node:fs'
import { unsafeNewtonStep } from '../src/curvature/newton.js'
import { minimize, type Objective } from '../src/drivers/minimize.js'
import { type Sym, hessian, sum, valueAndGrad } from '../src/graph/index.js'
import { classicSgd } from '../src/optim/aliases.js'
import { saddleFreeNewton } from '../src/optim/newton.js'
import { type Optimizer, emptyState, type EmptyState } from '../src/optim/Optimizer.js'
import { contourPlot } from '../src/cli/plot.js'
import { random } from '../src/tensor/Random.js'
import { Tensor, tensor } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'

const fast = process.argv.includes('--fast')
const plotAt = process.argv.indexOf('--plot')
const plotPath = plotAt >= 0 ? process.argv[plotAt + 1] ?? 'saddle-escape.svg' : undefined
const maxSteps = fast ? 600 : 3000

/** Escaped once f < −1. */
const escaped = -1

interface Saddle {
  readonly name: string
  readonly f: (x: Sym) => Sym
}

const saddle2: Saddle = { name: 'x² − y²', f: (v) => v.at(0).square().sub(v.at(1).square()) }
const lambdas = [1, 2, 3, 4, 5, 6, 7, 8, 9, -0.2]
const saddle10: Saddle = { name: '½ Σ λᵢ xᵢ², λ = 1…9, −0.2', f: (v) => sum(v.square().mul(tensor(lambdas))).mul(0.5) }

/** Newton's step −H⁻¹∇f as an optimizer (stateless; the Hessian from the graph). */
const newton = (h: (x: Tensor) => Tensor): Optimizer<EmptyState> => ({
  init: () => emptyState,
  step: (state, g, x) => [state, Tensor.unsafeFromBuffer([(x as Tensor).size], unsafeNewtonStep(g as Tensor, h(x as Tensor)))]
})

interface Method {
  readonly name: string
  readonly optimizer: (s: Saddle) => Optimizer<unknown>
  /** Standard deviation of Gaussian noise added to every gradient (seeded). */
  readonly noise?: number
}

const methods: readonly Method[] = [
  { name: 'GD', optimizer: () => classicSgd({ lr: 0.1 }) as Optimizer<unknown> },
  { name: 'GD + noise 1e-3', optimizer: () => classicSgd({ lr: 0.1 }) as Optimizer<unknown>, noise: 1e-3 },
  { name: 'momentum 0.9', optimizer: () => classicSgd({ lr: 0.1, momentum: 0.9 }) as Optimizer<unknown> },
  { name: 'Newton', optimizer: (s) => newton(hessian(s.f)) as Optimizer<unknown> },
  { name: 'saddle-free Newton', optimizer: (s) => saddleFreeNewton({ hessian: (x: TensorTree) => hessian(s.f)(x as Tensor) }) as Optimizer<unknown> }
]

interface Outcome {
  readonly escapedAt: number | null
  readonly final: readonly number[]
  readonly value: number
  readonly path: readonly (readonly number[])[]
}

const race = (s: Saddle, x0: readonly number[], m: Method): Outcome => {
  const vg = valueAndGrad(s.f)
  const rng = random(7)
  const objective: Objective = (x) => {
    const [value, g] = vg(x as Tensor)
    if (m.noise === undefined) return [value, g]
    const noisy = g.data.map((gi) => gi + m.noise! * (rng.normal([1]).item()))
    return [value, Tensor.unsafeFromBuffer(g.shape, noisy)]
  }
  const path: number[][] = []
  let escapedAt: number | null = null
  const result = minimize(objective, tensor(x0 as number[]), m.optimizer(s), {
    maxSteps,
    gradTol: 0,
    onStep: ({ step, value, params }) => {
      path.push(Array.from((params as Tensor).data))
      if (value < escaped) {
        escapedAt = step
        return false
      }
    }
  })
  return { escapedAt, final: Array.from((result.params as Tensor).data), value: result.value, path }
}

const show = (x: number): string => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : x.toFixed(3))
const row = (cells: readonly string[], widths: readonly number[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ')

const report = (s: Saddle, starts: readonly { readonly label: string; readonly x0: readonly number[] }[]): Map<string, Outcome> => {
  const outcomes = new Map<string, Outcome>()
  console.log(`f = ${s.name}; escaped when f < ${escaped}; at most ${maxSteps} steps\n`)
  const widths = [20, 24, 16, 24]
  console.log(row(['method (lr 0.1)', 'start', 'steps to escape', 'end (f)'], widths))
  console.log(row(widths.map((w) => '─'.repeat(w)), widths))
  for (const start of starts) {
    for (const m of methods) {
      const o = race(s, start.x0, m)
      outcomes.set(`${m.name} | ${start.label}`, o)
      const end = s === saddle2 ? `(${o.final.map(show).join(', ')})` : `|x| = ${show(Math.hypot(...o.final))}`
      console.log(row([m.name, start.label, o.escapedAt === null ? 'stuck' : String(o.escapedAt), `${end} f=${show(o.value)}`], widths))
    }
  }
  console.log()
  return outcomes
}

console.log('1. The saddle of x² − y² at the origin (H = diag(2, −2))\n')
const two = report(saddle2, [
  { label: 'on the manifold (1, 0)', x0: [1, 0] },
  { label: 'just off it (1, 1e-8)', x0: [1, 1e-8] }
])
console.log('   On y = 0 exactly, only noise leaves: every other method sees ∂f/∂y = 0 and converges to the saddle.')
console.log('   From y₀ = 1e-8, GD needs ≈ ln(1e8)/ln(1.2) ≈ 101 steps, saddle-free Newton log₂(1e8) ≈ 27;')
console.log('   Newton lands on the saddle in one step and stays: it is attracted to every critical point.\n')

console.log('2. A 10-dimensional saddle: nine directions up (λ = 1…9), one gently down (λ = −0.2)\n')
const tenStart = [...Array(9).fill(1), 1e-8]
report(saddle10, [
  { label: 'on the manifold', x0: [...Array(9).fill(1), 0] },
  { label: 'off it by 1e-8', x0: tenStart }
])
console.log('   GD may only use lr < 2/9 for the steepest direction, so it escapes along λ = −0.2 at (1 + 0.2·lr)ᵏ;')
console.log('   saddle-free Newton rescales every direction by 1/|λ| and doubles the escaping coordinate each step.')

if (plotPath !== undefined) {
  const runs = methods.map((m, i) => ({ name: m.name, points: two.get(`${m.name} | just off it (1, 1e-8)`)!.path.map((p) => [p[0], p[1]] as const), i }))
  const svg = contourPlot({
    f: (x, y) => x * x - y * y,
    xDomain: [-1.2, 1.2],
    yDomain: [-1.2, 1.2],
    levels: 'linear',
    trajectories: runs.map((r) => ({ name: r.name, points: r.points })),
    markers: [{ point: [0, 0], label: 'saddle (0, 0)' }],
    // one panel per method: GD's and Newton's paths lie under the others' in a single frame
    layout: 'panels',
    title: 'Escaping the saddle of x² − y² from (1, 1e-8)'
  })
  writeFileSync(plotPath, svg)
  console.log(`\nwrote ${plotPath}`)
}
