/**
 * `descent optimize <expr> --from -1.5,2 --optimizer adam`: run one optimizer
 * from a start point for a number of steps and report where it ended, as a
 * short report or (`--json`) the object of docs/cli.md's contract, optionally
 * with the whole trajectory and plots.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type SplitArgs, type UsageError, usage } from './args.js'
import { type Command, booleanFlag, stringFlag } from './command.js'
import { describePlots, writePlots } from './figures.js'
import type { CliIo } from './io.js'
import { Rows, writeJson } from './json.js'
import { decodeMethod } from './methods.js'
import { describeProblem } from './problem.js'
import { progressBar } from './progress.js'
import { type RunResult, type StopReason, describeStop, runOptimizer } from './run.js'
import { decodeProblemAndPoint, decodeSteps, writingPlots } from './shared.js'
import { showNumber, showPoint, table } from './table.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The `optimize --json` object: the contract's `vars`, `start`, `final`,
 * `value`, `steps` (steps taken) and, with `--trajectory`, `trajectory`
 * (`steps + 1` points); plus `optimizer` (its label), `stopped`
 * (`steps`, or `diverged`/`failed` with a `message`) and `values`, f at every
 * step (`steps + 1` numbers).
 */
export interface OptimizeJson {
  readonly vars: readonly string[]
  readonly optimizer: string
  readonly start: readonly number[]
  readonly final: readonly number[]
  readonly value: number
  readonly steps: number
  readonly stopped: StopReason['kind']
  readonly message?: string
  readonly values: Float64Array
  readonly trajectory?: Rows
}

/** f at every step and, when kept, every point of a run (the run must have been asked to keep them). */
export const runSeries = (run: RunResult): { readonly values: Float64Array; readonly trajectory?: Rows } => ({
  values: run.values ?? Float64Array.of(),
  ...(run.points !== undefined ? { trajectory: new Rows(run.points, run.start.length) } : {})
})

/** The JSON object of one run. */
export const runJson = (vars: readonly string[], optimizer: string, run: RunResult): OptimizeJson => {
  const message = describeStop(run)
  return {
    vars,
    optimizer,
    start: run.start,
    final: run.final,
    value: run.value,
    steps: run.steps,
    stopped: run.stop.kind,
    ...(message !== undefined ? { message } : {}),
    ...runSeries(run)
  }
}

// -------------------------------------------------------------------------------------
// command
// -------------------------------------------------------------------------------------

const help = `descent optimize <expr> --from <point> --optimizer <spec> [--steps 1000] [--vars x,y]
                 [--trajectory] [--plot out.svg] [--json]

Run one optimizer from a start point for --steps steps (gradients from the
autodiff graph, traced once) and report the final point and value.

  --from -1.5,2       start point, one number per variable (a leading minus is fine)
  --optimizer <spec>  an alias name with its defaults (adam, rmsprop, adagrad, nadam, ...),
                      JSON ('{"adam": {"lr": 0.01}}', or a pipeline
                      '[{"momentum": {"beta": 0.9}}, {"sgd": {"lr": 0.001}}]'),
                      @path/to/spec.json, or newton / saddle-free-newton
                      (second order, curvature from the graph; JSON options
                      '{"newton": {"radius": 1, "damping": 0}}')
  --steps N           number of steps (default 1000)
  --vars x,y          variable order (default: sorted by name)
  --trajectory        with --json, include every point (element 0 = start, element steps = end)
  --plot out.svg      2 variables: out.svg = contour plot with the trajectory and
                      out-loss.svg = f by step; otherwise out.svg = f by step only;
                      out.csv = the series drawn (step, f and the point)
  --json              print one JSON object, with "values": f at every step

A run whose point or value stops being finite ends there: the result is the
last finite point, the report (and "stopped": "diverged" in JSON) says at
which step, and the exit status is still 0 (the input was fine; the
optimizer diverged).

Examples:
  descent optimize '(1-x)^2 + 100*(y-x^2)^2' --from -1.5,2 --optimizer '{"adam": {"lr": 0.05}}' --steps 2000
  descent optimize 'x^2 + 10*y^2' --from 3,1 --optimizer '{"sgd": {"lr": 0.05}}' --steps 5 --json --trajectory
`

/** `descent optimize`. */
export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'run one optimizer from a start point',
  help,
  flags: {
    from: { type: 'string' },
    optimizer: { type: 'string' },
    steps: { type: 'string' },
    vars: { type: 'string' },
    trajectory: { type: 'boolean' },
    plot: { type: 'string' },
    json: { type: 'boolean' }
  },
  run: (args: SplitArgs, io: CliIo): E.Either<UsageError, void> => {
    const decoded = decodeProblemAndPoint(args, 'optimize', '--from', `'x^2 + 10*y^2' --from 3,1 --optimizer adam`)
    if (E.isLeft(decoded)) return decoded
    const { problem, start } = decoded.right
    const specText = stringFlag(args, 'optimizer')
    if (specText === undefined) return usage(`--optimizer is required: an alias like adam, JSON like '{"sgd": {"lr": 0.01}}', or @spec.json`)
    const method = decodeMethod('--optimizer', specText, io)
    if (E.isLeft(method)) return method
    const steps = decodeSteps(args, 1000)
    if (E.isLeft(steps)) return steps
    const plotPath = stringFlag(args, 'plot')
    if (plotPath !== undefined && plotPath.trim() === '') return usage('--plot: empty file name')

    const json = booleanFlag(args, 'json')
    const progress = progressBar(io, method.right.name, steps.right)
    const run = runOptimizer(problem, start, method.right.make(problem), steps.right, {
      progress,
      keepValues: json,
      keepPoints: json && booleanFlag(args, 'trajectory')
    })
    progress.done()

    const written =
      plotPath === undefined
        ? E.right(undefined)
        : writingPlots(plotPath, () => writePlots(io, plotPath, problem, [{ name: method.right.name, run }], `${method.right.name} on ${problem.source}`))
    if (E.isLeft(written)) return written

    if (json) {
      writeJson(io.out, runJson(problem.vars, method.right.name, run))
    } else {
      const stop = describeStop(run)
      io.out(
        `${describeProblem(problem)}\n\n` +
          `optimizer ${method.right.name}, ${run.steps} step${run.steps === 1 ? '' : 's'}\n\n` +
          table(
            [
              ['start', showPoint(run.start), showNumber(run.startValue)],
              ['final', showPoint(run.final), showNumber(run.value)]
            ],
            ['', `(${problem.vars.join(', ')})`, 'f']
          ) +
          (stop !== undefined ? `\n${stop}\n` : '')
      )
      if (written.right !== undefined) io.out(describePlots(written.right, problem.vars.length))
    }
    return E.right(undefined)
  }
}
