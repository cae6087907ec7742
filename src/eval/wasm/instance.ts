/**
 * The WebAssembly matrix-product kernels (matmul.wat), instantiated
 * synchronously from the bytes this package embeds, so the library's API stays
 * synchronous and nothing is fetched: no Node built-ins, the same in a
 * browser. Where WebAssembly cannot run (no WebAssembly object, no SIMD, a
 * Content-Security-Policy without 'wasm-unsafe-eval'), there is no instance
 * and the plain-JavaScript kernels do the work.
 */
import { base64 } from './matmul.bytes.js'

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

/** The exports of matmul.wat; addresses and strides in bytes. */
export interface MatmulExports {
  readonly memory: WasmMemory
  readonly mm: (a: number, ai: number, ap: number, b: number, c: number, m: number, k: number, n: number) => void
  readonly mv: (a: number, b: number, c: number, m: number, k: number) => void
}

/** The embedded bytes of matmul.wat. */
export const matmulWasmBytes = (): Uint8Array => {
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
export const instantiateMatmul = (
  bytes: Uint8Array = matmulWasmBytes(),
  wasm: WebAssemblyApi | null = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly ?? null
): MatmulExports | undefined => {
  if (wasm === null) return undefined
  try {
    const instance = new wasm.Instance(new wasm.Module(bytes), {})
    const { memory, mm, mv } = instance.exports as unknown as MatmulExports
    if (!(memory instanceof wasm.Memory) || typeof mm !== 'function' || typeof mv !== 'function') return undefined
    return { memory, mm, mv }
  } catch {
    return undefined
  }
}
