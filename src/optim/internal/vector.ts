/** Trees of tensors as flat vectors, for the optimizers that work on the whole parameter vector. */
import { Tensor } from '../../tensor/Tensor.js'
import { type TensorTree, flattenTensors, unflatten } from '../../tensor/Tree.js'

/** The leaves of a tree, concatenated in path order. */
export const toVector = (tree: TensorTree): Float64Array => {
  const leaves = flattenTensors(tree).leaves
  const out = new Float64Array(leaves.reduce((s, l) => s + l.size, 0))
  let k = 0
  for (const l of leaves) {
    out.set(l.data, k)
    k += l.size
  }
  return out
}

/** A tree shaped like `like` holding the values of `v` (copied). */
export const fromVector = (like: TensorTree, v: Float64Array): TensorTree => {
  const flat = flattenTensors(like)
  let k = 0
  return unflatten(
    flat.structure,
    flat.leaves.map((l) => {
      const t = Tensor.unsafeFromBuffer(l.shape, v.slice(k, k + l.size))
      k += l.size
      return t
    })
  )
}

export const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}
