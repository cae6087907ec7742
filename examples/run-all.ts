/**
 * Run every example in this folder in its fast mode (`--fast`), one after
 * another, and fail if any fails: what `npm run examples` and CI call.
 * Examples are found by listing the folder, so a new one is picked up
 * without touching this file.
 *
 *   npx tsx examples/run-all.ts            # all, fast mode
 *   npx tsx examples/run-all.ts --full     # all, full mode
 *   npx tsx examples/run-all.ts conditioning saddle-escape   # only these
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const args = process.argv.slice(2)
const full = args.includes('--full')
const only = args.filter((a) => !a.startsWith('--'))

const examples = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== basename(fileURLToPath(import.meta.url)))
  .filter((f) => only.length === 0 || only.includes(basename(f, '.ts')))
  .sort()

let failed = 0
for (const file of examples) {
  const started = performance.now()
  const result = spawnSync(process.execPath, ['--import', tsxLoader, join(here, file), ...(full ? [] : ['--fast'])], {
    encoding: 'utf8',
    cwd: dirname(here)
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  if (result.status === 0) {
    console.log(`ok    ${file} (${seconds} s)`)
  } else {
    failed++
    console.log(`FAIL  ${file} (${seconds} s, exit ${result.status ?? result.signal})`)
    console.log((result.stdout + result.stderr).split('\n').map((l) => `      ${l}`).join('\n'))
  }
}
console.log(`${examples.length - failed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
