/**
 * `uninitialized(n)`: fresh arrays of n doubles, not zeroed under Node above
 * `UNINITIALIZED_MIN` elements, zeroed `new Float64Array`s below it and where
 * there is no Node `Buffer` (a browser).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { UNINITIALIZED_MIN, uninitialized } from '../../src/tensor/alloc.js'

describe('uninitialized', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('gives n doubles in a buffer of its own, aligned, for short and long n', () => {
    for (const n of [0, 1, UNINITIALIZED_MIN - 1, UNINITIALIZED_MIN, 100_003]) {
      const a = uninitialized(n)
      const b = uninitialized(n)
      expect(a).toBeInstanceOf(Float64Array)
      expect(a.length).toBe(n)
      expect(a.byteOffset % 8).toBe(0)
      expect(a.buffer).not.toBe(b.buffer)
      a.fill(1.5)
      b.fill(-2)
      expect(a.every((x) => x === 1.5)).toBe(true)
    }
  })

  it('short arrays are zeroed as new Float64Arrays are', () => {
    expect(Array.from(uninitialized(UNINITIALIZED_MIN - 1)).every((x) => Object.is(x, 0))).toBe(true)
  })

  it('takes Node memory without zeroing from MIN elements on, and zeroed memory below', async () => {
    const sizes: number[] = []
    // a stand-in for Buffer whose memory holds old bytes (here 0x40…, the double 2.0 and up)
    vi.stubGlobal('Buffer', {
      allocUnsafeSlow: (size: number) => {
        sizes.push(size)
        return new Uint8Array(size).fill(0x40)
      }
    })
    vi.resetModules()
    const fresh = await import('../../src/tensor/alloc.js')
    expect(fresh.uninitialized(UNINITIALIZED_MIN).some((x) => x !== 0)).toBe(true)
    expect(fresh.uninitialized(UNINITIALIZED_MIN - 1).every((x) => Object.is(x, 0))).toBe(true)
    expect(sizes).toEqual([8 * UNINITIALIZED_MIN])
  })

  it('without a Node Buffer (a browser) it is new Float64Array: zeroed', async () => {
    vi.stubGlobal('Buffer', undefined)
    vi.resetModules()
    const fresh = await import('../../src/tensor/alloc.js')
    const a = fresh.uninitialized(50_000)
    expect(a.length).toBe(50_000)
    expect(a.every((x) => Object.is(x, 0))).toBe(true)
  })
})
