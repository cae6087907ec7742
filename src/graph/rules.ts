/**
 * The derivative half of the op table, typed `{ [P in …]: … }` so that an op
 * missing here is a compile error. Rules are written with graph ops, so a
 * derivative can be differentiated again; `undefined` stands for a zero
 * (co)tangent, which lets whole branches of a derivative vanish instead of
 * adding zeros.
 *
 * Elementwise ops have a diagonal Jacobian, so one rule per input, "multiply
 * the (co)tangent by ∂out/∂input", serves reverse and forward mode alike.
 * Structural ops have a vjp and a jvp each. A `custom` node (from
 * `customVjp`) carries the user's rule.
 */
import { GraphError, constantValue, scalarConstant } from './build.js'
import {
  add, broadcastTo, clip, concat, cos, cosh, div, eqMask, equal, exp, greater, greaterEqual, less, lessEqual, log,
  matmul, mul, neg, pad, pow, powConst, reshape, sigmoid, sign, sin, sinh, sliceAll, sqrt, square, step, sub, sum,
  transpose, where
} from './ops.js'
import { type ElementwiseOp, type StructuralOp, Sym } from './Sym.js'
import { isElementwiseOp } from './primitives.js'
// A cycle on purpose: transposing a custom vjp rule runs reverse mode on it.
import { topoOrder, vjpGraph } from './Graph.js'

type Maybe = Sym | undefined

/** A linear map taking an input's (co)tangent to its share of the output's; `undefined`: zero. */
type Scale = ((t: Sym) => Sym) | undefined

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const addMaybe = (a: Maybe, b: Maybe): Maybe => (a === undefined ? b : b === undefined ? a : add(a, b))

const identity = (t: Sym): Sym => t
/** Multiply by a derivative, built only when a (co)tangent needs it. */
const by = (d: () => Sym) => (t: Sym): Sym => mul(t, d())
const isZero = (s: Sym): boolean => constantValue(s) === 0

/**
 * Apply a linear map to a (co)tangent. Where the (co)tangent is a `where`
 * with a zero branch, the map goes inside it, so the zero stays an exact
 * zero: the NaN of a branch not taken (sqrt′ at −1) is never multiplied in.
 */
const gated = (t: Sym, scale: (t: Sym) => Sym): Sym => {
  if (t.op === 'where') {
    const [c, a, b] = t.inputs
    if (isZero(b)) return where(c, gated(a, scale), b)
    if (isZero(a)) return where(c, a, gated(b, scale))
  }
  return scale(t)
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

/** d min(a, b)/da: 1 where a < b, ½ at a tie (PyTorch's `minimum`), else 0. */
const tieShare = (wins: Sym, a: Sym, b: Sym): Sym => add(wins, mul(equal(a, b), 0.5))

const invertPerm = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => {
    inv[p] = i
  })
  return inv
}

const TWO_OVER_SQRT_PI = 1.1283791670955126

// -------------------------------------------------------------------------------------
// elementwise ops: ∂out/∂input, one map per input
// -------------------------------------------------------------------------------------

type Partials = (node: Sym, inputs: readonly Sym[]) => readonly Scale[]

const zero: Partials = (n) => n.inputs.map(() => undefined)

