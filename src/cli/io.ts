/**
 * The outside world of the command line, as one record: standard output and
 * error, whether stderr is a terminal, the working directory, files and a
 * clock. `main` takes it as an argument so that tests run commands in-process
 * with captured output; `nodeIo` is the real one.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What a command may touch. */
export interface CliIo {
  /** Write to standard output (text as given; commands end their lines with `\n`). */
  readonly out: (text: string) => void
  /** Write to standard error. */
  readonly err: (text: string) => void
  /** True when stderr is a terminal: only then is a progress bar drawn. */
  readonly errIsTTY: boolean
  /** Width of the terminal behind stderr, for the progress bar. Default 80. */
  readonly errColumns?: number
  /** Directory that relative paths (`@spec.json`, `--plot out.svg`) are resolved against. */
  readonly cwd: string
  /** Read a UTF-8 file; throws Node's errors (`code` ENOENT, EISDIR, …). */
  readonly readFile: (path: string) => string
  /** Write a UTF-8 file; throws Node's errors. */
  readonly writeFile: (path: string, text: string) => void
  /** Milliseconds on a monotonic clock. */
  readonly now: () => number
}

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/** The process's real stdout, stderr, files and clock. */
export const nodeIo = (): CliIo => ({
  out: (text) => {
    process.stdout.write(text)
  },
  err: (text) => {
    process.stderr.write(text)
  },
  errIsTTY: process.stderr.isTTY === true,
  errColumns: process.stderr.columns,
  cwd: process.cwd(),
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, text) => writeFileSync(path, text, 'utf8'),
  now: () => performance.now()
})

/** A captured run: everything written, for tests and for embedding. */
export interface CapturedIo extends CliIo {
  readonly stdout: () => string
  readonly stderr: () => string
}

/**
 * An io whose stdout and stderr go to strings; files are the real ones
 * (relative to `cwd`), stderr is not a terminal unless `errIsTTY` is given.
 */
export const capturedIo = (options: { readonly cwd?: string; readonly errIsTTY?: boolean; readonly now?: () => number } = {}): CapturedIo => {
  let out = ''
  let err = ''
  return {
    out: (text) => {
      out += text
    },
    err: (text) => {
      err += text
    },
    errIsTTY: options.errIsTTY ?? false,
    errColumns: 80,
    cwd: options.cwd ?? process.cwd(),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text, 'utf8'),
    now: options.now ?? (() => performance.now()),
    stdout: () => out,
    stderr: () => err
  }
}
