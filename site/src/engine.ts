/**
 * What the page computes, all of it with the library: the expression turned
 * into value, gradient and Hessian on the autodiff graph, each optimizer of
 * the list decoded and run from the start exactly as `descent race` runs it
 * (the same decoding, labels and stopping rule, from the command line's own
 * modules), and the point analysis of `descent analyze`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type AnalyzeJson, analysisJson, analyzeAt } from '../../src/cli/analyze.js'
import type { CliIo } from '../../src/cli/io.js'
import { type Method, decodeMethod } from '../../src/cli/methods.js'
import { type Problem, loadProblem } from '../../src/cli/problem.js'
import { type RunResult, describeStop, runOptimizer } from '../../src/cli/run.js'
import { type PointAnalysis, Tensor, predictAlongGradient } from '../../src/index.js'
import type { Point } from './state.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A run as the page shows it: the command line's result with f and the point
 * at every step, k = 0 … steps (the page steps through all of them).
 */
export interface PageRun extends RunResult {
  readonly values: Float64Array
  /** `trail[k]` is the point after k steps. */
  readonly trail: readonly Point[]
}

/** One optimizer of the list: its label and run, or why it could not run. */
export type Entry =
  | { readonly kind: 'run'; readonly label: string; readonly run: PageRun; readonly note: string | undefined }
  | { readonly kind: 'error'; readonly message: string }

/** The analysis at a point: the `analyze --json` object and the library's own record. */
export interface Analysis {
  readonly json: AnalyzeJson
  readonly analysis: PointAnalysis
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** The expression as a problem in two variables, or the message (with its caret) saying why not. */
export const loadSurface = (expression: string): E.Either<string, Problem> => {
  const problem = loadProblem(expression)
  if (E.isLeft(problem)) return E.left(problem.left.message)
  const n = problem.right.vars.length
  if (n !== 2) {
    return E.left(`the map draws functions of two variables; '${expression}' has ${n} (${problem.right.vars.join(', ')}); write one in two variables, like x^2 + 3*y^2`)
  }
  return problem
}

/** The page cannot read files: only `@file` specs would try. */
const browserIo: CliIo = {
  out: () => undefined,
  err: () => undefined,
  errIsTTY: false,
  cwd: '/',
  readFile: () => {
    throw new Error('the page cannot read files')
  },
  writeFile: () => {
    throw new Error('the page cannot write files')
  },
  now: () => performance.now()
}

/** Decode one spec text of the list (entry `index`, from 0) as `race --optimizers` does. */
export const decodeEntry = (text: string, index: number, count: number): E.Either<string, Method> => {
  const where = count > 1 ? `optimizers entry ${index + 1}` : 'optimizers'
  if (text.trim().startsWith('@')) return E.left(`${where}: '${text.trim()}' names a file, which a web page cannot read; paste the spec's JSON instead`)
  return E.mapLeft((e: { readonly message: string }) => e.message.replace(/^--/, ''))(decodeMethod(where, text, browserIo))
}

/** Run every spec of the list from `from` for `steps` steps, in order. */
export const race = (problem: Problem, from: Point, specs: readonly string[], steps: number): readonly Entry[] =>
  specs.map((text, i) => {
    const method = decodeEntry(text, i, specs.length)
    if (E.isLeft(method)) return { kind: 'error', message: method.left }
    try {
      const result = runOptimizer(problem, Tensor.unsafeFromBuffer([2], Float64Array.from(from)), method.right.make(problem), steps, { keepValues: true, keepPoints: true })
      const points = result.points ?? new Float64Array()
      const trail = Array.from({ length: result.steps + 1 }, (_, k): Point => [points[2 * k], points[2 * k + 1]])
      const run: PageRun = { ...result, values: result.values ?? new Float64Array(), trail }
      return { kind: 'run', label: method.right.name, run, note: describeStop(run) }
    } catch (e) {
      return { kind: 'error', message: `${method.right.name}: ${e instanceof Error ? e.message : String(e)}` }
    }
  })

/** `descent analyze` at a point, or the message saying why it cannot be analysed there. */
export const analyseAt = (problem: Problem, at: Point): E.Either<string, Analysis> => {
  const analysis = analyzeAt(problem, [at[0], at[1]])
  if (E.isLeft(analysis)) return E.left(analysis.left.message.replace(/^--at /, 'at '))
  return E.right({ json: analysisJson(problem, [at[0], at[1]], analysis.right), analysis: analysis.right })
}

/**
 * f(x − εg) along the gradient, true and as the second-order model predicts
 * it, at `count` values of ε from 0 to `reach`.
 */
export const alongGradient = (problem: Problem, a: Analysis, reach: number, count = 81): { readonly epsilon: number[]; readonly truth: number[]; readonly model: number[] } => {
  const [x, y] = a.json.point
  const [gx, gy] = a.analysis.gradient
  const epsilon = Array.from({ length: count }, (_, i) => (reach * i) / (count - 1))
  return {
    epsilon,
    truth: epsilon.map((e) => problem.value([x - e * gx, y - e * gy])),
    model: epsilon.map((e) => predictAlongGradient(a.analysis, e))
  }
}
