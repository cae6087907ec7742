/**
 * The bridge from the graph to the drivers: a traced function becomes the
 * value-and-gradient oracle that `minimize` calls, traced and compiled once.
 */
import { type ConcreteArgs, type SymFunction, valueAndGrad } from '../graph/index.js'
import type { TensorTree } from '../tensor/Tree.js'
import type { Objective } from './minimize.js'

/**
 * `x ↦ [f(x), ∇f(x)]` for a function written with graph ops; extra arguments
 * are fixed data passed on every call.
 * @example minimize(objectiveOf((x: Sym) => x.square().sum()), tensor([3]), sgd(0.25))
 */
export const objectiveOf = <P, R extends readonly unknown[]>(f: SymFunction<P, R>, ...data: ConcreteArgs<R>): Objective => {
  const vg = valueAndGrad(f) as unknown as (x: TensorTree, ...rest: unknown[]) => readonly [number, TensorTree]
  return (x) => vg(x, ...data)
}
