/**
 * The derivative rules of every primitive op, side by side: the
 * vector-Jacobian product (reverse mode) and the Jacobian-vector product
 * (forward mode). Both are written with graph ops, so a derivative can be
 * differentiated again. `undefined` stands for a zero (co)tangent, which lets
 * whole branches of a derivative vanish instead of adding zeros.
 */
import { GraphError } from './build.js'
import {
  add, broadcastTo, concat, cos, div, eqMask, log, matmul, mul, neg, pad, pow, powConst, reshape, sigmoid,
  sign, sin, sliceAll, step, sub, sum, transpose
} from './ops.js'
import type { Sym } from './Sym.js'

type Maybe = Sym | undefined

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const addMaybe = (a: Maybe, b: Maybe): Maybe => (a === undefined ? b : b === undefined ? a : add(a, b))
const mulMaybe = (a: Maybe, b: Sym): Maybe => (a === undefined ? undefined : mul(a, b))

/**
 * f'(x) for an elementwise unary op, given the node (its output) and x.
 * For these ops the vjp and the jvp are both "multiply by f'(x)".
 * `undefined`: the derivative is zero everywhere (sign, step).
 */
const unaryDerivative = (node: Sym, x: Sym): Maybe => {
  switch (node.op) {
    case 'exp': return node
    case 'log': return div(1, x)
    case 'sin': return cos(x)
    case 'cos': return neg(sin(x))
    case 'tan': return add(1, mul(node, node))            // 1 + tan²x
    case 'sqrt': return div(0.5, node)                    // 1 / (2√x)
    case 'tanh': return sub(1, mul(node, node))           // 1 − tanh²x
    case 'sigmoid': return mul(node, sub(1, node))        // σ(1 − σ)
    case 'abs': return sign(x)
    case 'relu': return step(x)
    case 'softplus': return sigmoid(x)
    case 'square': return mul(x, 2)
    case 'powc': {
      const c = node.attrs.exponent!
      return mul(powConst(x, c - 1), c)
    }
    case 'sign':
    case 'step':
      return undefined
    default:
      throw new GraphError(`internal: ${node.op} has no unary derivative`)
  }
}

/** Sum a cotangent of the broadcast shape back to the shape it was broadcast from. */
const unbroadcast = (ct: Sym, from: Sym): Sym => {
  const offset = ct.rank - from.rank
  const axes = ct.shape.map((_, i) => i).filter((i) => i < offset || (from.shape[i - offset] === 1 && ct.shape[i] !== 1))
  return reshape(sum(ct, axes), from.shape)
}

/** The reduced output of `sum`/`max` broadcast back over the reduced axes. */
const expandReduced = (y: Sym, node: Sym): Sym => {
  const x = node.inputs[0]
  const axes = node.attrs.axes!
  return broadcastTo(reshape(y, x.shape.map((d, i) => (axes.includes(i) ? 1 : d))), x.shape)
}

/** For max: 1 at the maximal elements, divided among ties. */
const maxWeights = (node: Sym): Sym => {
  const x = node.inputs[0]
  const mask = eqMask(x, expandReduced(node, node))
  return div(mask, expandReduced(sum(mask, node.attrs.axes!), node))
}

/** ∂(aᵇ)/∂a = b·a^(b−1), well defined at a = 0 where b·aᵇ/a is not. */
const powDerivative = (a: Sym, b: Sym): Sym => mul(b, pow(a, sub(b, 1)))

const invertPerm = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => {
    inv[p] = i
  })
  return inv
}

// -------------------------------------------------------------------------------------
// the rules
// -------------------------------------------------------------------------------------

/**
 * Reverse mode: the cotangent of each input, given the output's cotangent `ct`.
 * `needed[i]` is false for inputs that no differentiated variable reaches,
 * whose cotangents are not built.
 */
