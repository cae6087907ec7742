/**
 * Browser stand-ins for the Node built-ins that the command line's modules
 * import for paths the playground never takes (`@spec.json` files, output
 * files, argument parsing). Each export exists
 * so the bundle links; calling one throws an error that names it.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in the browser (the playground never needs it)`)
}

export const readFileSync = unavailable('fs.readFileSync')
export const writeFileSync = unavailable('fs.writeFileSync')
export const isAbsolute = (path: string): boolean => path.startsWith('/')
export const resolve = unavailable('path.resolve')
export const dirname = unavailable('path.dirname')
export const basename = unavailable('path.basename')
export const join = unavailable('path.join')
export const parseArgs = unavailable('util.parseArgs')
export const performance = globalThis.performance
