/**
 * Trees: records and arrays whose leaves are values (tensors for parameters
 * and gradients, symbolic tensors while tracing). Functions over trees keep
 * the tree's shape; record keys are visited in sorted order so that two
 * records with the same keys always flatten alike.
 */
import { type Shape, showShape } from './Shape.js'
import { Tensor } from './Tensor.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A leaf, an array of trees or a record of trees: `{ w: [a, b], bias: c }`.
 * Each leaf has a path (`w[1]`, `bias`), and two leaves never share one.
 */
export type Tree<A> = A | readonly Tree<A>[] | { readonly [key: string]: Tree<A> }

/** The shape of a tree without its leaves. */
export type Structure =
  | {
      /** A single tensor (or other leaf). */
      readonly kind: 'leaf'
    }
  | {
      /** An array of subtrees. */
      readonly kind: 'array'
      /** The structure of each element, in order. */
      readonly items: readonly Structure[]
    }
  | {
      /** A record of subtrees. */
      readonly kind: 'record'
      /** The record's keys, sorted (the flatten order). */
      readonly keys: readonly string[]
      /** The structure under each key, in the order of `keys`. */
      readonly items: readonly Structure[]
    }

/** A tree taken apart: its leaves in a fixed order, their paths, and the structure that puts them back ({@link unflatten}). */
export interface Flat<A> {
  /** The leaves, in flatten order. */
  readonly leaves: readonly A[]
  /**
   * `w1`, `layers[0].bias`, `["a.b"]`: one per leaf, the same order as
   * `leaves`; see `pathOf`. Two leaves of a tree never share a path.
   */
  readonly paths: readonly string[]
  /** The tree with its leaves left out: arrays and records down to `leaf` markers. */
  readonly structure: Structure
}

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

const isPlainRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/**
 * The path of a child: `base[3]` for an array index, `base.key` for a record
 * key that is an identifier, and `base["key"]` (the key as a JSON string) for
 * any other key, so the path names one leaf: `{a: {b: t}}` gives `a.b`,
 * `{"a.b": t}` gives `["a.b"]`, `{a: [t]}` gives `a[0]` and `{"a[0]": t}`
 * gives `["a[0]"]`. Optimizer state, checkpoints and `masked` are keyed by
 * these paths. The top of the tree is `''`.
 */
export const pathOf = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : !identifier.test(key) ? `${base}[${JSON.stringify(key)}]` : base === '' ? key : `${base}.${key}`

/**
 * Flatten a tree into its leaves (depth first, record keys sorted) with their
 * paths. Anything that is neither a leaf, an array nor a plain record is
 * rejected with the path where it was found.
 */
export const flatten = <A>(tree: Tree<A>, isLeaf: (x: unknown) => x is A, what = 'leaf'): Flat<A> => {
  const leaves: A[] = []
  const paths: string[] = []
  const walk = (node: unknown, path: string): Structure => {
    if (isLeaf(node)) {
      leaves.push(node)
      paths.push(path)
      return { kind: 'leaf' }
    }
    if (Array.isArray(node)) return { kind: 'array', items: node.map((x, i) => walk(x, pathOf(path, i))) }
    if (isPlainRecord(node)) {
      const keys = Object.keys(node).sort()
      return { kind: 'record', keys, items: keys.map((k) => walk(node[k], pathOf(path, k))) }
    }
    throw new TypeError(`expected a ${what}, an array or a record at ${path === '' ? 'the top' : path}, got ${describe(node)}`)
  }
  const structure = walk(tree, '')
  return { leaves, paths, structure }
}

