/**
 * A seeded pseudo-random generator (sfc32 seeded through splitmix32), so that
 * examples, tests and benchmarks draw the same numbers on every machine.
 * It is the one stateful object in the library: each draw advances it.
 */
import { type Shape, sizeOf } from './Shape.js'
import { Tensor } from './Tensor.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A seeded stream of random numbers and tensors; make one with {@link random}. Each draw advances it. */
export interface Random {
  /** A uniform double in [0, 1). */
  readonly next: () => number
  /** A tensor of uniform values in [low, high). */
  readonly uniform: (shape: Shape, low?: number, high?: number) => Tensor
  /** A tensor of normal values (Box–Muller). */
  readonly normal: (shape: Shape, mean?: number, std?: number) => Tensor
  /** A uniform integer in [0, n). */
  readonly int: (n: number) => number
  /** A random permutation of 0..n−1 (Fisher–Yates). */
  readonly permutation: (n: number) => number[]
  /** A tensor of ±1 with equal probability (Rademacher). */
  readonly rademacher: (shape: Shape) => Tensor
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A generator seeded by any integer: the same seed gives the same stream. */
export const random = (seed: number): Random => {
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) next32()
  // 53 random bits: two draws.
  const next = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992

  const normalValue = (): number => {
    let u = next()
    while (u === 0) u = next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next())
  }

  const fill = (shape: Shape, draw: () => number): Tensor => {
    const data = new Float64Array(sizeOf(shape))
    for (let i = 0; i < data.length; i++) data[i] = draw()
    return Tensor.unsafeFromBuffer(shape, data)
  }

  const int = (n: number): number => Math.floor(next() * n)

  return {
    next,
    uniform: (shape, low = 0, high = 1) => fill(shape, () => low + (high - low) * next()),
    normal: (shape, mean = 0, std = 1) => fill(shape, () => mean + std * normalValue()),
    int,
    permutation: (n) => {
      const p = Array.from({ length: n }, (_, i) => i)
      for (let i = n - 1; i > 0; i--) {
        const j = int(i + 1)
        const t = p[i]
        p[i] = p[j]
        p[j] = t
      }
      return p
    },
    rademacher: (shape) => fill(shape, () => (next() < 0.5 ? -1 : 1))
  }
}
