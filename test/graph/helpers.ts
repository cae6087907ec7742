import { type Sym, jit, grad } from '../../src/graph/index.js'
import { type Tensor, fromArray } from '../../src/tensor/Tensor.js'

/** f(x + εt) by perturbing a flat copy. */
export const shifted = (x: Tensor, t: ArrayLike<number>, eps: number): Tensor =>
  fromArray(x.shape, Array.from(x.data, (v, i) => v + eps * t[i]))

/** Central difference of a scalar function along t: (f(x+εt) − f(x−εt)) / 2ε. */
export const centralDifference = (f: (x: Tensor) => number, x: Tensor, t: ArrayLike<number>, eps = 1e-6): number =>
  (f(shifted(x, t, eps)) - f(shifted(x, t, -eps))) / (2 * eps)

/** Central difference of a vector function along t. */
export const centralDifferenceVec = (f: (x: Tensor) => Tensor, x: Tensor, t: ArrayLike<number>, eps = 1e-5): Float64Array => {
  const a = f(shifted(x, t, eps)).data
  const b = f(shifted(x, t, -eps)).data
  return a.map((v, i) => (v - b[i]) / (2 * eps))
}

export const dotArrays = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

export const expectClose = (got: number, want: number, rtol: number, atol = rtol): void => {
  const ok = Math.abs(got - want) <= atol + rtol * Math.abs(want)
  if (!ok) throw new Error(`expected ${want}, got ${got} (rtol ${rtol}, atol ${atol})`)
}

export const expectAllClose = (got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol = rtol): void => {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`)
  for (let i = 0; i < got.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i])
    if (!ok) throw new Error(`element ${i}: expected ${want[i]}, got ${got[i]} (rtol ${rtol}, atol ${atol})`)
  }
}

export const scalarOf = (f: (x: Sym) => Sym): ((x: Tensor) => number) => {
  const g = jit(f)
  return (x) => g(x).item()
}

export { grad }