/** Rebuild a tree of the given structure from leaves in flatten order. */
export const unflatten = <B>(structure: Structure, leaves: readonly B[]): Tree<B> => {
  if (structure.kind === 'leaf' && leaves.length === 1) return leaves[0]
  let k = 0
  const build = (s: Structure): Tree<B> => {
    switch (s.kind) {
      case 'leaf':
        return leaves[k++]
      case 'array':
        return s.items.map(build)
      case 'record': {
        const out: Record<string, Tree<B>> = {}
        s.keys.forEach((key, i) => setOwn(out, key, build(s.items[i])))
        return out
      }
    }
  }
  const tree = build(structure)
  if (k !== leaves.length) throw new RangeError(`unflatten: structure has ${k} leaves, got ${leaves.length}`)
  return tree
}

/** A compact text of a structure, equal for equal structures: `{a:*,b:[*,*]}`. */
export const showStructure = (s: Structure): string => {
  switch (s.kind) {
    case 'leaf':
      return '*'
    case 'array':
      return `[${s.items.map(showStructure).join(',')}]`
    case 'record':
      return `{${s.keys.map((k, i) => `${JSON.stringify(k)}:${showStructure(s.items[i])}`).join(',')}}`
  }
}

/** A short description of any value for error messages: `a tensor of shape [2]`, `number 1`. */
export const describe = (x: unknown): string => {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  if (x instanceof Tensor) return `a tensor of shape ${showShape(x.shape)}`
  if (typeof x === 'object') return `an object of class ${(x as object).constructor?.name ?? 'unknown'}`
  return `${typeof x} ${String(x)}`
}

/**
 * `record[key] = value` as an own property, whatever the key: plain
 * assignment to `__proto__` would change the prototype and lose the entry.
 */
export const setOwn = <A>(record: Record<string, A>, key: string, value: A): void => {
  // Only `__proto__` is a setter on Object.prototype; every other key assigns
  // an own property, and plain assignment is much faster than defineProperty.
  if (key !== '__proto__') record[key] = value
  else Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
}

// -------------------------------------------------------------------------------------
// tensor trees
// -------------------------------------------------------------------------------------

/** Parameters, gradients and updates: a tree whose leaves are tensors. */
export type TensorTree = Tree<Tensor>

/** Whether a value is a {@link Tensor}. */
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor

const LEAF: Structure = Object.freeze({ kind: 'leaf' })
const LONE_PATHS: readonly string[] = Object.freeze([''])

/** {@link flatten} for a tree of tensors; throws, naming the path, at a leaf that is not a tensor. */
export const flattenTensors = (tree: TensorTree): Flat<Tensor> =>
  // A lone tensor (the common small problem) skips the walk: what `flatten` returns for it.
  tree instanceof Tensor ? { leaves: [tree], paths: LONE_PATHS, structure: LEAF } : flatten(tree, isTensor, 'tensor')

/** Apply `f` to every leaf, keeping the tree's shape. */
export const mapTensors = (tree: TensorTree, f: (leaf: Tensor, path: string) => Tensor): TensorTree => {
  const flat = flattenTensors(tree)
  return unflatten(flat.structure, flat.leaves.map((t, i) => f(t, flat.paths[i])))
}

/** Every number of a tree's leaves, end to end (flatten order, each leaf row-major). */
export const joinLeaves = (tree: TensorTree): Float64Array => {
  const leaves = flattenTensors(tree).leaves
  const out = new Float64Array(leaves.reduce((n, l) => n + l.size, 0))
  let offset = 0
  for (const l of leaves) {
    out.set(l.data, offset)
    offset += l.size
  }
  return out
}

/** Where each leaf starts in `joinLeaves`'s vector. */
export const leafOffsets = (flat: Flat<{ readonly size: number }>): number[] => {
  const offsets: number[] = []
  let k = 0
  for (const l of flat.leaves) {
    offsets.push(k)
    k += l.size
  }
  return offsets
}

/**
 * The signature of a tensor tree: its structure and every leaf's shape. Two
 * trees with equal signatures can share one traced graph.
 */
export const signatureOf = (flat: Flat<{ readonly shape: Shape }>): string =>
  `${showStructure(flat.structure)}|${flat.leaves.map((l) => showShape(l.shape)).join(';')}`
