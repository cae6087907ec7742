/**
 * Flag decoding shared by `optimize` and `race`: the problem and its
 * variable order, the start point, the step count, and writing plots with
 * errors that name `--plot`.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../tensor/Tensor.js'
import { type SplitArgs, type UsageError, decodeCount, decodeNameList, usage } from './args.js'
import { stringFlag } from './command.js'
import type { WrittenPlots } from './figures.js'
import { type Problem, decodePoint, loadProblem } from './problem.js'

/** The expression (one positional), `--vars` and the point flag, decoded in that order. */
export const decodeProblemAndPoint = (
  args: SplitArgs,
  command: string,
  pointFlag: string,
  example: string
): E.Either<UsageError, { readonly problem: Problem; readonly start: Tensor }> => {
  if (args.positionals.length !== 1) {
    return usage(
      args.positionals.length === 0
        ? `missing the expression, e.g. descent ${command} ${example}`
        : `expected one expression, got ${args.positionals.length} arguments: ${args.positionals.map((p) => `'${p}'`).join(' ')} (quote the expression)`
    )
  }
  const varsText = stringFlag(args, 'vars')
  const vars = varsText === undefined ? E.right(undefined) : decodeNameList('--vars', varsText)
  if (E.isLeft(vars)) return vars
  const problem = loadProblem(args.positionals[0], vars.right)
  if (E.isLeft(problem)) return problem
  const start = decodePoint(problem.right, pointFlag, stringFlag(args, pointFlag.slice(2)))
  if (E.isLeft(start)) return start
  const [value] = problem.right.valueAndGradient(start.right)
  if (!Number.isFinite(value)) return usage(`${pointFlag} ${Array.from(start.right.data).join(',')}: f is ${value} there; start where f is finite`)
  return E.right({ problem: problem.right, start: start.right })
}

/** `--steps`, a whole number ≥ 1 (at most 10⁷), or the default. */
export const decodeSteps = (args: SplitArgs, fallback: number): E.Either<UsageError, number> => {
  const text = stringFlag(args, 'steps')
  if (text === undefined) return E.right(fallback)
  const steps = decodeCount('--steps', text, 1)
  if (E.isLeft(steps)) return steps
  return steps.right > 10_000_000 ? usage(`--steps: at most 10000000, got ${steps.right}`) : steps
}

/** Run `write`, turning a file-system error into a usage error that names `--plot` and the path. */
export const writingPlots = (path: string, write: () => WrittenPlots): E.Either<UsageError, WrittenPlots> => {
  try {
    return E.right(write())
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === undefined) throw e
    const why = code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message
    return usage(`--plot: cannot write '${path}': ${why}`)
  }
}
