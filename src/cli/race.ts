/**
 * `descent race <expr> --from -1.5,2`: several optimizers from one start,
 * side by side — final point, final value and the first step at which
 * f < 1e-6 — with contour and loss plots. `race --demo` is the project's
 * main job: the Rosenbrock race of `npm start`, followed by the Hessian
 * analysis at the minimum (1, 1), which explains why the race looks as it does.
 */
import * as E from 'fp-ts/lib/Either.js'
import { adagrad, adam, classicSgd, rmsprop } from '../optim/aliases.js'
import { sgd, withEwma, withRMS } from '../optim/combinators.js'
import type { Optimizer } from '../optim/Optimizer.js'
import type { Tensor } from '../tensor/Tensor.js'
import { type AnalyzeJson, analysisJson, analysisReport, analyzeAt } from './analyze.js'
import { type SplitArgs, type UsageError, decodePositive, usage } from './args.js'
import { type Command, booleanFlag, stringFlag } from './command.js'
import { describePlots, writePlots } from './figures.js'
import type { CliIo } from './io.js'
import { type Method, decodeMethod, decodeMethods } from './methods.js'
import { type Rows, writeJson } from './json.js'
import { runSeries } from './optimize.js'
import { type Problem, decodePoint, describeProblem, loadProblem } from './problem.js'
import { progressBar } from './progress.js'
import { type RunOptions, type RunResult, type StopReason, describeStop, runOptimizer } from './run.js'
import { decodeProblemAndPoint, decodeSteps, writingPlots } from './shared.js'
import { showNumber, showPoint, table } from './table.js'

// -------------------------------------------------------------------------------------
// the demo
// -------------------------------------------------------------------------------------

/** Rosenbrock's banana: minimum 0 at (1, 1), a curved valley 1/√(1001.6/0.4) ≈ 1/50 as wide as it is long. */
export const rosenbrock = '(1 - x)^2 + 100*(y - x^2)^2'

/** The classic start, on the far side of the valley's bend. */
export const rosenbrockStart: readonly [number, number] = [-1.5, 2]

/** Steps per optimizer in the demo. */
export const demoSteps = 5000

const built = (name: string, spec: string, optimizer: () => Optimizer<unknown>): Method => ({ name, spec, make: optimizer })

/**
 * The demo's optimizers (also the default set of `race`), tuned on
 * Rosenbrock from (−1.5, 2) with 5000 steps by a sweep over learning rates
 * 3e-5 … 1 (10000 steps each; numbers are the first step with f < 1e-6):
 * - sgd lr = 2e-3 (4380): about the largest stable rate (2/λmax ≈ 2e-3 at the
 *   minimum); 5e-3 diverges. Slow, but it gets there.
 * - momentum / Nesterov 0.9, lr = 1e-3 (1484 / 1379): the same stability
 *   limit, but the velocity carries it along the valley floor 3× faster;
 *   Nesterov's look-ahead a little faster still (it diverges from 1.5e-3).
 * - adagrad lr = 0.5 (not reached: f ≈ 1e-5 after 10000): the growing
 *   accumulator shrinks every step, so it stalls on the way.
 * - rmsprop lr = 1e-3 (not reached: f ≈ 2e-4): its steps stay about lr long,
 *   so it ends bouncing across the valley floor; smaller rates are slower
 *   and no better.
 * - adam lr = 0.05 (1386), and the same Adam composed from combinators,
 *   `withEwma(withRMS(sgd(0.05), {rho: 0.999, debias: true}), {beta: 0.9, debias: true})`,
 *   which finishes on the same point bit for bit.
 * - Newton-CG with a trust radius of 0.5 (15): curvature from the graph's
 *   Hessian-vector products, steps no longer than 0.5 so the first ones do
 *   not overshoot the bend.
 */
export const demoMethods = (io: CliIo): readonly Method[] => {
  const newton = decodeMethod('demo', '{"newton": {"radius": 0.5}}', io)
  if (E.isLeft(newton)) throw new Error(newton.left.message)
  return [
    built('sgd lr=2e-3', '{"sgd": {"lr": 0.002}}', () => classicSgd({ lr: 2e-3 }) as Optimizer<unknown>),
    built('momentum 0.9', '{"sgd": {"lr": 0.001, "momentum": 0.9}}', () => classicSgd({ lr: 1e-3, momentum: 0.9 }) as Optimizer<unknown>),
    built('nesterov 0.9', '{"sgd": {"lr": 0.001, "momentum": 0.9, "nesterov": true}}', () => classicSgd({ lr: 1e-3, momentum: 0.9, nesterov: true }) as Optimizer<unknown>),
    built('adagrad lr=0.5', '{"adagrad": {"lr": 0.5}}', () => adagrad({ lr: 0.5 }) as Optimizer<unknown>),
    built('rmsprop lr=1e-3', '{"rmsprop": {"lr": 0.001}}', () => rmsprop({ lr: 1e-3 }) as Optimizer<unknown>),
    built('adam lr=0.05', '{"adam": {"lr": 0.05}}', () => adam({ lr: 0.05 }) as Optimizer<unknown>),
    built(
      'ewma∘rms∘sgd (= adam)',
      '[{"ewma": {"beta": 0.9, "debias": true}}, {"rms": {"rho": 0.999, "eps": 1e-8, "debias": true}}, {"sgd": {"lr": 0.05}}]',
      () => withEwma(withRMS(sgd(0.05), { rho: 0.999, eps: 1e-8, debias: true }), { beta: 0.9, debias: true }) as Optimizer<unknown>
    ),
    { ...newton.right, name: 'newton-cg Δ=0.5' }
  ]
}

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One run of `race --json`: its label, where it ended, f there, the steps
 * taken, why it stopped, f at every step (`steps + 1` numbers) and, with
 * `--trajectory`, every point.
 */
