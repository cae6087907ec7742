/**
 * The WebAssembly kernels (kernels.wat: matrix products and an elementwise
 * tanh), instantiated synchronously from the bytes this package embeds, so
 * the library's API stays synchronous and nothing is fetched: no Node
 * built-ins, the same in a browser. Where WebAssembly cannot run (no
 * WebAssembly object, no SIMD, a Content-Security-Policy without
 * 'wasm-unsafe-eval'), there is no instance and the plain-JavaScript kernels
 * do the work.
 */
import { base64 } from './kernels.bytes.js'

/** The little of the WebAssembly JavaScript API used here (the project's lib has no DOM types). */
export interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
  readonly Memory: abstract new (...args: never[]) => WasmMemory
}

/** A WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}

/** The exports of kernels.wat; addresses and strides in bytes. */
export interface KernelExports {
  readonly memory: WasmMemory
  readonly mm: (a: number, ai: number, ap: number, b: number, c: number, m: number, k: number, n: number) => void
  readonly mv: (a: number, b: number, c: number, m: number, k: number) => void
  readonly tanh: (p: number, n: number) => void
}

/** The embedded bytes of kernels.wat. */
export const kernelWasmBytes = (): Uint8Array => {
  const text = atob(base64)
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

/**
 * Compile and instantiate `bytes` (by default the embedded kernels) with
 * `wasm` (by default the global WebAssembly; null: none), or undefined when
 * this environment cannot (the reason does not matter: the
 * caller falls back to JavaScript either way).
 */
export const instantiateKernels = (
  bytes: Uint8Array = kernelWasmBytes(),
  wasm: WebAssemblyApi | null = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly ?? null
): KernelExports | undefined => {
  if (wasm === null) return undefined
  try {
    const instance = new wasm.Instance(new wasm.Module(bytes), {})
    const { memory, mm, mv, tanh } = instance.exports as unknown as KernelExports
    if (!(memory instanceof wasm.Memory) || typeof mm !== 'function' || typeof mv !== 'function' || typeof tanh !== 'function') return undefined
    return { memory, mm, mv, tanh }
  } catch {
    return undefined
  }
}

let shared: KernelExports | undefined | null = null

/** The one instance the evaluators share (made on first use), or undefined where WebAssembly cannot run. */
export const sharedKernels = (): KernelExports | undefined => {
  if (shared === null) shared = instantiateKernels()
  return shared
}

let view: Float64Array | undefined

/**
 * The instance's memory as doubles, grown to hold at least `doubles` of them:
 * a view kept from call to call until growing detaches it.
 */
export const heapOf = (w: KernelExports, doubles: number): Float64Array => {
  const have = w.memory.buffer.byteLength
  if (have < doubles * 8) w.memory.grow(Math.ceil((doubles * 8 - have) / 65536))
  if (view === undefined || view.buffer !== w.memory.buffer) view = new Float64Array(w.memory.buffer)
  return view
}
