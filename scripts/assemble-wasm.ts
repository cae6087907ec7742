/**
 * Assemble the WebAssembly text kernels (src/eval/wasm/*.wat) into the
 * TypeScript modules that embed their bytes (src/eval/wasm/*.bytes.ts), with
 * the pinned `wabt` dev dependency. The library never needs wabt: it ships the
 * bytes, and test/eval/wasm.test.ts checks that they are these bytes.
 *
 *   npm run build:wasm            rewrite the .bytes.ts files
 *   npm run build:wasm -- --check exit 1 if one of them is stale
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { assembledModuleSource, wasmSources } from './wasm.js'

const check = process.argv.includes('--check')
let stale = 0
for (const { wat, bytes } of wasmSources) {
  const source = await assembledModuleSource(readFileSync(wat, 'utf8'), wat)
  const current = (() => {
    try {
      return readFileSync(bytes, 'utf8')
    } catch {
      return undefined
    }
  })()
  if (current === source) continue
  if (check) {
    process.stderr.write(`${bytes} is not the assembly of ${wat}: run npm run build:wasm\n`)
    stale++
  } else {
    writeFileSync(bytes, source)
    process.stderr.write(`wrote ${bytes}\n`)
  }
}
process.exit(stale === 0 ? 0 : 1)