export interface RaceRunJson {
  readonly optimizer: string
  readonly final: readonly number[]
  readonly value: number
  readonly steps: number
  readonly reason: StopReason['kind']
  readonly values: Float64Array
  readonly trajectory?: Rows
}

/** `race --json`, with and without `--demo`: the runs, and the analysis at the minimum (null unless `--demo`). */
export interface RaceJson {
  readonly runs: readonly RaceRunJson[]
  readonly minimum: AnalyzeJson | null
}

/** One optimizer's run in a race. */
export interface RaceEntry {
  readonly method: Method
  readonly run: RunResult
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** Run every method from `start`, with one progress bar over all of them. */
export const runRace = (
  io: CliIo,
  problem: Problem,
  start: Tensor,
  methods: readonly Method[],
  steps: number,
  options: Omit<RunOptions, 'progress'> = {}
): readonly RaceEntry[] => {
  const progress = progressBar(io, 'race', methods.length * steps)
  const entries = methods.map((method, i) => {
    const run = runOptimizer(problem, start, method.make(problem), steps, { ...options, progress: { update: (k) => progress.update(i * steps + k), done: () => undefined } })
    return { method, run }
  })
  progress.done()
  return entries
}

const raceTable = (entries: readonly RaceEntry[], target: number): string =>
  table(
    entries.map((e) => [
      e.method.name,
      showPoint(e.run.final, 5),
      showNumber(e.run.value, 4),
      e.run.reached === null ? (e.run.stop.kind === 'steps' ? 'not reached' : `not reached (${e.run.stop.kind} at step ${e.run.stop.step})`) : String(e.run.reached)
    ]),
    ['optimizer', 'final point', 'final f', `steps to f < ${showNumber(target)}`]
  )

// -------------------------------------------------------------------------------------
// command
// -------------------------------------------------------------------------------------

const help = `descent race <expr> --from <point> [--optimizers 'spec;spec;...'] [--steps N] [--target 1e-6]
             [--vars x,y] [--plot race.svg] [--json]
descent race --demo [--steps N] [--plot race.svg] [--json]

Run several optimizers from one start and compare: final point, final value,
and the first step at which f < --target (default 1e-6), or "not reached".

  --optimizers 'a;b'  optimizer specs separated by ';' (each as for optimize --optimizer:
                      an alias name, JSON, @file.json, newton, saddle-free-newton).
                      Default: the demo set below.
  --steps N           steps per optimizer (default ${demoSteps})
  --plot race.svg     2 variables: race.svg = contour plot with all trajectories (one
                      panel per optimizer beyond four) and race-loss.svg = f by step;
                      otherwise race.svg = f by step only; race.csv = the series drawn
  --trajectory        with --json, include each optimizer's points
  --json              print {"runs": [...], "minimum": ...}: per optimizer its label, final point,
                      final value, steps, why it stopped and f at every step; "minimum" is the
                      analyze object at (1, 1) with --demo, else null
  --demo              the Rosenbrock race: f = ${rosenbrock} from (-1.5, 2);
                      writes race.svg, race-loss.svg and race.csv unless --plot says otherwise,
                      and prints the Hessian analysis at the minimum (1, 1)

The demo set: SGD, heavy-ball momentum, Nesterov, AdaGrad, RMSProp, Adam, Adam
composed from combinators (ewma∘rms∘sgd, identical to the alias), and Newton-CG
with a trust radius of 0.5. Learning rates are tuned for Rosenbrock from
(-1.5, 2), about the largest that stay stable there.

Examples:
  descent race --demo
  descent race 'x^2 + 100*y^2' --from 1,1 --optimizers 'adam;{"sgd": {"lr": 0.009}};newton' --steps 500
`

/** `descent race`. */
export const raceCommand: Command = {
  name: 'race',
  summary: 'several optimizers from one start, side by side (--demo: the Rosenbrock race)',
  help,
  flags: {
    from: { type: 'string' },
    optimizers: { type: 'string' },
    steps: { type: 'string' },
    target: { type: 'string' },
    vars: { type: 'string' },
    plot: { type: 'string' },
    json: { type: 'boolean' },
    trajectory: { type: 'boolean' },
    demo: { type: 'boolean' }
  },
  run: (args: SplitArgs, io: CliIo): E.Either<UsageError, void> => {
    const demo = booleanFlag(args, 'demo')
    let problem: Problem
    let start: Tensor
    if (demo) {
      if (args.positionals.length > 0) return usage(`--demo races on Rosenbrock; drop the expression ${args.positionals.map((p) => `'${p}'`).join(' ')} or drop --demo`)
      for (const flag of ['from', 'vars', 'optimizers']) {
        if (args.flags[flag] !== undefined) return usage(`--demo fixes --${flag}; drop one of them`)
      }
      const p = loadProblem(rosenbrock)
      if (E.isLeft(p)) throw new Error(p.left.message)
      problem = p.right
      const s = decodePoint(problem, '--from', rosenbrockStart.join(','))
      if (E.isLeft(s)) throw new Error(s.left.message)
      start = s.right
    } else {
      const decoded = decodeProblemAndPoint(args, 'race', '--from', `'x^2 + 10*y^2' --from 3,1`)
      if (E.isLeft(decoded)) return decoded
      problem = decoded.right.problem
      start = decoded.right.start
    }
    const specs = stringFlag(args, 'optimizers')
    const methods = specs === undefined ? E.right(demoMethods(io)) : decodeMethods('--optimizers', specs, io)
    if (E.isLeft(methods)) return methods
    const steps = decodeSteps(args, demoSteps)
    if (E.isLeft(steps)) return steps
    const targetText = stringFlag(args, 'target')
    const target = targetText === undefined ? E.right(1e-6) : decodePositive('--target', targetText)
    if (E.isLeft(target)) return target
    const plotPath = stringFlag(args, 'plot') ?? (demo ? 'race.svg' : undefined)
    if (plotPath !== undefined && plotPath.trim() === '') return usage('--plot: empty file name')

    const json = booleanFlag(args, 'json')
    const entries = runRace(io, problem, start, methods.right, steps.right, {
      target: target.right,
      keepValues: json,
      keepPoints: json && booleanFlag(args, 'trajectory')
    })
    const title = demo ? 'Rosenbrock (1−x)² + 100(y − x²)² from (−1.5, 2)' : `${describeProblem(problem)} from ${showPoint(Array.from(start.data))}`
    const written =
      plotPath === undefined
        ? E.right(undefined)
        : writingPlots(plotPath, () =>
            writePlots(io, plotPath, problem, entries.map((e) => ({ name: e.method.name, run: e.run })), title, demo ? { domain: { x: [-2, 2], y: [-1, 3] }, markers: [{ point: [1, 1], label: 'minimum (1, 1)' }] } : {})
          )
    if (E.isLeft(written)) return written

    const minimum = demo ? analyzeAt(problem, [1, 1]) : undefined
    if (minimum !== undefined && E.isLeft(minimum)) throw new Error(minimum.left.message)
    if (json) {
      const runs = entries.map((e): RaceRunJson => ({ optimizer: e.method.name, final: e.run.final, value: e.run.value, steps: e.run.steps, reason: e.run.stop.kind, ...runSeries(e.run) }))
      writeJson(io.out, { runs, minimum: minimum !== undefined && E.isRight(minimum) ? analysisJson(problem, [1, 1], minimum.right) : null } satisfies RaceJson)
      return E.right(undefined)
    }
    io.out(`${title}, ${steps.right} steps each\n\n`)
    io.out(raceTable(entries, target.right))
    for (const e of entries) {
      const stop = describeStop(e.run)
      if (stop !== undefined) io.out(`  ${e.method.name}: ${stop}\n`)
    }
    const adamRun = entries.find((e) => e.method.name.startsWith('adam'))?.run
    if (demo && adamRun !== undefined && adamRun.value > 10 * adamRun.best) {
      io.out(
        `\nAdam's final f is above the best it reached: near the minimum its second-moment estimate shrinks with the\n` +
          `gradient, so now and then a step is far too long and f jumps back up (the spikes in the loss plot).\n`
      )
    }
    if (written.right !== undefined) io.out('\n' + describePlots(written.right, problem.vars.length))
    if (minimum !== undefined && E.isRight(minimum)) {
      io.out('\nWhy the race looks like this: the Hessian at the minimum\n\n')
      io.out(analysisReport(problem, [1, 1], minimum.right, 1e-6))
      const [small, large] = minimum.right.eigenvalues
      io.out(
        `\nThe valley floor curves gently (λ = ${showNumber(small, 4)}, along ${showPoint(minimum.right.eigenvectors[0], 3)}: the tangent (1, 2)/√5 of y = x² at x = 1)\n` +
          `while its walls are steep (λ = ${showNumber(large, 4)}): condition number ${showNumber(minimum.right.conditionNumber ?? NaN, 5)}.\n` +
          `Gradient descent needs lr < 2/λmax ≈ ${showNumber(2 / large, 3)} to stay stable, and then crawls along the floor at a rate of about 1 − lr·λmin per step;\n` +
          `momentum, per-coordinate scaling (AdaGrad, RMSProp, Adam) and curvature (Newton) are different ways around that.\n`
      )
    }
    return E.right(undefined)
  }
}