const elementwise: { readonly [P in ElementwiseOp]: Partials } = {
  neg: () => [neg],
  exp: (n) => [by(() => n)],
  log: (_, [x]) => [by(() => div(1, x))],
  sin: (_, [x]) => [by(() => cos(x))],
  cos: (_, [x]) => [by(() => neg(sin(x)))],
  tan: (n) => [by(() => add(1, mul(n, n)))], // 1 + tan²x
  sqrt: (n) => [by(() => div(0.5, n))], // 1 / (2√x)
  tanh: (n) => [by(() => sub(1, mul(n, n)))], // 1 − tanh²x
  sigmoid: (n) => [by(() => mul(n, sub(1, n)))], // σ(1 − σ)
  abs: (_, [x]) => [by(() => sign(x))], // abs′(0) = 0, as PyTorch
  relu: (_, [x]) => [by(() => step(x))], // relu′(0) = 0, as PyTorch
  softplus: (_, [x]) => [by(() => sigmoid(x))],
  square: (_, [x]) => [by(() => mul(x, 2))],
  powc: (n, [x]) => {
    const c = n.attrs.exponent!
    return [by(() => mul(powConst(x, c - 1), c))]
  },
  atan: (_, [x]) => [by(() => div(1, add(1, square(x))))],
  asin: (_, [x]) => [by(() => div(1, sqrt(sub(1, square(x)))))],
  acos: (_, [x]) => [by(() => neg(div(1, sqrt(sub(1, square(x))))))],
  sinh: (_, [x]) => [by(() => cosh(x))],
  cosh: (_, [x]) => [by(() => sinh(x))],
  asinh: (_, [x]) => [by(() => div(1, sqrt(add(square(x), 1))))],
  log1p: (_, [x]) => [by(() => div(1, add(1, x)))],
  expm1: (n) => [by(() => add(n, 1))],
  erf: (_, [x]) => [by(() => mul(exp(neg(square(x))), TWO_OVER_SQRT_PI))],
  huber: (n, [x]) => [by(() => clip(x, -n.attrs.delta!, n.attrs.delta!))],
  sign: zero,
  step: zero,
  stopgrad: zero,
  eqmask: zero,
  notequal: zero,
  less: zero,
  lessequal: zero,
  greater: zero,
  greaterequal: zero,
  add: () => [identity, identity],
  sub: () => [identity, neg],
  mul: (_, [a, b]) => [by(() => b), by(() => a)],
  div: (n, [, b]) => [(t) => div(t, b), (t) => neg(div(mul(t, n), b))],
  // PyTorch's masks: ∂/∂a is 0 where b = 0 (b·a^(b−1) is 0·∞ at a = 0), ∂/∂b is 0 where a = 0 and b ≥ 0 (aᵇ·log a is 0·(−∞))
  pow: (n, [a, b]) => [
    by(() => where(equal(b, 0), 0, mul(b, pow(a, sub(b, 1))))),
    by(() => where(mul(equal(a, 0), greaterEqual(b, 0)), 0, mul(n, log(a))))
  ],
  minimum: (_, [a, b]) => [by(() => tieShare(less(a, b), a, b)), by(() => tieShare(less(b, a), a, b))],
  maximum: (_, [a, b]) => [by(() => tieShare(greater(a, b), a, b)), by(() => tieShare(greater(b, a), a, b))],
  where: (_, [c]) => [undefined, (t) => where(c, t, 0), (t) => where(c, 0, t)],
  // PyTorch's clamp: x's gradient passes at the bounds too
  clip: (_, [x, lo, hi]) => [
    (t) => where(mul(greaterEqual(x, lo), lessEqual(x, hi)), t, 0),
    (t) => where(less(x, lo), t, 0),
    (t) => where(greater(x, hi), t, 0)
  ]
}

// -------------------------------------------------------------------------------------
// structural ops
// -------------------------------------------------------------------------------------

interface StructuralRule {
  /** The cotangent of each input; `needed[i]` false: input i's is not wanted (and may be left undefined). */
  readonly vjp: (node: Sym, ct: Sym, needed: readonly boolean[]) => Maybe[]
  /** The output's tangent from the inputs' (`undefined` where an input's is zero). */
  readonly jvp: (node: Sym, t: readonly Maybe[]) => Maybe
}

/** Forward mode of a custom node without a jvp rule: transpose the (linear) vjp rule by reverse mode on it. */
const transposedVjp = (node: Sym, ts: readonly Maybe[]): Maybe => {
  const [y, ...xs] = node.inputs
  const rule = node.attrs.rule!
  const placeholder = new Sym('input', [], y.shape, { index: -1 })
  const parts = rule.vjp(placeholder, y, xs)
  let pairing: Maybe
  parts.forEach((p, i) => {
    const t = ts[i + 1]
    if (t !== undefined) pairing = addMaybe(pairing, sum(mul(p, t)))
  })
  if (pairing === undefined) return undefined
  const [tangent] = vjpGraph(pairing, [placeholder], scalarConstant(1))
  if (topoOrder([tangent]).includes(placeholder)) {
    throw new GraphError(
      `customVjp ${rule.name}: forward mode (jvp, hvp, hessian) transposes the vjp rule, which must be linear in the cotangent; give a jvp rule in the options`
    )
  }
  return tangent
}

