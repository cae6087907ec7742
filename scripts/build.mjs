#!/usr/bin/env node
/**
 * Compile src/ and laws/ into dist/ (ESM JavaScript and .d.ts files) with
 * tsconfig.build.json.
 *
 *   node scripts/build.mjs             a clean build (npm run build, prepack)
 *   node scripts/build.mjs --if-stale  only when a source is newer than the last build
 *                                      (prepare, pretest, and bin/descent in a checkout)
 *
 * A build removes dist/.built first and writes it last, stamped with the time
 * the build started, so a half-written dist/ is never taken for a fresh one
 * and a source saved during a build makes the next run build again. Builds
 * take a lock (a directory created exclusively), so two processes that find
 * dist/ stale at once build it once.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
const stamp = join(dist, '.built')
const lock = join(root, '.dist-lock')
/** Whatever the compiled output depends on. */
const sourceDirs = ['src', 'laws']
const sourceFiles = ['tsconfig.json', 'tsconfig.build.json']

const newestSource = () => {
  let newest = 0
  const visit = (path) => {
    const s = statSync(path)
    if (s.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry))
    else newest = Math.max(newest, s.mtimeMs)
  }
  for (const dir of sourceDirs) visit(join(root, dir))
  for (const file of sourceFiles) visit(join(root, file))
  return newest
}

/** True when dist/ is missing, half-built, or older than a source. */
export const isStale = () => !existsSync(stamp) || statSync(stamp).mtimeMs < newestSource()

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}

/** Run `fn` holding the build lock; a lock left by a process that died is taken over. */
const withLock = (fn) => {
  const deadline = Date.now() + 10 * 60 * 1000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (e) {
      if (e.code !== 'EEXIST') throw e
      let owner = Number.NaN
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'))
      } catch {
        // the owner has not written its pid yet
      }
      if (Number.isInteger(owner) && !alive(owner)) rmSync(lock, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new Error(`descent: another build has held ${lock} for ten minutes; remove it if no build is running`)
      else sleep(100)
    }
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid))
    return fn()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

const compile = () => {
  const started = new Date()
  let tsc
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc')
  } catch {
    throw new Error('descent: building dist/ needs the dev dependencies: run npm ci (or npm install) first')
  }
  rmSync(dist, { recursive: true, force: true })
  // tsc reports errors on stdout: send them to stderr so a command's own output stays clean
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] })
  if (result.status !== 0) throw new Error(`descent: tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal}); dist/ is incomplete`)
  closeSync(openSync(stamp, 'w'))
  utimesSync(stamp, started, started)
}

/** Build dist/ (always, or only when stale); returns whether it built. */
export const build = ({ ifStale = false, quiet = false } = {}) =>
  withLock(() => {
    if (ifStale && !isStale()) return false
    if (!quiet) process.stderr.write('descent: compiling src/ and laws/ into dist/ …\n')
    compile()
    return true
  })

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const ifStale = process.argv.includes('--if-stale')
    if (!ifStale || isStale()) build({ ifStale })
  } catch (e) {
    process.stderr.write(`${e.message}\n`)
    process.exitCode = 1
  }
}
