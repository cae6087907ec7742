/**
 * Browser stand-ins for the Node built-ins that some library modules import
 * for paths the playground never takes (checkpoint files, `@spec.json`
 * files, argument parsing, large uninitialised buffers). Each export exists
 * so the bundle links; calling one throws an error that names it.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in the browser (the playground never needs it)`)
}

export const Buffer = { allocUnsafeSlow: unavailable('Buffer.allocUnsafeSlow'), from: unavailable('Buffer.from') }
export const createHash = unavailable('crypto.createHash')
export const readFileSync = unavailable('fs.readFileSync')
export const writeFileSync = unavailable('fs.writeFileSync')
export const renameSync = unavailable('fs.renameSync')
export const openSync = unavailable('fs.openSync')
export const writeSync = unavailable('fs.writeSync')
export const rmSync = unavailable('fs.rmSync')
export const fsyncSync = unavailable('fs.fsyncSync')
export const closeSync = unavailable('fs.closeSync')
export const isAbsolute = (path: string): boolean => path.startsWith('/')
export const resolve = unavailable('path.resolve')
export const dirname = unavailable('path.dirname')
export const basename = unavailable('path.basename')
export const join = unavailable('path.join')
export const hostname = unavailable('os.hostname')
export const parseArgs = unavailable('util.parseArgs')
export const performance = globalThis.performance
