/**
 * The `descent` command line: `analyze`, `optimize` and `race` (docs/cli.md).
 * `main(argv, io)` runs one command and returns its exit status — 0 on
 * success, 2 on bad input (a message on stderr naming the problem and where),
 * 1 on an internal error (a one-line message; the stack only with
 * DESCENT_DEBUG=1) — so tests can run it in-process;
 * `run()` is what `bin/descent` calls.
 */
import { readFileSync, realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { closeTo, splitArgs } from './args.js'
import { analyzeCommand } from './analyze.js'
import type { Command } from './command.js'
import { type CliIo, nodeIo } from './io.js'
import { optimizeCommand } from './optimize.js'
import { raceCommand } from './race.js'

/** The subcommands, in the order the help lists them. */
export const commands: readonly Command[] = [analyzeCommand, optimizeCommand, raceCommand]

/** The package version, read from package.json: two folders up from src/cli/main.ts, three from dist/src/cli/main.js. */
export const version = (): string => {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { version: string }).version
    } catch {
      // not at this depth
    }
  }
  return 'unknown'
}

const topHelp = (): string => `descent ${version()}: automatic differentiation, curvature and optimizers on expressions

Usage:
${commands.map((c) => `  descent ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

  descent <command> --help   flags and examples of one command
  descent --version

Expressions use + - * / ^ (right-associative, -x^2 is -(x^2)), parentheses,
the functions sin cos tan exp log sqrt tanh sigmoid abs atan asin acos sinh
cosh asinh log1p expm1 erf sign relu softplus huber, min(a,b) max(a,b)
clip(x,lo,hi) where(c,a,b), comparisons < <= > >= == != (masks: 1 or 0, as in
where(x > 0, x, -x)), and the constants pi and e.
Variables are ordered by name unless --vars gives the order.

Examples:
  descent analyze '(1-x)^2 + 100*(y-x^2)^2' --at 1,1
  descent optimize 'x^2 + 10*y^2' --from 3,1 --optimizer adam --steps 200
  descent race --demo

Exit status: 0 success, 2 bad input, 1 internal error. With --json, errors are
JSON on stderr too: {"error": "...", "where": "--from"}.
`

/**
 * Where a usage message says the problem is: the flag it starts with
 * (`--from`, `--optimizers entry 2`), `expression` for the expression, or
 * `arguments`.
 */
export const whereOf = (message: string): string => {
  const flag = /^(?:unknown flag |flag )?(--[\w-]+(?: entry \d+)?)/.exec(message)
  if (flag !== null) return flag[1]
  if (/^(bad expression|missing the expression|expected one expression)/.test(message)) return 'expression'
  return 'arguments'
}

/**
 * Run the command line on `argv` (without `node` and the script) and return
 * the exit status. With `--json` anywhere in argv, errors are one JSON
 * object on stderr, `{"error": message, "where": …}`, with the same exit
 * statuses.
 */
export const main = (argv: readonly string[], io: CliIo): number => {
  const asJson = argv.includes('--json')
  const fail = (code: 1 | 2, where: string, message: string, human: string): number => {
    io.err(asJson ? JSON.stringify({ error: message, where }) + '\n' : human)
    return code
  }
  try {
    const [name, ...rest] = argv
    if (name === undefined) return fail(2, 'command', 'no command given; the commands are ' + commands.map((c) => c.name).join(', '), topHelp())
    if (name === '--help' || name === '-h' || name === 'help') {
      io.out(topHelp())
      return 0
    }
    if (name === '--version' || name === '-V') {
      io.out(`${version()}\n`)
      return 0
    }
    const command = commands.find((c) => c.name === name)
    if (command === undefined) {
      const near = commands.find((c) => closeTo(c.name, name))
      const message = `unknown command '${name}'${near !== undefined ? ` (did you mean ${near.name}?)` : ''}; the commands are ${commands.map((c) => c.name).join(', ')}`
      return fail(2, 'command', message, `descent: ${message} (see descent --help)\n`)
    }
    const args = splitArgs(rest, { ...command.flags, help: { type: 'boolean', short: 'h' } })
    if (E.isRight(args) && args.right.flags.help === true) {
      io.out(command.help)
      return 0
    }
    const result = E.isLeft(args) ? args : command.run(args.right, io)
    if (E.isLeft(result)) {
      const message = result.left.message
      return fail(2, whereOf(message), message, `descent ${command.name}: ${message}\n(see descent ${command.name} --help)\n`)
    }
    return 0
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    const debug = process.env.DESCENT_DEBUG === '1' && e instanceof Error && e.stack !== undefined
    return fail(
      1,
      'internal',
      `internal error: ${message}`,
      `descent: internal error: ${message}\n` + (debug ? `${(e as Error).stack}\n` : '(this is a bug in descent; run with DESCENT_DEBUG=1 for a stack trace)\n')
    )
  }
}

/** Run with the process's arguments and streams; sets `process.exitCode`. */
export const run = (): void => {
  // `descent race --demo | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw e
  })
  process.exitCode = main(process.argv.slice(2), nodeIo())
}

// `tsx src/cli/main.ts …` runs the command line; importing this module (bin/descent, tests) does not.
const isEntry = (): boolean => {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
  } catch {
    return false
  }
}
if (isEntry()) run()