export const vjp = (node: Sym, ct: Sym, needed: readonly boolean[]): Maybe[] => {
  const [a, b] = node.inputs
  switch (node.op) {
    case 'input': case 'const': case 'eqmask':
      return node.inputs.map(() => undefined)
    case 'neg': return [neg(ct)]
    case 'add': return [ct, ct]
    case 'sub': return [ct, needed[1] ? neg(ct) : undefined]
    case 'mul': return [needed[0] ? mul(ct, b) : undefined, needed[1] ? mul(ct, a) : undefined]
    case 'div': return [needed[0] ? div(ct, b) : undefined, needed[1] ? neg(div(mul(ct, node), b)) : undefined]
    case 'pow': return [
      needed[0] ? mul(ct, powDerivative(a, b)) : undefined,
      needed[1] ? mul(ct, mul(node, log(a))) : undefined
    ]
    case 'broadcast': return [unbroadcast(ct, a)]
    case 'reshape': return [reshape(ct, a.shape)]
    case 'transpose': return [transpose(ct, invertPerm(node.attrs.perm!))]
    case 'slice': {
      const { starts, ends } = node.attrs
      return [pad(ct, starts!, ends!.map((e, d) => a.shape[d] - e))]
    }
    case 'pad': {
      const lo = node.attrs.lo!
      return [sliceAll(ct, lo, lo.map((l, d) => l + a.shape[d]))]
    }
    case 'concat': {
      const axis = node.attrs.axis!
      let offset = 0
      return node.inputs.map((x, k) => {
        const start = offset
        offset += x.shape[axis]
        if (!needed[k]) return undefined
        return sliceAll(ct, ct.shape.map((_, d) => (d === axis ? start : 0)), ct.shape.map((n, d) => (d === axis ? offset : n)))
      })
    }
    case 'sum': return [expandReduced(ct, node)]
    case 'max': return [mul(expandReduced(ct, node), maxWeights(node))]
    case 'matmul': return [
      needed[0] ? matmul(ct, transpose(b)) : undefined,
      needed[1] ? matmul(transpose(a), ct) : undefined
    ]
    default: {
      const d = unaryDerivative(node, a)
      return [d === undefined ? undefined : mul(ct, d)]
    }
  }
}

/**
 * Forward mode: the output's tangent, given each input's tangent
 * (`undefined` where an input does not depend on the perturbed variables).
 */
export const jvp = (node: Sym, t: readonly Maybe[]): Maybe => {
  const [a, b] = node.inputs
  const [ta, tb] = t
  switch (node.op) {
    case 'input': case 'const': case 'eqmask':
      return undefined
    case 'neg': return ta && neg(ta)
    case 'add': return addMaybe(ta, tb)
    case 'sub': return tb === undefined ? ta : ta === undefined ? neg(tb) : sub(ta, tb)
    case 'mul': return addMaybe(mulMaybe(ta, b), mulMaybe(tb, a))
    case 'div': return addMaybe(ta && div(ta, b), tb && neg(div(mul(tb, node), b)))
    case 'pow': return addMaybe(ta && mul(ta, powDerivative(a, b)), tb && mul(tb, mul(node, log(a))))
    case 'broadcast': return ta && broadcastTo(ta, node.shape)
    case 'reshape': return ta && reshape(ta, node.shape)
    case 'transpose': return ta && transpose(ta, node.attrs.perm)
    case 'slice': return ta && sliceAll(ta, node.attrs.starts!, node.attrs.ends!)
    case 'pad': return ta && pad(ta, node.attrs.lo!, node.attrs.hi!)
    case 'concat': {
      if (t.every((x) => x === undefined)) return undefined
      return concat(node.inputs.map((x, k) => t[k] ?? broadcastTo(0, x.shape)), node.attrs.axis)
    }
    case 'sum': return ta && sum(ta, node.attrs.axes)
    case 'max': return ta && sum(mul(ta, maxWeights(node)), node.attrs.axes)
    case 'matmul': return addMaybe(ta && matmul(ta, b), tb && matmul(a, tb))
    default: {
      if (ta === undefined) return undefined
      const d = unaryDerivative(node, a)
      return d === undefined ? undefined : mul(ta, d)
    }
  }
}
