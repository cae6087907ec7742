/**
 * Command-line arguments: splitting argv into flags and positionals with
 * `node:util`'s `parseArgs`, and decoding each flag's text into a typed value.
 * Every decoder returns `Either<UsageError, A>` whose message names the flag
 * and what is wrong with its value, so that a bad flag becomes exit status 2
 * and a one-line message, never a stack trace.
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Bad input from the user: printed on stderr, exit status 2. */
export interface UsageError {
  readonly kind: 'UsageError'
  /** Names the problem and where (the flag, the column with a caret, the JSON path, the file). */
  readonly message: string
}

/** A flag a command accepts: `string` flags take a value, `boolean` ones do not. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean'
  /** One-letter alias, e.g. `h` for `--help`. */
  readonly short?: string
}

/** The flags of one command by long name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** What `splitArgs` found: flag values by name (last one wins) and positionals in order. */
export interface SplitArgs {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: readonly string[]
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A `Left` holding a usage error with this message. */
export const usage = <A = never>(message: string): E.Either<UsageError, A> => E.left({ kind: 'UsageError', message })

// -------------------------------------------------------------------------------------
// splitting
// -------------------------------------------------------------------------------------

/**
 * Split argv into flags and positionals.
 *
 * Two things `parseArgs` alone refuses are accepted here, because this
 * command line needs them: a flag value that starts with a minus
 * (`--from -1.5,2`, `--at -1,0`) and an expression that starts with one
 * (`descent analyze '-x^2' --at 0`). So a value-taking flag always takes the
 * next argument as its value, and an argument that starts with a single `-`
 * but is not a known short flag is a positional. Unknown `--long` flags,
 * a value given to a boolean flag and a missing value are reported by name.
 */
export const splitArgs = (argv: readonly string[], specs: FlagSpecs): E.Either<UsageError, SplitArgs> => {
  const shorts = new Set(Object.values(specs).flatMap((s) => (s.short === undefined ? [] : [`-${s.short}`])))
  const known = (token: string): boolean => Object.hasOwn(specs, token.slice(2).split('=')[0])
  const normalised: string[] = []
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    if (token === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=')[0]
      if (!known(token)) return usage(`unknown flag --${name}${suggestFlag(name, specs)}`)
      if (specs[name].type === 'string' && !token.includes('=')) {
        const value = argv[i + 1]
        if (value === undefined || (value.startsWith('--') && known(value))) {
          return usage(`flag --${name} needs a value${value === undefined ? '' : `, found the flag ${value}`}`)
        }
        normalised.push(`--${name}=${value}`)
        i++
      } else {
        normalised.push(token)
      }
    } else if (shorts.has(token)) {
      normalised.push(token)
    } else {
      positionals.push(token)
    }
  }
  try {
    const options = Object.fromEntries(
      Object.entries(specs).map(([name, s]) => [name, s.short === undefined ? { type: s.type } : { type: s.type, short: s.short }])
    )
    const { values } = parseArgs({ args: normalised, options, strict: true, allowPositionals: false })
    return E.right({ flags: values as Record<string, string | boolean | undefined>, positionals })
  } catch (e) {
    // parseArgs reports a boolean flag given a value, e.g. `--json=yes`; keep its first line.
    return usage(String((e as Error).message).split('\n')[0])
  }
}

const suggestFlag = (name: string, specs: FlagSpecs): string => {
  const near = Object.keys(specs).filter((k) => k.startsWith(name) || name.startsWith(k) || closeTo(k, name))
  return near.length > 0 ? ` (did you mean --${near[0]}?)` : `; known flags: ${Object.keys(specs).map((k) => `--${k}`).join(' ')}`
}

/** True when the names differ by one typo: a changed, missing or extra letter, or two neighbours swapped. */
export const closeTo = (a: string, b: string): boolean => {
  if (Math.abs(a.length - b.length) > 1) return false
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  const swapped = a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)
  return swapped || a.slice(i + 1) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i) || a.slice(i) === b.slice(i + 1)
}

// -------------------------------------------------------------------------------------
// decoders
// -------------------------------------------------------------------------------------

/** A decimal or scientific float64 literal, with an optional sign; no hex, no `Infinity`, no blanks. */
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * Decode one number; `what` names the flag in the message.
 * @example decodeNumber('--grad-tol', '1e-6') // Right(1e-6)
 */
export const decodeNumber = (what: string, text: string): E.Either<UsageError, number> => {
  const trimmed = text.trim()
  if (!numberPattern.test(trimmed)) return usage(`${what}: '${text}' is not a number (expected something like 0.5 or 1e-6)`)
  const value = Number(trimmed)
  if (!Number.isFinite(value)) return usage(`${what}: '${text}' is too large for a float64`)
  return E.right(value)
}

/**
 * Decode a comma-separated list of numbers, such as `--from -1.5,2`; the
 * message says which entry (1-based) is not a number.
 */
export const decodeNumberList = (what: string, text: string): E.Either<UsageError, readonly number[]> => {
  if (text.trim() === '') return usage(`${what}: empty list; give coordinates like 1,2`)
  const parts = text.split(',')
  const out: number[] = []
  for (let i = 0; i < parts.length; i++) {
    const decoded = decodeNumber(what, parts[i])
    if (E.isLeft(decoded)) {
      const where = parts.length > 1 ? ` (entry ${i + 1} of '${text}')` : ''
      return usage(`${what}: '${parts[i]}' is not a number${where}; give coordinates like -1.5,2`)
    }
    out.push(decoded.right)
  }
  return E.right(out)
}

/** Decode a whole number ≥ `min` (default 1), such as `--steps 500`. */
export const decodeCount = (what: string, text: string, min = 1): E.Either<UsageError, number> => {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) return usage(`${what}: '${text}' is not a whole number (expected something like 1000)`)
  const value = Number(trimmed)
  if (!Number.isSafeInteger(value)) return usage(`${what}: '${text}' is too large`)
  if (value < min) return usage(`${what}: must be at least ${min}, got ${value}`)
  return E.right(value)
}

/** Decode a number that must be > 0 (or ≥ 0 with `allowZero`), such as `--grad-tol`. */
export const decodePositive = (what: string, text: string, allowZero = false): E.Either<UsageError, number> => {
  const decoded = decodeNumber(what, text)
  if (E.isLeft(decoded)) return decoded
  const ok = allowZero ? decoded.right >= 0 : decoded.right > 0
  return ok ? decoded : usage(`${what}: must be ${allowZero ? '≥ 0' : '> 0'}, got ${text}`)
}

/** Decode `--vars x,y`: names separated by commas, blanks ignored (validity is checked against the expression). */
export const decodeNameList = (what: string, text: string): E.Either<UsageError, readonly string[]> => {
  const names = text.split(',').map((s) => s.trim())
  const empty = names.indexOf('')
  if (empty >= 0) return usage(`${what}: entry ${empty + 1} of '${text}' is empty; give names like x,y`)
  return E.right(names)
}
