// Bundle the core for the browser with esbuild and fail if it imports a Node
// built-in. Run in the fresh project: `node bundle.mjs <path to esbuild>`.
import { builtinModules } from 'node:module'
import { pathToFileURL } from 'node:url'

const esbuild = await import(pathToFileURL(process.argv[2]).href)

// TODO(issue 13): files of the core that still import Node built-ins while the
// reliability (checkpoint files, @file specs, node:crypto) and optimizer-algebra
// (fuse.ts's node:buffer) branches are in flight. Each must be empty of node:* once
// those are merged: then delete this list, and any built-in fails the check.
const knownNodeImports = ['src/io/checkpoint.ts', 'src/io/spec.ts', 'src/optim/internal/fuse.ts']

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
const unexpected = found.filter((f) => !knownNodeImports.includes(source(f.importer)))
for (const f of found) console.log(`${unexpected.includes(f) ? 'NODE BUILT-IN' : 'known (TODO) '}  ${f.module} in ${source(f.importer)}`)
for (const k of knownNodeImports) if (!found.some((f) => source(f.importer) === k)) console.log(`note: ${k} no longer imports a Node built-in: remove it from knownNodeImports`)
const kb = (result.outputFiles[0].contents.length / 1024).toFixed(0)
if (unexpected.length > 0) {
  console.log(`the browser bundle of the core imports ${unexpected.length} Node built-in(s) outside the TODO list`)
  process.exit(1)
}
console.log(`browser bundle of the core: ${kb} KiB, no Node built-ins outside the TODO list (${found.length} known)`)
