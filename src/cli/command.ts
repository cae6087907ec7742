/**
 * The shape of a subcommand: its flags, its help text (with an example) and
 * a run function that returns a usage error for bad input. `main` turns the
 * result into an exit status.
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { FlagSpecs, SplitArgs, UsageError } from './args.js'
import type { CliIo } from './io.js'

/** One subcommand of `descent`. */
export interface Command {
  readonly name: string
  /** One line for the top-level help. */
  readonly summary: string
  /** The full `--help` text, with at least one example. */
  readonly help: string
  /** Its flags (without `--help`, which every command has). */
  readonly flags: FlagSpecs
  /** Run with the split arguments; Left for bad input (exit 2), Right when done (exit 0). */
  readonly run: (args: SplitArgs, io: CliIo) => E.Either<UsageError, void>
}

/** `String(flags[name])` when the flag was given a value, else undefined. */
export const stringFlag = (args: SplitArgs, name: string): string | undefined => {
  const v = args.flags[name]
  return typeof v === 'string' ? v : undefined
}

/** True when a boolean flag was given. */
export const booleanFlag = (args: SplitArgs, name: string): boolean => args.flags[name] === true
