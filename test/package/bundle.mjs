// Bundle the core for the browser with esbuild and fail if it imports a Node
// built-in. Run in the fresh project: `node bundle.mjs <path to esbuild>`.
import { builtinModules } from 'node:module'
import { pathToFileURL } from 'node:url'

const esbuild = await import(pathToFileURL(process.argv[2]).href)

// The core must import no Node built-in: what needs Node is in the /node entry.

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))
const found = []
const result = await esbuild.build({
  stdin: { contents: "export * from 'descent-autodiff'", resolveDir: process.cwd(), loader: 'js' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  logLevel: 'silent',
  plugins: [{
    name: 'node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!builtins.has(args.path)) return undefined
        found.push({ module: args.path, importer: args.importer })
        return { path: args.path, external: true }
      })
    }
  }]
})
const source = (importer) => importer.replace(/^.*\/node_modules\/descent-autodiff\/dist\//, '').replace(/\.js$/, '.ts')
for (const f of found) console.log(`NODE BUILT-IN  ${f.module} in ${source(f.importer)}`)
const kb = (result.outputFiles[0].contents.length / 1024).toFixed(0)
if (found.length > 0) {
  console.log(`the browser bundle of the core imports ${found.length} Node built-in(s)`)
  process.exit(1)
}
console.log(`browser bundle of the core: ${kb} KiB, no Node built-ins`)
