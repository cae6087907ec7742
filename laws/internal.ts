/**
 * Plain-loop arithmetic on trees of tensors, and snapshots for mutation
 * checks. The laws use these instead of the library's own ops so that a bug
 * in the library cannot hide itself by appearing on both sides of a law.
 */
import { Tensor, fromArray } from '../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors, unflatten } from '../src/tensor/Tree.js'

/** Combine trees of identical signature element by element. */
export const zipWith = (trees: readonly TensorTree[], f: (xs: readonly number[]) => number): TensorTree => {
  const flats = trees.map(flattenTensors)
  const first = flats[0]
  const leaves = first.leaves.map((leaf, k) => {
    const out = new Float64Array(leaf.size)
    const xs = new Array<number>(flats.length)
    for (let i = 0; i < leaf.size; i++) {
      for (let j = 0; j < flats.length; j++) xs[j] = flats[j].leaves[k].data[i]
      out[i] = f(xs)
    }
    return Tensor.unsafeFromBuffer(leaf.shape, out)
  })
  return unflatten(first.structure, leaves)
}

export const mapTree = (tree: TensorTree, f: (x: number) => number): TensorTree => zipWith([tree], (xs) => f(xs[0]))
export const addTrees = (a: TensorTree, b: TensorTree): TensorTree => zipWith([a, b], ([x, y]) => x + y)
export const subTrees = (a: TensorTree, b: TensorTree): TensorTree => zipWith([a, b], ([x, y]) => x - y)
export const scaleTree = (c: number, a: TensorTree): TensorTree => mapTree(a, (x) => c * x)
/** `a + c·b` */
export const axpy = (a: TensorTree, c: number, b: TensorTree): TensorTree => zipWith([a, b], ([x, y]) => x + c * y)

/** All elements of a tree in flatten order. */
export const valuesOf = (tree: TensorTree): number[] => flattenTensors(tree).leaves.flatMap((l) => Array.from(l.data))

/** A tree of the same signature as `like` holding `values` in flatten order. */
export const withValues = (like: TensorTree, values: readonly number[]): TensorTree => {
  const flat = flattenTensors(like)
  let k = 0
  return unflatten(
    flat.structure,
    flat.leaves.map((l) => {
      const t = fromArray(l.shape, values.slice(k, k + l.size))
      k += l.size
      return t
    })
  )
}

export const dotTrees = (a: TensorTree, b: TensorTree): number => {
  const x = valuesOf(a)
  const y = valuesOf(b)
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * y[i]
  return s
}

export const normOf = (a: TensorTree): number => Math.sqrt(dotTrees(a, a))

export const dot = (x: readonly number[], y: readonly number[]): number => {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * y[i]
  return s
}

export const norm = (x: readonly number[]): number => Math.sqrt(dot(x, x))

/**
 * A deep plain copy of any value (numbers kept bit for bit, typed arrays as
 * arrays), so that a later comparison detects writes into the original.
 */
export const snapshot = (x: unknown, seen: Set<unknown> = new Set()): unknown => {
  if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : Object.is(x, -0) ? '-0' : x
  if (x === null || typeof x !== 'object') return x
  if (seen.has(x)) return '<cycle>'
  seen.add(x)
  try {
    if (ArrayBuffer.isView(x)) return { typed: Array.from(x as unknown as ArrayLike<number>, (v) => snapshot(v)) }
    if (Array.isArray(x)) return x.map((v) => snapshot(v, seen))
    if (x instanceof Map) return { map: Array.from(x.entries()).map(([k, v]) => [snapshot(k, seen), snapshot(v, seen)]) }
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(x).sort()) out[k] = snapshot((x as Record<string, unknown>)[k], seen)
    return out
  } finally {
    seen.delete(x)
  }
}

/** `undefined` when the two snapshots are equal, else the first differing path. */
export const diffSnapshots = (a: unknown, b: unknown, path = ''): string | undefined => {
  if (a === b) return undefined
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path === '' ? 'the top' : path}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return `${path === '' ? 'the top' : path}: keys changed`
  for (const k of ka) {
    const d = diffSnapshots((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`)
    if (d !== undefined) return d
  }
  return undefined
}

/** The structure of any state value: keys, lengths, tensor shapes, kinds of scalars — no numbers. */
export const skeletonOf = (x: unknown): string => {
  if (x instanceof Tensor) return `T[${x.shape.join(',')}]`
  if (typeof x === 'number') return 'n'
  if (x === null || typeof x !== 'object') return typeof x
  if (ArrayBuffer.isView(x)) return `buf(${(x as unknown as ArrayLike<number>).length})`
  if (Array.isArray(x)) return `[${x.map(skeletonOf).join(',')}]`
  return `{${Object.keys(x)
    .sort()
    .map((k) => `${k}:${skeletonOf((x as Record<string, unknown>)[k])}`)
    .join(',')}}`
}
