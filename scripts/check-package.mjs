#!/usr/bin/env node
/**
 * What a user gets from the registry, checked from outside the checkout:
 * `npm pack` the package, install the tarball into a fresh temporary project
 * (dependencies from npm's cache, so it runs offline after `npm ci`), then there
 *  1. run test/package/consumer.mjs with plain `node` (core + laws + node entries, a gradient against its closed form),
 *  2. type-check test/package/consumer.ts, strict, under moduleResolution node16 and bundler,
 *  3. bundle the core for the browser with esbuild (test/package/bundle.mjs): no Node built-ins.
 * Exit status 1 if any step fails. `npm run check-package`; CI runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const here = join(root, 'test', 'package')
const require = createRequire(join(root, 'package.json'))
const tsc = require.resolve('typescript/bin/tsc')
const esbuild = require.resolve('esbuild')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const work = mkdtempSync(join(tmpdir(), 'descent-package-'))
let failed = 0

const step = (title, command, args, cwd = work) => {
  const started = performance.now()
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  if (r.status === 0) console.log(`ok    ${title} (${seconds} s)${output === '' ? '' : `\n${output.replace(/^/gm, '      ')}`}`)
  else {
    failed++
    console.log(`FAIL  ${title} (${seconds} s, exit ${r.status ?? r.signal})\n${output.replace(/^/gm, '      ')}`)
  }
  return r.status === 0
}

try {
  const packed = execFileSync(npm, ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const tarball = join(work, packed.trim().split('\n').pop())
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  for (const f of readdirSync(here)) copyFileSync(join(here, f), join(work, f))
  const installed = step('npm install the tarball (and fast-check, the laws entry\'s peer) from the cache', npm, [
    'install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, `fast-check@${require('fast-check/package.json').version}`
  ])
  if (installed) {
    step('plain node runs the core, the laws and the node entries', process.execPath, ['consumer.mjs'])
    for (const moduleResolution of ['node16', 'bundler']) {
      const tsconfig = {
        compilerOptions: {
          target: 'ES2022', lib: ['ES2022'], types: [], strict: true, noEmit: true, skipLibCheck: false,
          noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true,
          module: moduleResolution === 'bundler' ? 'ESNext' : 'node16', moduleResolution
        },
        files: ['consumer.ts']
      }
      writeFileSync(join(work, `tsconfig.${moduleResolution}.json`), JSON.stringify(tsconfig, null, 2))
      step(`tsc: strict consumer under moduleResolution ${moduleResolution}`, process.execPath, [tsc, '-p', `tsconfig.${moduleResolution}.json`])
    }
    step('esbuild --platform=browser bundles the core', process.execPath, ['bundle.mjs', esbuild])
  }
} catch (e) {
  failed++
  console.log(`FAIL  ${e.message}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
console.log(failed === 0 ? 'package check: all passed' : `package check: ${failed} failed`)
process.exitCode = failed === 0 ? 0 : 1
