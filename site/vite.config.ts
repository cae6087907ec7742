/**
 * Vite builds the playground (site/) into site/dist/: `npm run site` builds,
 * `npm run playground` serves the build. The page bundles the library's own
 * sources. The core has no Node built-ins, but the command line's glue that
 * the page shares (loading a problem, decoding a method, a run, an analysis)
 * sits in modules that also hold its file and argument helpers, which the page
 * never calls; their `node:*` imports resolve to browser stand-ins that throw
 * a clear error if ever reached.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const stub = fileURLToPath(new URL('./src/nodeStandIns.ts', import.meta.url))
const nodeModules = ['fs', 'path', 'perf_hooks', 'util']

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  resolve: {
    alias: nodeModules.flatMap((name) => [
      { find: new RegExp(`^node:${name}$`), replacement: stub },
      { find: new RegExp(`^${name}$`), replacement: stub }
    ])
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false }
})
