/**
 * Elementwise functions over whole arrays, for the ops whose scalar function
 * is slow enough that SIMD pays: tanh, whose WebAssembly form (kernels.wat)
 * computes two lanes at a time and the very bits of `tanh` in
 * `graph/primitives.ts`. Where WebAssembly cannot run, or the array is short,
 * a JavaScript loop over the scalar function does the work.
 */
import { tanh } from '../graph/primitives.js'
import { heapOf, sharedKernels } from './wasm/instance.js'

/**
 * Arrays shorter than this stay in JavaScript: below it, the call into
 * WebAssembly and the two copies cost more than they save. The compiler
 * calls `tanhArray` for a stored tanh of at least this many elements and
 * keeps smaller ones in its loops.
 */
export const WHOLE_ARRAY_MIN = 32

/** The WebAssembly kernel works through memory in chunks of this many doubles (256 KiB), whatever the array's length. */
const CHUNK = 32768

/** out[i] = tanh(x[i]) for i < n; `out` may be `x`. */
export const tanhArray = (x: Float64Array, out: Float64Array, n: number): void => {
  const w = n >= WHOLE_ARRAY_MIN ? sharedKernels() : undefined
  if (w === undefined) {
    for (let i = 0; i < n; i++) out[i] = tanh(x[i])
    return
  }
  // one double of room: for an odd length the kernel's last pair reads and writes one past the end
  const heap = heapOf(w, Math.min(n, CHUNK) + 1)
  for (let lo = 0; lo < n; lo += CHUNK) {
    const len = Math.min(CHUNK, n - lo)
    heap.set(x.subarray(lo, lo + len), 0)
    w.tanh(0, len)
    out.set(heap.subarray(0, len), lo)
  }
}

/** The functions compiled code calls on whole arrays, by name: the compiled function receives this object as `A`. */
export const arrayFunctions = { tanh: tanhArray } as const
