/**
 * The plots `--plot out.svg` writes, built from runs with the plot helpers
 * of `./plot`: for a function of two variables, `out.svg` is a contour plot
 * with each trajectory and `out-loss.svg` the loss curves; for any other
 * number of variables there is no contour plot, and `out.svg` holds the loss
 * curves alone.
 */
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { type Marker, type Trajectory, contourPlot, lossPlot } from './plot.js'
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
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** `out.svg` → `out-loss.svg` (same directory; `.svg` added when the name has no extension). */
export const lossPathFor = (path: string): string => {
  const ext = extname(path)
  return join(dirname(path), `${basename(path, ext)}-loss${ext === '' ? '.svg' : ext}`)
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]

/**
 * The window a contour plot shows: every start and end point, and the bulk
 * (1st to 99th percentile per axis) of the trajectories' points, with 7.5 %
 * of the span added on each side (and a span of at least 0.5), so that one
 * wild excursion does not shrink everything else to a dot (it is clipped at
 * the frame instead).
 */
export const plotDomain = (runs: readonly NamedRun[], extra: readonly (readonly number[])[] = []): { x: [number, number]; y: [number, number] } => {
  const axis = (k: 0 | 1): [number, number] => {
    const all = runs.flatMap((r) => r.run.points.map((p) => p[k])).filter(Number.isFinite).sort((a, b) => a - b)
    const ends = [...runs.flatMap((r) => [r.run.points[0][k], r.run.points[r.run.points.length - 1][k]]), ...extra.map((p) => p[k])].filter(Number.isFinite)
    const lo = Math.min(...ends, all.length > 0 ? quantile(all, 0.01) : Infinity)
    const hi = Math.max(...ends, all.length > 0 ? quantile(all, 0.99) : -Infinity)
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
  const full = isAbsolute(path) ? path : resolve(io.cwd, path)
  const loss = lossPlot({
    series: runs.map((r) => ({ name: r.name, values: r.run.values })),
    title: `${title}: f by step`,
    yLabel: `f(${problem.vars.join(', ')})`
  })
  if (problem.vars.length !== 2) {
    io.writeFile(full, loss)
    return { loss: path }
  }
  const domain = options.domain ?? plotDomain(runs, (options.markers ?? []).map((m) => m.point))
  const trajectories: Trajectory[] = runs.map((r) => ({ name: r.name, points: r.run.points.map((p) => [p[0], p[1]] as const) }))
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
  io.writeFile(full, contour)
  const lossPath = lossPathFor(path)
  io.writeFile(isAbsolute(lossPath) ? lossPath : resolve(io.cwd, lossPath), loss)
  return { contour: path, loss: lossPath }
}

/** One line saying what was written. */
export const describePlots = (written: WrittenPlots, dimension: number): string =>
  written.contour !== undefined
    ? `wrote ${written.contour} (contour plot with trajectories) and ${written.loss} (f by step, log scale)\n`
    : `wrote ${written.loss} (f by step, log scale; no contour plot: the function has ${dimension} variable${dimension === 1 ? '' : 's'}, not 2)\n`
