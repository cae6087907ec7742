/** The autodiff graph: symbolic tensors, their ops, graph values and function transforms. */
export { Sym, type SymLike, type OpName } from './Sym.js'
export { GraphError } from './build.js'
export {
  abs, add, at, broadcastTo, concat, constant, cos, div, dot, eqMask, exp, lift, log, logsumexp, matmul, max, mean,
  mul, neg, outer, pad, pow, powConst, relu, reshape, sigmoid, sign, sin, slice, softplus, sqrt, square, stack, step,
  sub, sum, tan, tanh, transpose,
  acos, asin, asinh, atan, clip, cosh, crossEntropy, customVjp, equal, erf, expm1, greater, greaterEqual, huber, less,
  lessEqual, log1p, logSoftmax, maximum, minimum, notEqual, sinh, softmax, stopGradient, where,
  type CustomJvpArgs, type CustomVjpArgs
} from './ops.js'
export { type Graph, jvpGraph, nodeCount, showGraph, simplify, topoOrder, vjpGraph } from './Graph.js'
export {
  type Concrete, type ConcreteArgs, type HvpMode, type SymFunction, type SymTree, type Trace, type TreeHessian,
  type TreeJacobian, compileCacheLimit, evaluator, grad, hessian, hvp, jacobian, jit, jvp, symGrad, trace,
  valueAndGrad, vjp
} from './transforms.js'
