/**
 * The plots `--plot out.svg` writes, built from runs with the plot helpers
 * of `./plot`: for a function of two variables, `out.svg` is a contour plot
 * with each trajectory and `out-loss.svg` the loss curves; for any other
 * number of variables there is no contour plot, and `out.svg` holds the loss
 * curves alone. Beside them, `out.csv` holds the series drawn: one row per
 * optimizer and sampled step (see `Sampler` in `./run`), with f and, for two
 * variables, the point.
 */
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { type Marker, type Trajectory, contourPlot, lossFigure } from './plot.js'
import type { CliIo } from './io.js'
import type { Problem } from './problem.js'
import type { RunResult } from './run.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A run with its label. */
export interface NamedRun {
  readonly name: string
  readonly run: RunResult
}

/** What was written, for the message after the table. */
export interface WrittenPlots {
  readonly contour?: string
  readonly loss: string
  readonly csv: string
  /** The scales the loss plot chose. */
  readonly logSteps: boolean
  readonly logValues: boolean
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** `out.svg` → `out-loss.svg` (same directory; `.svg` added when the name has no extension). */
export const lossPathFor = (path: string): string => {
  const ext = extname(path)
  return join(dirname(path), `${basename(path, ext)}-loss${ext === '' ? '.svg' : ext}`)
}

/** `out.svg` → `out.csv` (same directory). */
export const csvPathFor = (path: string): string => {
  const ext = extname(path)
  return join(dirname(path), `${basename(path, ext)}.csv`)
}

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text)

/**
 * The series behind the plots as CSV: a header `optimizer,step,f` (plus one
 * column per variable for two variables), then one row per sampled step of
 * each run. Numbers are printed in full (shortest round-trip form).
 */
export const runsCsv = (runs: readonly NamedRun[], vars: readonly string[]): string => {
  const twoD = vars.length === 2
  const lines = [['optimizer', 'step', 'f', ...(twoD ? vars : [])].map(csvField).join(',')]
  for (const r of runs) {
    const name = csvField(r.name)
    const { steps, values, points } = r.run.sample
    for (let i = 0; i < steps.length; i++) lines.push(`${name},${steps[i]},${values[i]}${twoD ? `,${points[i][0]},${points[i][1]}` : ''}`)
  }
  return lines.join('\n') + '\n'
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]

/**
 * The window a contour plot shows: every start and end point, and the bulk
 * (1st to 99th percentile per axis) of the trajectories' points, with 7.5 %
 * of the span added on each side (and a span of at least 0.5), so that one
 * wild excursion does not shrink everything else to a dot (it is clipped at
 * the frame instead). A run that diverged counts only with the points
 * where f stayed within 100 times its start value (at least its start), so
 * the window shows where it went wrong, not the 10²⁵ it ended near.
 */
export const plotDomain = (runs: readonly NamedRun[], extra: readonly (readonly number[])[] = []): { x: [number, number]; y: [number, number] } => {
  const axis = (k: 0 | 1): [number, number] => {
    const tame = (r: NamedRun, i: number): boolean => r.run.stop.kind !== 'diverged' || Math.abs(r.run.sample.values[i]) <= 100 * Math.max(1, Math.abs(r.run.startValue))
    const all = runs.flatMap((r) => r.run.sample.points.filter((_, i) => tame(r, i)).map((p) => p[k])).filter(Number.isFinite).sort((a, b) => a - b)
    const ends = [...runs.flatMap((r) => (r.run.stop.kind === 'diverged' ? [r.run.start[k]] : [r.run.start[k], r.run.final[k]])), ...extra.map((p) => p[k])].filter(Number.isFinite)
    let lo = all.length > 0 ? quantile(all, 0.01) : Infinity
    let hi = all.length > 0 ? quantile(all, 0.99) : -Infinity
    for (const v of ends) {
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
    }
    const span = Math.max(hi - lo, 1e-3 * Math.max(1, Math.abs(lo), Math.abs(hi)), 0.5)
    const mid = (lo + hi) / 2
    return [mid - 0.575 * span, mid + 0.575 * span]
  }
  return { x: axis(0), y: axis(1) }
}

/**
 * Write the plots for these runs to `path` (relative to the working
 * directory) and `lossPathFor(path)`, returning the paths written. `domain`
 * fixes the contour window (the demo uses Rosenbrock's classic [−2, 2]×[−1, 3]).
 */
export const writePlots = (
  io: CliIo,
  path: string,
  problem: Problem,
  runs: readonly NamedRun[],
  title: string,
  options: { readonly domain?: { readonly x: readonly [number, number]; readonly y: readonly [number, number] }; readonly markers?: readonly Marker[] } = {}
): WrittenPlots => {
  const resolved = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p))
  const loss = lossFigure({
    series: runs.map((r) => ({ name: r.name, values: r.run.sample.values, steps: r.run.sample.steps })),
    title: `${title}: f by step`,
    yLabel: `f(${problem.vars.join(', ')})`
  })
  const csv = csvPathFor(path)
  const scales = { logSteps: loss.logX, logValues: loss.logY }
  if (problem.vars.length !== 2) {
    io.writeFile(resolved(path), loss.svg)
    io.writeFile(resolved(csv), runsCsv(runs, problem.vars))
    return { loss: path, csv, ...scales }
  }
  const domain = options.domain ?? plotDomain(runs, (options.markers ?? []).map((m) => m.point))
  const trajectories: Trajectory[] = runs.map((r) => ({ name: r.name, points: r.run.sample.points }))
  const contour = contourPlot({
    f: (x, y) => problem.value([x, y]),
    xDomain: [domain.x[0], domain.x[1]],
    yDomain: [domain.y[0], domain.y[1]],
    trajectories,
    markers: options.markers ?? [],
    title,
    xLabel: problem.vars[0],
    yLabel: problem.vars[1]
  })
  io.writeFile(resolved(path), contour)
  const lossPath = lossPathFor(path)
  io.writeFile(resolved(lossPath), loss.svg)
  io.writeFile(resolved(csv), runsCsv(runs, problem.vars))
  return { contour: path, loss: lossPath, csv, ...scales }
}

const scaleWords = (written: WrittenPlots): string =>
  `f by step; ${written.logSteps ? 'log' : 'linear'} step axis, ${written.logValues ? 'log' : 'linear'} f axis`

/** One line saying what was written, naming the scales the loss plot actually used. */
export const describePlots = (written: WrittenPlots, dimension: number): string =>
  written.contour !== undefined
    ? `wrote ${written.contour} (contour plot with trajectories), ${written.loss} (${scaleWords(written)}) and ${written.csv} (the series drawn)\n`
    : `wrote ${written.loss} (${scaleWords(written)}; no contour plot: the function has ${dimension} variable${dimension === 1 ? '' : 's'}, not 2) and ${written.csv} (the series drawn)\n`