const structural: { readonly [P in StructuralOp]: StructuralRule } = {
  broadcast: {
    vjp: (n, ct) => [unbroadcast(ct, n.inputs[0])],
    jvp: (n, [t]) => t && broadcastTo(t, n.shape)
  },
  reshape: {
    vjp: (n, ct) => [reshape(ct, n.inputs[0].shape)],
    jvp: (n, [t]) => t && reshape(t, n.shape)
  },
  transpose: {
    vjp: (n, ct) => [transpose(ct, invertPerm(n.attrs.perm!))],
    jvp: (n, [t]) => t && transpose(t, n.attrs.perm)
  },
  slice: {
    vjp: (n, ct) => {
      const { starts, ends } = n.attrs
      return [pad(ct, starts!, ends!.map((e, d) => n.inputs[0].shape[d] - e))]
    },
    jvp: (n, [t]) => t && sliceAll(t, n.attrs.starts!, n.attrs.ends!)
  },
  pad: {
    vjp: (n, ct) => {
      const lo = n.attrs.lo!
      return [sliceAll(ct, lo, lo.map((l, d) => l + n.inputs[0].shape[d]))]
    },
    jvp: (n, [t]) => t && pad(t, n.attrs.lo!, n.attrs.hi!)
  },
  concat: {
    vjp: (n, ct, needed) => {
      const axis = n.attrs.axis!
      let offset = 0
      return n.inputs.map((x, k) => {
        const start = offset
        offset += x.shape[axis]
        if (!needed[k]) return undefined
        return sliceAll(ct, ct.shape.map((_, d) => (d === axis ? start : 0)), ct.shape.map((m, d) => (d === axis ? offset : m)))
      })
    },
    jvp: (n, t) => {
      if (t.every((x) => x === undefined)) return undefined
      return concat(n.inputs.map((x, k) => t[k] ?? broadcastTo(0, x.shape)), n.attrs.axis)
    }
  },
  sum: {
    vjp: (n, ct) => [expandReduced(ct, n)],
    jvp: (n, [t]) => t && sum(t, n.attrs.axes)
  },
  max: {
    vjp: (n, ct) => [mul(expandReduced(ct, n), maxWeights(n))],
    jvp: (n, [t]) => t && sum(mul(t, maxWeights(n)), n.attrs.axes)
  },
  matmul: {
    vjp: (n, ct, needed) => {
      const [a, b] = n.inputs
      return [needed[0] ? matmul(ct, transpose(b)) : undefined, needed[1] ? matmul(transpose(a), ct) : undefined]
    },
    jvp: (n, [ta, tb]) => {
      const [a, b] = n.inputs
      return addMaybe(ta && matmul(ta, b), tb && matmul(a, tb))
    }
  },
  custom: {
    vjp: (n, ct, needed) => {
      const [y, ...xs] = n.inputs
      const parts = n.attrs.rule!.vjp(ct, y, xs)
      return [undefined, ...parts.map((p, i) => (needed[i + 1] ? p : undefined))]
    },
    jvp: (n, t) => {
      const rule = n.attrs.rule!
      if (rule.jvp === undefined) return transposedVjp(n, t)
      const [y, ...xs] = n.inputs
      return rule.jvp(t.slice(1), y, xs)
    }
  }
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
  const op = node.op
  if (op === 'input' || op === 'const') return []
  if (isElementwiseOp(op)) {
    const scales = elementwise[op](node, node.inputs)
    return scales.map((s, i) => (s === undefined || !needed[i] ? undefined : gated(ct, s)))
  }
  return structural[op].vjp(node, ct, needed)
}

/**
 * Forward mode: the output's tangent, given each input's tangent
 * (`undefined` where an input does not depend on the perturbed variables).
 */
export const jvp = (node: Sym, t: readonly Maybe[]): Maybe => {
  const op = node.op
  if (op === 'input' || op === 'const') return undefined
  if (isElementwiseOp(op)) {
    const scales = elementwise[op](node, node.inputs)
    let out: Maybe
    scales.forEach((s, i) => {
      const ti = t[i]
      if (s !== undefined && ti !== undefined) out = addMaybe(out, gated(ti, s))
    })
    return out
  }
  return structural[op].jvp(node, t)
}
