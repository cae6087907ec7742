/** Shared helpers for optimizer tests: a two-leaf parameter tree, objectives with analytic gradients. */
import { expect } from 'vitest'
import { type Optimizer, applyUpdates } from '../../src/optim/Optimizer.js'
import { type Tensor, fromArray, scalar } from '../../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors } from '../../src/tensor/Tree.js'

/** `{ w: [x0, x1, x2], b: x3 }`: two leaves, so per-path state is exercised. */
export const toTree = (x: readonly number[]): TensorTree => ({ w: fromArray([3], x.slice(0, 3)), b: scalar(x[3]) })

export const fromTree = (t: TensorTree): number[] => {
  const r = t as { w: Tensor; b: Tensor }
  return [...r.w.data, r.b.item()]
}

export const flatData = (t: TensorTree): number[] => flattenTensors(t).leaves.flatMap((l) => [...l.data])

/** f = Σx², ∇f = 2x. */
export const sumSquaresGrad = (x: readonly number[]): number[] => x.map((v) => 2 * v)

const A = [
  [4, 1, 0, 0],
  [1, 3, 0.5, 0],
  [0, 0.5, 2, 0.2],
  [0, 0, 0.2, 1]
]
const B = [1, -1, 0.5, 2]
/** f = ½xᵀAx − bᵀx with A symmetric positive definite, ∇f = Ax − b. */
export const quadraticGrad = (x: readonly number[]): number[] => A.map((row, i) => row.reduce((s, a, j) => s + a * x[j], 0) - B[i])

export const x0 = [1.5, -2, 0.3, 0.7]

/** Parameter vectors after each of `steps` steps (element 0 is after the first step). */
export const run = <S>(opt: Optimizer<S>, start: readonly number[], grad: (x: readonly number[]) => number[], steps: number): number[][] => {
  let params = toTree(start)
  let state = opt.init(params)
  const out: number[][] = []
  for (let k = 0; k < steps; k++) {
    const [s, u] = opt.step(state, toTree(grad(fromTree(params))), params)
    state = s
    params = applyUpdates(params, u)
    out.push(fromTree(params))
  }
  return out
}

export const runRef = (ref: { step(p: number[], g: number[]): number[] }, start: readonly number[], grad: (x: readonly number[]) => number[], steps: number): number[][] => {
  let p = start.slice()
  const out: number[][] = []
  for (let k = 0; k < steps; k++) {
    p = ref.step(p, grad(p))
    out.push(p)
  }
  return out
}

export const expectClose = (actual: readonly number[][], expected: readonly number[][], rtol = 1e-12, atol = 1e-14): void => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((row, k) =>
    row.forEach((a, i) => {
      const e = expected[k][i]
      if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
        throw new Error(`step ${k + 1}, element ${i}: got ${a}, expected ${e} (difference ${a - e})`)
      }
    })
  )
}
