/**
 * The Node entry (`<package>/node`): what needs the file system. Checkpoint
 * files written atomically and read back, and optimizer spec files. The core
 * (`src/index.ts`) holds the text formats and runs in browsers.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as nodePath from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type Checkpoint, type Expected, parseCheckpoint, serializeCheckpoint } from '../io/checkpoint.js'
import { type OptimizerSpec, parseOptimizerSpec } from '../io/spec.js'

// -------------------------------------------------------------------------------------
// checkpoint files
// -------------------------------------------------------------------------------------

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** One temporary name per target, host and process: a crashed writer leaves at most one, which the next write removes. */
const temporaryName = (file: string, pid: number): string =>
  nodePath.join(nodePath.dirname(file), `.${nodePath.basename(file)}.${os.hostname()}.${pid}.tmp`)

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as { code?: string }).code !== 'ESRCH'
  }
}

/**
 * Remove the temporary files of `file` left by writers on this host that no
 * longer run (killed mid-write). Also sweeps the `.<name>.<pid>.<time>.tmp`
 * files of earlier versions. A live writer's file is left alone.
 */
const sweepStaleTemporaries = (file: string): void => {
  const dir = nodePath.dirname(file)
  const base = escapeRegExp(nodePath.basename(file))
  const current = new RegExp(`^\\.${base}\\.${escapeRegExp(os.hostname())}\\.(\\d+)\\.tmp$`)
  const legacy = new RegExp(`^\\.${base}\\.(\\d+)\\.\\d+\\.tmp$`)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    const m = current.exec(name) ?? legacy.exec(name)
    if (m === null) continue
    const pid = Number(m[1])
    if (pid === process.pid || isAlive(pid)) continue
    try {
      fs.rmSync(nodePath.join(dir, name), { force: true })
    } catch {
      // another process swept it first, or the directory is read-only: the write below reports real trouble
    }
  }
}

/**
 * Write a checkpoint file atomically: the text goes to a temporary file in the
 * same directory (`.<name>.<host>.<pid>.tmp`), is flushed to disk, then
 * renamed over `file`. A crash at any point leaves either the old file or the
 * new one, never a mix; the temporary file a crash leaves behind is removed by
 * the next write to the same file, so they never accumulate.
 */
export const writeCheckpointFile = <S>(file: string, checkpoint: Checkpoint<S>): E.Either<string, void> => {
  const temp = temporaryName(file, process.pid)
  try {
    const text = serializeCheckpoint(checkpoint)
    sweepStaleTemporaries(file)
    const fd = fs.openSync(temp, 'w')
    try {
      fs.writeSync(fd, text)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(temp, file)
    return E.right(undefined)
  } catch (e) {
    try {
      fs.rmSync(temp, { force: true })
    } catch {
      // the temporary file may not exist; nothing else to undo
    }
    return E.left(`writeCheckpointFile: cannot write ${file}: ${(e as Error).message}`)
  }
}

/** Read and check a checkpoint file; every error names the file. */
export const readCheckpointFile = <S>(file: string, expected: Expected<S>): E.Either<readonly string[], Checkpoint<S>> => {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    return E.left([`readCheckpointFile: cannot read ${file}: ${(e as Error).message}`])
  }
  return E.mapLeft((errors: readonly string[]) => errors.map((m) => `${file}: ${m}`))(parseCheckpoint(text, expected))
}

// -------------------------------------------------------------------------------------
// optimizer spec files
// -------------------------------------------------------------------------------------

/**
 * An optimizer spec given as JSON text, `@path/to/spec.json`, or a bare alias
 * name (as DESIGN's command line takes it). Errors from a file name the file.
 */
export const parseOptimizerSpecArg = (arg: string): E.Either<readonly string[], OptimizerSpec> => {
  if (!arg.startsWith('@')) return parseOptimizerSpec(arg)
  const file = arg.slice(1)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    return E.left([`cannot read optimizer spec file ${file}: ${(e as Error).message}`])
  }
  return E.mapLeft((errors: readonly string[]) => errors.map((m) => `${file}: ${m}`))(parseOptimizerSpec(text))
}
