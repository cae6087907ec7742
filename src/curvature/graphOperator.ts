/**
 * The bridge from the autodiff graph to the matrix-free curvature tools: the
 * Hessian-vector product oracle of a traced function at a point.
 *
 * The point is fixed and only the direction changes from product to product,
 * so the HVP graph is split once: the nodes that do not depend on v (the
 * forward pass, the backward pass and everything else of x alone) are
 * evaluated once, and only the nodes that read v are evaluated per product.
 */
import * as E from 'fp-ts/lib/Either.js'
import { inputNode, scalarConstant } from '../graph/build.js'
import { type Concrete, type Graph, GraphError, type Sym, type SymLike, evaluator, hvp, jvpGraph, reshape, topoOrder, trace, vjpGraph } from '../graph/index.js'
import { Sym as SymNode } from '../graph/Sym.js'
import { Tensor } from '../tensor/Tensor.js'
import type { TensorTree } from '../tensor/Tree.js'
import { type CurvatureError, fail } from './CurvatureError.js'
import type { HessianVectorProduct } from './operator.js'
import { joinLeaves, splitLike } from './vector.js'

/** A graph of the point and a direction, split where the direction enters. */
export interface Linearised {
  /** Inputs: the point's; outputs: the values the per-direction part reads. */
  readonly fixed: Graph
  /** Inputs: the fixed part's outputs, then the direction; outputs: the original outputs. */
  readonly perDirection: Graph
}

/**
 * Split a graph of `point` and `direction` (inputs) into the part that does
 * not read `direction` and the part that does. Each node of the second part
 * is rebuilt with the same op, shape and attributes, reading the first part's
 * values through new input nodes: the same arithmetic on the same operands,
 * so the same bits. Iterative, like every graph walk. Exported for tests.
 */
export const linearise = (point: Sym, direction: Sym, outputs: readonly Sym[]): Linearised => {
  const order = topoOrder(outputs)
  const varying = new Set<Sym>([direction])
  for (const n of order) if (n.inputs.some((i) => varying.has(i))) varying.add(n)
  const frontier: Sym[] = []
  const rebuilt = new Map<Sym, Sym>()
  const reach = (n: Sym): Sym => {
    const known = rebuilt.get(n)
    if (known !== undefined) return known
    if (n.op === 'const') return n
    const placeholder = inputNode(frontier.length, n.shape)
    frontier.push(n)
    rebuilt.set(n, placeholder)
    return placeholder
  }
  const entryOf = (n: Sym): Sym => (varying.has(n) ? rebuilt.get(n)! : reach(n))
  // inputs of the per-direction graph: the fixed values it reads (indices 0, 1, …), then the direction
  for (const n of order) if (varying.has(n) && n !== direction) for (const i of n.inputs) if (!varying.has(i)) reach(i)
  for (const o of outputs) if (!varying.has(o)) reach(o)
  const directionInput = inputNode(frontier.length, direction.shape)
  rebuilt.set(direction, directionInput)
  for (const n of order) {
    if (!varying.has(n) || n === direction) continue
    rebuilt.set(n, new SymNode(n.op, n.inputs.map(entryOf), n.shape, n.attrs))
  }
  return {
    fixed: { inputs: [point], outputs: frontier },
    perDirection: { inputs: [...frontier.map((n) => rebuilt.get(n)!), directionInput], outputs: outputs.map(entryOf) }
  }
}

/** What a product at any point of one shape needs: the two halves of the HVP graph, compiled. */
interface Split {
  readonly fixed: (inputs: readonly Tensor[]) => Float64Array[]
  readonly fixedShapes: ReadonlyArray<readonly number[]>
  readonly perDirection: (inputs: readonly Tensor[]) => Float64Array[]
}

/** Splits by function and shape of x, so that building the oracle again (at another point) neither traces nor compiles. */
const splits = new WeakMap<(x: Sym) => SymLike, Map<string, Split>>()

/** Trace f at x's shape, differentiate, split and compile. */
const build = (f: (x: Sym) => SymLike, x: Tensor): Split => {
  const tr = trace(f, x)
  const out = tr.graph.outputs[0]
  if (out.size !== 1) throw new GraphError(`the function must return a scalar, it returned shape [${out.shape.join(', ')}]`)
  const point = tr.graph.inputs[0]
  const v = inputNode(1, x.shape)
  const gradient = vjpGraph(out.rank === 0 ? out : reshape(out, []), [point], scalarConstant(1))
  const { fixed, perDirection } = linearise(point, v, jvpGraph(gradient, [point], [v]))
  return { fixed: evaluator(fixed), fixedShapes: fixed.outputs.map((o) => o.shape), perDirection: evaluator(perDirection) }
}

/**
 * The oracle v ↦ ∇²f(x)·v of `f` (written with graph ops) at `x`, by
 * forward-over-reverse differentiation of f's graph. `x` is one tensor (v is
 * read in its row-major order, n = x.size) or a tree of tensors (v holds every
 * leaf end to end in flatten order, n the total size; see `layoutOf`).
 * For one tensor, everything that does not depend on v is evaluated once,
 * here, and a product evaluates only the rest (the same numbers, bit for bit,
 * as `hvp(f)(x, v)`); the compiled graphs are kept per function and shape of
 * x, as `hvp` keeps its own. A tree goes through `hvp` per product. The first
 * time, one trial product checks that f traces and evaluates; an error is a
 * `Left` with code 'bad-function'.
 *
 * @example lanczos(getOrThrow(hessianOperator(f, x)), x.size, { k: 5 })
 * @see lanczos, powerIteration, hutchinsonTrace, spectralDensity.
 */
export function hessianOperator(f: (x: Sym) => SymLike, x: Tensor): E.Either<CurvatureError, HessianVectorProduct>
export function hessianOperator<P>(f: (x: P) => SymLike, x: Concrete<P>): E.Either<CurvatureError, HessianVectorProduct>
export function hessianOperator(f: (x: never) => SymLike, x: TensorTree): E.Either<CurvatureError, HessianVectorProduct> {
  try {
    if (!(x instanceof Tensor)) {
      const product = hvp(f as never) as unknown as (x: TensorTree, v: TensorTree) => TensorTree
      const operator: HessianVectorProduct = (v) => joinLeaves(product(x, splitLike(x, v)))
      operator(new Float64Array(joinLeaves(x).length))
      return E.right(operator)
    }
    const g = f as unknown as (x: Sym) => SymLike
    const byShape = splits.get(g) ?? new Map<string, Split>()
    const key = x.shape.join(',')
    const known = byShape.get(key)
    const split = known ?? build(g, x)
    const fixedValues = split.fixed([x]).map((data, i) => Tensor.unsafeWrap(split.fixedShapes[i], data))
    const operator: HessianVectorProduct = (direction) => split.perDirection([...fixedValues, Tensor.unsafeFromBuffer(x.shape, direction)])[0]
    if (known === undefined) {
      operator(new Float64Array(x.size))
      byShape.set(key, split)
      splits.set(g, byShape)
    }
    return E.right(operator)
  } catch (error) {
    if (error instanceof GraphError) return fail('bad-function', `hessianOperator: ${error.message}`)
    throw error
  }
}
