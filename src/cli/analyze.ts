/**
 * `descent analyze <expr> --at 1,2`: value, gradient, Hessian, its
 * eigen-decomposition, condition number and the kind of point, as an aligned
 * report or (`--json`) the object of docs/cli.md's contract. The numbers come
 * from the autodiff graph and the curvature toolkit's `analyzePoint`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PointAnalysis, analyzePoint } from '../curvature/analyze.js'
import { Tensor } from '../tensor/Tensor.js'
import { type SplitArgs, type UsageError, decodeNameList, decodePositive, usage } from './args.js'
import { type Command, booleanFlag, stringFlag } from './command.js'
import type { CliIo } from './io.js'
import { type Problem, decodePoint, describeProblem, loadProblem } from './problem.js'
import { showNumber, showPoint, table } from './table.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The `analyze --json` object, exactly as docs/cli.md lists it. */
export interface AnalyzeJson {
  readonly vars: readonly string[]
  readonly point: readonly number[]
  readonly value: number
  readonly gradient: readonly number[]
  readonly hessian: readonly (readonly number[])[]
  readonly eigenvalues: readonly number[]
  readonly eigenvectors: readonly (readonly number[])[]
  readonly conditionNumber: number | null
  readonly kind: PointAnalysis['kind']
  /** Only at a non-critical point: gᵀHg/‖g‖². */
  readonly gradientCurvature?: number | null
  /** Only at a non-critical point: ‖g‖²/gᵀHg, null unless the curvature is positive. */
  readonly optimalStep?: number | null
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/**
 * Analyse `problem` at `point` with the graph's value, gradient and Hessian.
 * A point where f or a derivative is not finite (`log(x)` at x = −1) is bad
 * input: the message names the `--at` point.
 */
export const analyzeAt = (problem: Problem, point: readonly number[], gradTol = 1e-6): E.Either<UsageError, PointAnalysis> => {
  const x = Float64Array.from(point)
  const [value, gradient] = problem.valueAndGradient(tensorOf(x))
  const hessian = problem.hessian(tensorOf(x))
  const analysis = analyzePoint({ value, gradient, hessian }, { gradTol })
  if (E.isLeft(analysis)) {
    const why = analysis.left.message.replace(/^analyzePoint: /, '')
    return usage(`--at ${point.join(',')}: cannot analyse ${describeProblem(problem)} there: ${why}`)
  }
  return analysis
}

/**
 * The most variables `analyze` takes. It builds the dense n×n Hessian and
 * decomposes it: 200 variables take about 2 s, 400 about 5 s and 1,000 about
 * 30 s (this machine), so beyond 200 it stops at once and points to the
 * matrix-free tools instead.
 */
export const maxAnalyzeVariables = 200

const tensorOf = (x: Float64Array): Tensor => Tensor.unsafeFromBuffer([x.length], x)

/** The contract's JSON object for an analysis. */
export const analysisJson = (problem: Problem, point: readonly number[], a: PointAnalysis): AnalyzeJson => ({
  vars: problem.vars,
  point,
  value: a.value,
  gradient: a.gradient,
  hessian: a.hessian,
  eigenvalues: a.eigenvalues,
  eigenvectors: a.eigenvectors,
  conditionNumber: a.conditionNumber,
  kind: a.kind,
  ...(a.kind === 'not-critical' ? { gradientCurvature: a.gradientCurvature, optimalStep: a.optimalStep } : {})
})

const kindExplained = (a: PointAnalysis, gradTol: number): string => {
  switch (a.kind) {
    case 'minimum':
      return 'minimum (gradient ≈ 0, all eigenvalues > 0)'
    case 'maximum':
      return 'maximum (gradient ≈ 0, all eigenvalues < 0)'
    case 'saddle':
      return 'saddle (gradient ≈ 0, eigenvalues of both signs)'
    case 'degenerate':
      return 'degenerate (gradient ≈ 0, an eigenvalue ≈ 0: the second-derivative test cannot tell)'
    case 'not-critical':
      return `not critical (|gradient| = ${showNumber(a.gradientNorm)} > --grad-tol ${showNumber(gradTol)})`
  }
}

/** The human report: a two-column summary, the Hessian and the eigenpairs. */
export const analysisReport = (problem: Problem, point: readonly number[], a: PointAnalysis, gradTol: number): string => {
  const vars = problem.vars
  const lines: string[] = []
  lines.push(`${describeProblem(problem)}`)
  lines.push(`at (${vars.join(', ')}) = ${showPoint(point)}`)
  lines.push('')
  const summary: string[][] = [
    ['value', showNumber(a.value)],
    ['gradient', `${showPoint(a.gradient)}   |g| = ${showNumber(a.gradientNorm)}`],
    ['condition number', a.conditionNumber === null ? 'undefined (an eigenvalue is 0)' : showNumber(a.conditionNumber)],
    ['kind', kindExplained(a, gradTol)]
  ]
  if (a.kind === 'not-critical') {
    summary.push(['curvature along -g', a.gradientCurvature === null ? '-' : `${showNumber(a.gradientCurvature)}  (gᵀHg/|g|²)`])
    summary.push([
      'optimal step',
      a.optimalStep === null ? 'none: the curvature along -g is not positive, the quadratic model falls without bound' : `${showNumber(a.optimalStep)}  (|g|²/gᵀHg)`
    ])
  }
  lines.push(table(summary).trimEnd())
  lines.push('')
  lines.push('Hessian')
  lines.push(table(a.hessian.map((row, i) => [vars[i], ...row.map((v) => showNumber(v))]), ['', ...vars]).trimEnd())
  lines.push('')
  lines.push('eigenvalues (ascending) and unit eigenvectors')
  lines.push(
    table(
      a.eigenvalues.map((lambda, i) => [`λ${i + 1}`, showNumber(lambda), ...a.eigenvectors[i].map((v) => showNumber(v, 4))]),
      ['', 'value', ...vars.map((v) => `v.${v}`)]
    ).trimEnd()
  )
  return lines.join('\n') + '\n'
}

// -------------------------------------------------------------------------------------
// command
// -------------------------------------------------------------------------------------

const help = `descent analyze <expr> --at <point> [--vars x,y] [--grad-tol 1e-6] [--json]

Value, gradient, Hessian, eigenvalues and eigenvectors of the Hessian,
condition number |λ|max/|λ|min, and the kind of point: minimum, maximum,
saddle, degenerate, or not-critical when |gradient| > --grad-tol. At a
non-critical point, also the curvature along the gradient and the step size
that minimises the quadratic model along it.

  <expr>          an expression such as '(1-x)^2 + 100*(y-x^2)^2'
                  (+ - * / ^, sin cos tan exp log sqrt tanh sigmoid abs atan asin
                  acos sinh cosh asinh log1p expm1 erf sign relu softplus huber,
                  min max clip where, < <= > >= == !=, pi, e)
  --at 1,2        the point: one number per variable, comma-separated
  --vars x,y      variable order (default: sorted by name)
  --grad-tol t    the point is critical when |gradient| <= t (default 1e-6)
  --json          print one JSON object instead of the report

For functions of up to ${maxAnalyzeVariables} variables (the dense Hessian and its eigenvectors).

Examples:
  descent analyze '(1-x)^2 + 100*(y-x^2)^2' --at 1,1
  descent analyze 'x^2 - y^2' --at 0,0 --json
  descent analyze 'x^3 - 3*x*y^2' --at -0.5,1
`

/** `descent analyze`. */
export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'gradient, Hessian, eigenvalues and kind of a point',
  help,
  flags: { at: { type: 'string' }, vars: { type: 'string' }, 'grad-tol': { type: 'string' }, json: { type: 'boolean' } },
  run: (args: SplitArgs, io: CliIo): E.Either<UsageError, void> => {
    if (args.positionals.length !== 1) {
      return usage(args.positionals.length === 0 ? 'missing the expression, e.g. descent analyze "x^2 - y^2" --at 0,0' : `expected one expression, got ${args.positionals.length} arguments: ${args.positionals.map((p) => `'${p}'`).join(' ')} (quote the expression)`)
    }
    const varsText = stringFlag(args, 'vars')
    const vars = varsText === undefined ? E.right(undefined) : decodeNameList('--vars', varsText)
    if (E.isLeft(vars)) return vars
    const tolText = stringFlag(args, 'grad-tol')
    const gradTol = tolText === undefined ? E.right(1e-6) : decodePositive('--grad-tol', tolText, true)
    if (E.isLeft(gradTol)) return gradTol
    const problem = loadProblem(args.positionals[0], vars.right)
    if (E.isLeft(problem)) return problem
    const n = problem.right.vars.length
    if (n > maxAnalyzeVariables) {
      return usage(
        `the expression has ${n} variables; analyze is for functions of up to ${maxAnalyzeVariables} (it forms the dense ${n}×${n} Hessian and all its eigenvectors). ` +
          'For more, use the library: hessianOperator with lanczos or powerIteration gives the extreme eigenvalues from Hessian-vector products'
      )
    }
    const at = decodePoint(problem.right, '--at', stringFlag(args, 'at'))
    if (E.isLeft(at)) return at
    const point = Array.from(at.right.data)
    const analysis = analyzeAt(problem.right, point, gradTol.right)
    if (E.isLeft(analysis)) return analysis
    io.out(
      booleanFlag(args, 'json')
        ? JSON.stringify(analysisJson(problem.right, point, analysis.right)) + '\n'
        : analysisReport(problem.right, point, analysis.right, gradTol.right)
    )
    return E.right(undefined)
  }
}
