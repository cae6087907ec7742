/**
 * The one error type of the curvature toolkit: a machine-readable code and a
 * message that names what was wrong and where (which argument, which entry).
 * Functions that take outside input return `Either<CurvatureError, A>`; their
 * throwing shortcuts (`unsafe…`) throw an `Error` carrying the same message.
 */
import * as E from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What kind of input was rejected. */
export type CurvatureErrorCode =
  | 'not-square'
  | 'not-symmetric'
  | 'not-finite'
  | 'bad-dimension'
  | 'bad-option'
  | 'bad-oracle'
  | 'singular'
  | 'no-convergence'
  | 'bad-function'

/** A rejected input: `code` for programs, `message` for people. */
export interface CurvatureError {
  /** What kind of input was rejected, for a program to branch on. */
  readonly code: CurvatureErrorCode
  /** What was wrong and where: the function, then the argument, option or entry at fault. */
  readonly message: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A `Left` holding a curvature error. */
export const fail = <A = never>(code: CurvatureErrorCode, message: string): E.Either<CurvatureError, A> =>
  E.left({ code, message })

// -------------------------------------------------------------------------------------
// utilities
// -------------------------------------------------------------------------------------

/** The value of a `Right`, or throw an `Error` with the `Left`'s message (for `unsafe…` forms). */
export const getOrThrow = <A>(result: E.Either<CurvatureError, A>): A => {
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

/**
 * Check that an option is a finite number within bounds, naming the function
 * and the option when it is not.
 */
export const checkNumberOption = (
  where: string,
  name: string,
  value: number,
  { min = -Infinity, max = Infinity, integer = false }: { readonly min?: number; readonly max?: number; readonly integer?: boolean }
): E.Either<CurvatureError, number> => {
  if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const kind = integer ? 'an integer' : 'a number'
    const range = `${min === -Infinity ? '' : ` ≥ ${min}`}${max === Infinity ? '' : `${min === -Infinity ? '' : ' and'} ≤ ${max}`}`
    return fail('bad-option', `${where}: option ${name} must be ${kind}${range}, got ${String(value)}`)
  }
  return E.right(value)
}
