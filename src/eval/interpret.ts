/**
 * The interpreter: evaluates a graph node by node with each op's forward
 * from the op table (`graph/forward.ts`) and the matrix kernels of `matmul.ts`.
 * It is the reference the compiler is tested against, and the evaluator for
 * graphs too large to compile. Values are released after their last use, so
 * a long chain holds only a few tensors at a time.
 */
import { type Graph, foreignInput, topoOrder, useCounts } from '../graph/Graph.js'
import { GraphError } from '../graph/build.js'
import type { Sym } from '../graph/Sym.js'
import { showShape, shapeEquals } from '../tensor/Shape.js'
import type { Tensor } from '../tensor/Tensor.js'
import { forward } from '../graph/forward.js'
import { matmulKernels } from './matmul.js'

/** Evaluate the graph's outputs at the given input values (one tensor per input node). */
export const interpret = (g: Graph, inputs: readonly Tensor[]): Tensor[] => {
  if (inputs.length !== g.inputs.length) {
    throw new RangeError(`interpret: the graph has ${g.inputs.length} inputs, got ${inputs.length} values`)
  }
  const order = topoOrder(g.outputs)
  const remaining = useCounts(order)
  for (const o of g.outputs) remaining.set(o, (remaining.get(o) ?? 0) + 1)
  const values = new Map<Sym, Tensor>()
  g.inputs.forEach((node, i) => {
    if (!shapeEquals(node.shape, inputs[i].shape)) {
      throw new RangeError(`interpret: input ${i} has shape ${showShape(inputs[i].shape)}, the graph expects ${showShape(node.shape)}`)
    }
    values.set(node, inputs[i])
  })
  for (const node of order) {
    if (node.op === 'input') {
      if (!values.has(node)) throw new GraphError(foreignInput(node))
      continue
    }
    if (node.op === 'const') {
      values.set(node, node.attrs.value!)
      continue
    }
    values.set(node, forward(node, node.inputs.map((i) => values.get(i)!), matmulKernels.mmNN))
    for (const i of node.inputs) {
      const left = remaining.get(i)! - 1
      remaining.set(i, left)
      if (left === 0) values.delete(i)
    }
  }
  return g.outputs.map((o) => values.get(o)!)
}
