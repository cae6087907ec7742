/**
 * The WebAssembly kernels as shipped: the embedded bytes are the assembly of
 * the .wat source in the repo, they load without any Node built-in, and the
 * loader reports an environment without WebAssembly (or refusing to compile
 * it) as no instance, so the JavaScript kernels take over.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { assemble, assembledModuleSource, wasmSources } from '../../scripts/wasm.js'
import { type WebAssemblyApi, instantiateKernels, kernelWasmBytes } from '../../src/eval/wasm/instance.js'

describe('the embedded WebAssembly', () => {
  it.each(wasmSources.map((s) => [s.bytes.split('/').pop()!, s] as const))('%s is the assembly of its .wat source', async (_, { wat, bytes }) => {
    const source = readFileSync(wat, 'utf8')
    expect(readFileSync(bytes, 'utf8')).toBe(await assembledModuleSource(source, wat))
  })

  it('decodes to the bytes wabt makes from kernels.wat', async () => {
    const wat = wasmSources[0].wat
    expect(Array.from(kernelWasmBytes())).toEqual(Array.from(await assemble(readFileSync(wat, 'utf8'), wat)))
  })

  it('loads from no file and no Node module: the loader imports only its bytes module', () => {
    const loader = readFileSync(new URL('../../src/eval/wasm/instance.ts', import.meta.url), 'utf8')
    const imports = [...loader.matchAll(/from '([^']+)'/g)].map((m) => m[1])
    expect(imports).toEqual(['./kernels.bytes.js'])
  })
})

describe('instantiateKernels', () => {
  it('exports the memory and the three kernels', () => {
    const w = instantiateKernels()
    expect(w).toBeDefined()
    expect(typeof w!.mm).toBe('function')
    expect(typeof w!.mv).toBe('function')
    expect(typeof w!.tanh).toBe('function')
    expect(w!.memory.buffer.byteLength).toBeGreaterThan(0)
  })

  it('is undefined without WebAssembly', () => {
    expect(instantiateKernels(kernelWasmBytes(), null)).toBeUndefined()
  })

  it('is undefined when compiling is refused (a CSP without wasm-unsafe-eval throws a CompileError)', () => {
    const real = (globalThis as unknown as { WebAssembly: WebAssemblyApi & { CompileError: new (m: string) => Error } }).WebAssembly
    const refusing: WebAssemblyApi = {
      Instance: real.Instance,
      Memory: real.Memory,
      Module: class {
        constructor() {
          throw new real.CompileError('Refused to compile or instantiate WebAssembly module')
        }
      }
    }
    expect(instantiateKernels(kernelWasmBytes(), refusing)).toBeUndefined()
  })

  it('is undefined for bytes that are not a module', () => {
    const broken = kernelWasmBytes().slice()
    broken[10] ^= 0xff
    expect(instantiateKernels(broken)).toBeUndefined()
  })
})
