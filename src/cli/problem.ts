/**
 * The function a command works on: an expression from the command line with
 * its variable order, turned once into a traced, compiled value-and-gradient
 * and Hessian on the autodiff graph (for the numbers) and a plain numeric
 * function (for contour plots), plus the decoding of points such as
 * `--at 1,2` against that variable order.
 */
import * as E from 'fp-ts/lib/Either.js'
import { hessian, valueAndGrad } from '../graph/index.js'
import { type Expression, parseFunction, showExpression, toFunction, toNumericFunction } from '../io/parse.js'
import { Tensor } from '../tensor/Tensor.js'
import { type UsageError, decodeNumberList, usage } from './args.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A parsed expression as a function of a point whose coordinate k is `vars[k]`. */
export interface Problem {
  /** The text as the user typed it. */
  readonly source: string
  readonly expression: Expression
  readonly vars: readonly string[]
  /** f at a point, on plain numbers (no graph): for plots and quick checks. */
  readonly value: (point: ArrayLike<number>) => number
  /** [f(x), ∇f(x)] from the graph, traced and compiled once. */
  readonly valueAndGradient: (x: Tensor) => readonly [number, Tensor]
  /** ∇²f(x) as an [n, n] tensor, traced and compiled once. */
  readonly hessian: (x: Tensor) => Tensor
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Parse `text` and fix its variable order (`vars`, from `--vars`, or sorted
 * by name). A syntax error or an unknown variable becomes a usage error that
 * shows the expression with a caret under the column.
 */
export const loadProblem = (text: string, vars?: readonly string[]): E.Either<UsageError, Problem> => {
  const parsed = parseFunction(text, vars)
  if (E.isLeft(parsed)) {
    // a problem with the list itself (a duplicate, a function name) has no column in the expression
    if (parsed.left.kind === 'VariablesError' && parsed.left.column === undefined) {
      return usage(`--vars: ${parsed.left.message.replace(/^variable list: /, '')}`)
    }
    return usage(`bad expression: ${parsed.left.formatted}`)
  }
  const { expression, variables } = parsed.right
  if (variables.length === 0) {
    return usage(`bad expression: '${text}' has no variables; write a function of some variables, like x^2 + y^2`)
  }
  const f = toFunction(expression, variables)
  const vg = valueAndGrad(f)
  const h = hessian(f)
  return E.right({
    source: text,
    expression,
    vars: variables,
    value: toNumericFunction(expression, variables),
    valueAndGradient: (x) => vg(x) as readonly [number, Tensor],
    hessian: (x) => h(x)
  })
}

/**
 * Decode a point flag (`--at`, `--from`) for this problem: numbers separated
 * by commas, one per variable, in the problem's variable order.
 */
export const decodePoint = (problem: Problem, flag: string, text: string | undefined): E.Either<UsageError, Tensor> => {
  const n = problem.vars.length
  const example = Array.from({ length: n }, (_, i) => [1, 2, -0.5, 0][i % 4]).join(',')
  if (text === undefined) return usage(`${flag} is required: give ${n} coordinate${n === 1 ? '' : 's'} (${problem.vars.join(', ')}), like ${flag} ${example}`)
  const numbers = decodeNumberList(flag, text)
  if (E.isLeft(numbers)) return numbers
  if (numbers.right.length !== n) {
    const got = numbers.right.length
    return usage(
      `${flag}: ${got} coordinate${got === 1 ? '' : 's'} given (${text}) but the expression has ${n} variable${n === 1 ? '' : 's'} ` +
        `(${problem.vars.join(', ')}); give one number per variable in that order, like ${flag} ${example} (set the order with --vars)`
    )
  }
  return E.right(Tensor.unsafeFromBuffer([n], Float64Array.from(numbers.right)))
}

/** `f(x, y) = …` with the expression reprinted canonically. */
export const describeProblem = (problem: Problem): string => `f(${problem.vars.join(', ')}) = ${showExpression(problem.expression)}`
