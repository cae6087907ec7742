/**
 * The optimizer spec of docs/spec.md, decoded with
 * io-ts: either an alias (`{"adam": {"lr": 0.01}}`, PyTorch 1.13 names and
 * defaults) or a pipeline of stages, outermost first, ending in `sgd`
 * (`[{"ewma": {"beta": 0.9, "debias": true}}, {"rms": {"rho": 0.999, "debias": true}}, {"sgd": {"lr": 0.001}}]`).
 * Every rejection names the JSON path and the reason; a decoded spec keeps
 * exactly the keys it was given, so it encodes back to the same JSON (defaults
 * are applied when the optimizer is built).
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { type AliasOptimizer, aliases } from '../optim/aliases.js'
import { type Stage, chain } from '../optim/chain.js'
import { type ChainState, type FusedOptimizer, sgd } from '../optim/combinators.js'
import * as builtin from '../optim/stages.js'
import { backtracking, lbfgs, nesterovLookahead } from '../optim/terminals.js'
import * as S from '../optim/Schedule.js'
import {
  type AnyCodec,
  arrayOf,
  bool,
  checkedNumber,
  closedUnit,
  decodeWith,
  either,
  nonNegative,
  nonNegativeInteger,
  oneKey,
  positive,
  positiveInteger,
  quote,
  strictRecord,
  tooDeep,
  tupleOf,
  unitInterval,
} from './optimCodecs.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A learning-rate schedule in JSON: one key naming the schedule of `optim/Schedule.ts`. */
export type ScheduleSpec =
  | {
      /** The same value at every step. */
      readonly constant: {
        /** The value, ≥ 0. */
        readonly value: number
      }
    }
  | {
      /** `init · rate^(t / steps)`; with `staircase`, the exponent is ⌊t / steps⌋. */
      readonly exponentialDecay: {
        /** The value at t = 0, > 0. */
        readonly init: number
        /** The factor applied every `steps` steps, > 0 (below 1 decays, above 1 grows). */
        readonly rate: number
        /** Steps per factor of `rate`, > 0 (need not be an integer); default 1. */
        readonly steps?: number
        /** Floor t / steps, so the value drops in stairs. Default false. */
        readonly staircase?: boolean
      }
    }
  | {
      /** PyTorch's `StepLR`: `init · gamma^⌊t / stepSize⌋`. */
      readonly stepDecay: {
        /** The value at t = 0, > 0. */
        readonly init: number
        /** Steps between drops, a positive integer. */
        readonly stepSize: number
        /** The factor of each drop, > 0; default 0.1. */
        readonly gamma?: number
      }
    }
  | {
      /** `init · ((1 − α)·½(1 + cos(π·min(t, T)/T)) + α)` with T = `decaySteps` (Optax's `cosine_decay_schedule`). */
      readonly cosineDecay: {
        /** The value at t = 0, > 0. */
        readonly init: number
        /** T, the steps to reach the floor α·init and stay there; a positive integer. */
        readonly decaySteps: number
        /** The floor α as a fraction of `init`, in [0, 1]; default 0. */
        readonly alpha?: number
      }
    }
  | {
      /** `from + (to − from)·min(t, steps)/steps`: a straight line from `from` to `to`, then `to`. */
      readonly linearWarmup: {
        /** The value from t = steps on, > 0. */
        readonly to: number
        /** The length of the warm-up, a non-negative integer (0: `to` from the start). */
        readonly steps: number
        /** The value at t = 0, ≥ 0; default 0. */
        readonly from?: number
      }
    }
  | {
      /** `values[k]`, where k is the number of `boundaries` ≤ t. */
      readonly piecewiseConstant: {
        /** The steps where the value changes: non-negative integers, strictly ascending. */
        readonly boundaries: readonly number[]
        /** One more value than there are boundaries, each ≥ 0. */
        readonly values: readonly number[]
      }
    }
  | {
      /** Optax's `join_schedules`: `schedules[k]` from `boundaries[k − 1]` on, run at the count since that boundary. */
      readonly join: {
        /** One more schedule than there are boundaries (at least one). */
        readonly schedules: readonly ScheduleSpec[]
        /** The steps where the next schedule takes over: non-negative integers, strictly ascending. */
        readonly boundaries: readonly number[]
      }
    }

/** Adam-style decay rates `[β₁, β₂]`, as PyTorch's `betas`. */
export type Betas = readonly number[]

/** A classic optimizer by its PyTorch name, hyper-parameters camelCase, omitted ones defaulted. */
export type AliasSpec =
  | {
      /** `torch.optim.SGD` (`classicSgd`). */
      readonly sgd: {
        /** Learning rate, > 0; required (no default, as in PyTorch). */
        readonly lr: number
        /** Momentum factor μ, in [0, 1); default 0 (plain SGD). */
        readonly momentum?: number
        /** Dampening τ of the momentum buffer, in [0, 1]; default 0. */
        readonly dampening?: number
        /** Nesterov momentum, d = g + μv; needs momentum > 0 and dampening 0. Default false. */
        readonly nesterov?: boolean
        /** L2 penalty λ added to the gradient (g + λθ), ≥ 0; default 0. */
        readonly weightDecay?: number
      }
    }
  | {
      /** `torch.optim.Adagrad`. */
      readonly adagrad: {
        /** Learning rate, > 0; default 1e-2. */
        readonly lr?: number
        /** lrₜ = lr / (1 + (t − 1)·lrDecay), ≥ 0; default 0. */
        readonly lrDecay?: number
        /** L2 penalty λ added to the gradient, ≥ 0; default 0. */
        readonly weightDecay?: number
        /** Starting value s₀ of the sum of squares, ≥ 0; default 0. */
        readonly initialAccumulatorValue?: number
        /** ε added to the root of the sum, ≥ 0; default 1e-10. */
        readonly eps?: number
      }
    }
  | {
      /** `torch.optim.RMSprop`. */
      readonly rmsprop: {
        /** Learning rate, > 0; default 1e-2. */
        readonly lr?: number
        /** Decay α of the mean square, in [0, 1); default 0.99. */
        readonly alpha?: number
        /** ε added to the root, ≥ 0; default 1e-8. */
        readonly eps?: number
        /** L2 penalty λ added to the gradient, ≥ 0; default 0. */
        readonly weightDecay?: number
        /** Momentum factor μ on the scaled gradient, in [0, 1); default 0. */
        readonly momentum?: number
        /** Subtract the squared mean gradient from the mean square. Default false. */
        readonly centered?: boolean
      }
    }
  | {
      /** `torch.optim.Adam`. */
      readonly adam: {
        /** Learning rate, > 0; default 1e-3. */
        readonly lr?: number
        /** Decays [β₁, β₂] of the first and second moments, each in [0, 1); default [0.9, 0.999]. */
        readonly betas?: Betas
        /** ε added to the root of the second moment, ≥ 0; default 1e-8. */
        readonly eps?: number
        /** L2 penalty λ added to the gradient (g + λθ), ≥ 0; default 0. */
        readonly weightDecay?: number
        /** Use the running maximum of the second moment (AMSGrad). Default false. */
        readonly amsgrad?: boolean
      }
    }
  | {
      /** `torch.optim.AdamW`: Adam with decoupled weight decay. */
      readonly adamw: {
        /** Learning rate, > 0; default 1e-3. */
        readonly lr?: number
        /** Decays [β₁, β₂] of the first and second moments, each in [0, 1); default [0.9, 0.999]. */
        readonly betas?: Betas
        /** ε added to the root of the second moment, ≥ 0; default 1e-8. */
        readonly eps?: number
        /** Decoupled decay λ (θ ← θ − lr·λθ), ≥ 0; default 1e-2. */
        readonly weightDecay?: number
        /** Use the running maximum of the second moment (AMSGrad). Default false. */
        readonly amsgrad?: boolean
      }
    }
  | {
      /** `torch.optim.Adamax`. */
      readonly adamax: {
        /** Learning rate, > 0; default 2e-3. */
        readonly lr?: number
        /** Decays [β₁, β₂] of the first moment and of the infinity norm, each in [0, 1); default [0.9, 0.999]. */
        readonly betas?: Betas
        /** ε added to |g| in the infinity norm, u ← max(β₂u, |g| + ε), ≥ 0; default 1e-8. */
        readonly eps?: number
        /** L2 penalty λ added to the gradient, ≥ 0; default 0. */
        readonly weightDecay?: number
      }
    }
  | {
      /** `torch.optim.NAdam`, with the update of PyTorch ≥ 2.0. */
      readonly nadam: {
        /** Learning rate, > 0; default 2e-3. */
        readonly lr?: number
        /** Decays [β₁, β₂] of the first and second moments, each in [0, 1); default [0.9, 0.999]. */
        readonly betas?: Betas
        /** ε added to the root of the second moment, ≥ 0; default 1e-8. */
        readonly eps?: number
        /** L2 penalty λ added to the gradient, ≥ 0; default 0. */
        readonly weightDecay?: number
        /** ψ in the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)), ≥ 0; default 4e-3. */
        readonly momentumDecay?: number
      }
    }
  | {
      /** `torch.optim.Adadelta`. */
      readonly adadelta: {
        /** Scale of the update, > 0; default 1. */
        readonly lr?: number
        /** Decay ρ of both running means, in [0, 1); default 0.9. */
        readonly rho?: number
        /** ε inside both roots, ≥ 0; default 1e-6. */
        readonly eps?: number
        /** L2 penalty λ added to the gradient, ≥ 0; default 0. */
        readonly weightDecay?: number
      }
    }
  | {
      /** Lion (Chen et al. 2023): θ ← θ − lr·(sign(β₁m + (1 − β₁)g) + λθ). */
      readonly lion: {
        /** Learning rate, > 0; default 1e-4. */
        readonly lr?: number
        /** `[β₁, β₂]`: β₁ mixes the momentum into the sign, β₂ updates the momentum; each in [0, 1); default [0.9, 0.99]. */
        readonly betas?: Betas
        /** Decoupled decay λ (θ ← θ − lr·λθ), ≥ 0; default 0. */
        readonly weightDecay?: number
      }
    }

/** One stage of a pipeline. */
export type StageSpec =
  | {
      /** Heavy-ball momentum (PyTorch's SGD buffer): v ← βv + (1 − dampening)·d; passes v, or d + βv with `nesterov`. */
      readonly momentum: {
        /** Momentum factor β, in [0, 1); required. */
        readonly beta: number
        /** Dampening of the incoming d, in [0, 1] (not applied at the first step, as in PyTorch); default 0. */
        readonly dampening?: number
        /** Pass d + βv instead of v. Default false. */
        readonly nesterov?: boolean
      }
    }
  | {
      /** Exponentially weighted average of d (Adam's first moment): m ← βm + (1 − β)d; passes m. */
      readonly ewma: {
        /** Decay β, in [0, 1); required. */
        readonly beta: number
        /** Pass m / (1 − βᵗ) (Adam's bias correction). Default false. */
        readonly debias?: boolean
      }
    }
  | {
      /** Root-mean-square scaling (RMSprop, Adam's second moment): r ← ρr + (1 − ρ)g²; passes d / (√r̂ + ε). */
      readonly rms: {
        /** Decay ρ of the mean square, in [0, 1); required. */
        readonly rho: number
        /** ε added to the root, ≥ 0; default 1e-8. */
        readonly eps?: number
        /** Use r̂ = r − m², with m ← ρm + (1 − ρ)g the mean gradient. Default false. */
        readonly centered?: boolean
        /** Divide r̂ by 1 − ρᵗ under the root (Adam's second-moment correction). Default false. */
        readonly debias?: boolean
        /** √(r̂ + ε) instead of √r̂ + ε. Default false. */
        readonly epsInside?: boolean
        /** Use the running maximum of r̂ (AMSGrad). Default false. */
        readonly amsgrad?: boolean
      }
    }
  | {
      /** AdaGrad scaling: r ← r + g²; passes d / (√r + ε). */
      readonly adagrad: {
        /** ε added to the root, ≥ 0; default 1e-10. */
        readonly eps?: number
        /** Starting value of the sum of squares r, ≥ 0; default 0. */
        readonly initialAccumulatorValue?: number
      }
    }
  | {
      /** L2 weight decay: adds λθ to g and d (PyTorch's `weight_decay`). */
      readonly weightDecay: {
        /** λ, ≥ 0; required. */
        readonly lambda: number
      }
    }
  | {
      /** Decoupled weight decay (AdamW): adds λθ to d only, so `sgd(lr)` below shrinks θ by lr·λθ. */
      readonly decoupledWeightDecay: {
        /** λ, ≥ 0; required. */
        readonly lambda: number
      }
    }
  | {
      /** Clip each element of g and d to [−max, max]. */
      readonly clip: {
        /** The bound, > 0; required. */
        readonly max: number
      }
    }
  | {
      /** Scale g and d by maxNorm/‖g‖ when the norm ‖g‖ of the whole gradient tree exceeds maxNorm. */
      readonly clipByGlobalNorm: {
        /** The largest norm let through, > 0; required. */
        readonly maxNorm: number
      }
    }
  | {
      /** Sharpness-aware minimisation: g and d become ∇f(θ + ρ·g/‖g‖). Needs the objective. */
      readonly sam: {
        /** Radius ρ of the perturbation, > 0; default 0.05. */
        readonly rho?: number
      }
    }
  | {
      /** Polyak's step size: d scaled by min(max(f − f*, 0)/‖g‖², max). Needs the value. */
      readonly polyak: {
        /** f*, the known optimal value (any finite number); default 0. */
        readonly fStar?: number
        /** Cap on the scale, > 0; default none (Infinity). */
        readonly max?: number
      }
    }
  | {
      /**
       * PyTorch's `ReduceLROnPlateau` (mode 'min', relative threshold) on d: scale d by s, and
       * multiply s by `factor` when f has not improved for more than `patience` steps. Needs the value.
       */
      readonly reduceOnPlateau: {
        /** Multiplies the scale on a plateau, in [0, 1); default 0.1. */
        readonly factor?: number
        /** Steps without improvement tolerated, a non-negative integer; default 10. */
        readonly patience?: number
        /** Relative improvement that counts, f < best·(1 − threshold), ≥ 0; default 1e-4. */
        readonly threshold?: number
        /** Steps after a reduction before counting again, a non-negative integer; default 0. */
        readonly cooldown?: number
        /** The smallest scale, ≥ 0; default 0. */
        readonly minScale?: number
      }
    }
  | {
      /** Terminal: update = −lr·d. */
      readonly sgd: {
        /** Learning rate: a number > 0, or a schedule of the step count; required. */
        readonly lr: number | ScheduleSpec
      }
    }
  | {
      /** Terminal: Armijo backtracking line search along −d. Needs the value and the objective. */
      readonly backtracking: {
        /** Sufficient-decrease constant c₁ of Armijo's rule, in [0, 1); default 1e-4. */
        readonly c1?: number
        /** Factor the trial step shrinks by, in (0, 1); default 0.5. */
        readonly shrink?: number
        /** First trial step, > 0; default 1. */
        readonly init?: number
      }
    }
  | {
      /** Terminal: L-BFGS (two-loop recursion) with a strong-Wolfe line search. Needs the objective. */
      readonly lbfgs: {
        /** Curvature pairs kept, a positive integer; default 10. */
        readonly memory?: number
      }
    }
  | {
      /** Terminal: Nesterov's momentum in look-ahead form, v ← μv − lr·∇f(θ + μv), θ ← θ + v. Needs the objective. */
      readonly nesterovLookahead: {
        /** Learning rate, > 0; required. */
        readonly lr: number
        /** Momentum factor μ, in [0, 1); default 0.9. */
        readonly momentum?: number
      }
    }

/** The terminals a pipeline may end in. */
export const terminalNames: readonly string[] = ['sgd', 'backtracking', 'lbfgs', 'nesterovLookahead']

/** Stages outermost first, the last one a terminal (`sgd`, `backtracking`, `lbfgs`, `nesterovLookahead`). */
export type PipelineSpec = readonly StageSpec[]

/** An optimizer as JSON: a classic optimizer by name (`AliasSpec`) or a chain of stages (`PipelineSpec`). */
export type OptimizerSpec = AliasSpec | PipelineSpec

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const lr = positive
const beta = unitInterval
const betas = tupleOf('betas', [beta, beta])
const eps = nonNegative
const decay = nonNegative
const req = (codec: AnyCodec) => ({ codec, required: true })
const opt = (codec: AnyCodec) => ({ codec })

const ascending = (key: string) => (v: Record<string, unknown>): (readonly [string, string])[] => {
  const xs = v[key] as readonly number[]
  return xs.every((x, i) => i === 0 || xs[i - 1] < x) ? [] : [[key, `must be strictly ascending, got [${xs.join(', ')}]`]]
}

/** The JSON of a schedule (recursive through `join`). */
export const scheduleCodec: t.Type<ScheduleSpec, unknown, unknown> = t.recursion('schedule', () =>
  oneKey<ScheduleSpec>('schedule', {
    constant: strictRecord('constant', { value: req(nonNegative) }),
    exponentialDecay: strictRecord('exponentialDecay', { init: req(positive), rate: req(positive), steps: opt(positive), staircase: opt(bool) }),
    stepDecay: strictRecord('stepDecay', { init: req(positive), stepSize: req(positiveInteger), gamma: opt(positive) }),
    cosineDecay: strictRecord('cosineDecay', { init: req(positive), decaySteps: req(positiveInteger), alpha: opt(closedUnit) }),
    linearWarmup: strictRecord('linearWarmup', { to: req(positive), steps: req(nonNegativeInteger), from: opt(nonNegative) }),
    piecewiseConstant: strictRecord(
      'piecewiseConstant',
      { boundaries: req(arrayOf('boundaries', nonNegativeInteger)), values: req(arrayOf('values', nonNegative, 1)) },
      (v) => {
        const b = v.boundaries as readonly number[]
        const vs = v.values as readonly number[]
        if (vs.length !== b.length + 1) return [['values', `needs ${b.length + 1} values for ${b.length} boundaries, got ${vs.length}`]]
        return ascending('boundaries')(v)
      }
    ),
    join: strictRecord(
      'join',
      { schedules: req(arrayOf('schedules', scheduleCodec, 1)), boundaries: req(arrayOf('boundaries', nonNegativeInteger)) },
      (v) => {
        const b = v.boundaries as readonly number[]
        const s = v.schedules as readonly unknown[]
        if (s.length !== b.length + 1) return [['schedules', `needs ${b.length + 1} schedules for ${b.length} boundaries, got ${s.length}`]]
        return ascending('boundaries')(v)
      }
    )
  })
)

const openUnit = checkedNumber('(0, 1)', (x) => (x > 0 && x < 1 ? undefined : 'must be in (0, 1)'))

const lrOrSchedule = either<number | ScheduleSpec>('lr', (u) => (typeof u === 'number' ? lr : scheduleCodec))

const nesterovRule = (v: Record<string, unknown>): (readonly [string, string])[] =>
  v.nesterov === true && (((v.momentum as number | undefined) ?? 0) <= 0 || ((v.dampening as number | undefined) ?? 0) !== 0)
    ? [['nesterov', 'Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch)']]
    : []

const adamFields = { lr: opt(lr), betas: opt(betas), eps: opt(eps), weightDecay: opt(decay), amsgrad: opt(bool) }

/** An alias: one key naming a classic optimizer. */
export const aliasCodec: t.Type<AliasSpec, unknown, unknown> = oneKey<AliasSpec>('optimizer', {
  sgd: strictRecord(
    'sgd',
    { lr: req(lr), momentum: opt(beta), dampening: opt(closedUnit), nesterov: opt(bool), weightDecay: opt(decay) },
    nesterovRule
  ),
  adagrad: strictRecord('adagrad', { lr: opt(lr), lrDecay: opt(decay), weightDecay: opt(decay), initialAccumulatorValue: opt(nonNegative), eps: opt(eps) }),
  rmsprop: strictRecord('rmsprop', { lr: opt(lr), alpha: opt(beta), eps: opt(eps), weightDecay: opt(decay), momentum: opt(beta), centered: opt(bool) }),
  adam: strictRecord('adam', adamFields),
  adamw: strictRecord('adamw', adamFields),
  adamax: strictRecord('adamax', { lr: opt(lr), betas: opt(betas), eps: opt(eps), weightDecay: opt(decay) }),
  nadam: strictRecord('nadam', { lr: opt(lr), betas: opt(betas), eps: opt(eps), weightDecay: opt(decay), momentumDecay: opt(nonNegative) }),
  adadelta: strictRecord('adadelta', { lr: opt(lr), rho: opt(beta), eps: opt(eps), weightDecay: opt(decay) }),
  lion: strictRecord('lion', { lr: opt(lr), betas: opt(betas), weightDecay: opt(decay) })
})

const stageCodec: t.Type<StageSpec, unknown, unknown> = oneKey<StageSpec>('stage', {
  momentum: strictRecord('momentum', { beta: req(beta), dampening: opt(closedUnit), nesterov: opt(bool) }),
  ewma: strictRecord('ewma', { beta: req(beta), debias: opt(bool) }),
  rms: strictRecord('rms', { rho: req(beta), eps: opt(eps), centered: opt(bool), debias: opt(bool), epsInside: opt(bool), amsgrad: opt(bool) }),
  adagrad: strictRecord('adagrad', { eps: opt(eps), initialAccumulatorValue: opt(nonNegative) }),
  weightDecay: strictRecord('weightDecay', { lambda: req(decay) }),
  decoupledWeightDecay: strictRecord('decoupledWeightDecay', { lambda: req(decay) }),
  clip: strictRecord('clip', { max: req(positive) }),
  clipByGlobalNorm: strictRecord('clipByGlobalNorm', { maxNorm: req(positive) }),
  sam: strictRecord('sam', { rho: opt(positive) }),
  polyak: strictRecord('polyak', { fStar: opt(checkedNumber('number')), max: opt(positive) }),
  reduceOnPlateau: strictRecord('reduceOnPlateau', {
    factor: opt(unitInterval), patience: opt(nonNegativeInteger), threshold: opt(nonNegative), cooldown: opt(nonNegativeInteger), minScale: opt(nonNegative)
  }),
  sgd: strictRecord('sgd', { lr: req(lrOrSchedule) }),
  backtracking: strictRecord('backtracking', { c1: opt(unitInterval), shrink: opt(openUnit), init: opt(positive) }),
  lbfgs: strictRecord('lbfgs', { memory: opt(positiveInteger) }),
  nesterovLookahead: strictRecord('nesterovLookahead', { lr: req(lr), momentum: opt(beta) })
})

const isTerminal = (key: string): boolean => terminalNames.includes(key)

const stages = arrayOf('pipeline', stageCodec, 1)

/** A pipeline: stages outermost first, `sgd` last and only last. */
export const pipelineCodec: t.Type<PipelineSpec, unknown, unknown> = new t.Type<PipelineSpec, unknown, unknown>(
  'pipeline',
  (u): u is PipelineSpec => stages.is(u),
  (u, c) =>
    pipe(
      stages.validate(u, c),
      E.chain((xs) => {
        const errors: t.ValidationError[] = []
        xs.forEach((stage, i) => {
          const key = Object.keys(stage)[0]
          const last = i === xs.length - 1
          if (last && !isTerminal(key)) {
            errors.push({ value: stage, context: t.appendContext(c, String(i), stageCodec, stage), message: `a pipeline must end in sgd or another terminal (${terminalNames.slice(1).join(', ')}), got '${key}'` })
          }
          if (!last && isTerminal(key)) {
            errors.push({ value: stage, context: t.appendContext(c, String(i), stageCodec, stage), message: `${key} must be the last stage (it is stage ${i} of ${xs.length})` })
          }
        })
        return errors.length > 0 ? t.failures<PipelineSpec>(errors) : t.success(xs)
      })
    ),
  (xs) => stages.encode(xs)
)

/** An optimizer spec: an alias object or a pipeline array. */
export const optimizerSpecCodec: t.Type<OptimizerSpec, unknown, unknown> = either<OptimizerSpec>('optimizer spec', (u) =>
  (Array.isArray(u) ? pipelineCodec : aliasCodec)
)

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** How deep spec JSON may nest (arrays and objects; `join` schedules nest four levels each). */
export const specMaxDepth: number = 64

/**
 * Decode a JSON value into a spec; errors read `$.adam.betas[1]: must be in [0, 1), got 1`.
 * JSON nested deeper than `specMaxDepth` is rejected before decoding.
 */
export const decodeOptimizerSpec = (json: unknown): E.Either<readonly string[], OptimizerSpec> => {
  const deep = tooDeep(json, specMaxDepth)
  if (deep !== undefined) return E.left([`${deep}: the spec nests deeper than ${specMaxDepth} levels`])
  return decodeWith(optimizerSpecCodec, json)
}

/** The JSON of a spec: the same JSON it was decoded from. */
export const encodeOptimizerSpec = (spec: OptimizerSpec): unknown => optimizerSpecCodec.encode(spec)

/** The alias names accepted bare on the command line (`--optimizer adam`). */
export const aliasNames: readonly string[] = Object.keys(aliases)

/**
 * Parse spec text: a bare alias name (`adam`, with its defaults), or JSON.
 * `sgd` has no default lr, as in PyTorch, so it needs the JSON form.
 */
export const parseOptimizerSpec = (text: string): E.Either<readonly string[], OptimizerSpec> => {
  const trimmed = text.trim()
  if (/^[A-Za-z]+$/.test(trimmed)) {
    if (trimmed === 'sgd') return E.left([`$: sgd needs a learning rate (no default, as in PyTorch): write {"sgd": {"lr": 0.01}}`])
    if (!aliasNames.includes(trimmed)) return E.left([`$: unknown optimizer ${quote(trimmed)} (expected one of ${aliasNames.map((n) => `'${n}'`).join(', ')}, or JSON)`])
    return E.right({ [trimmed]: {} } as AliasSpec)
  }
  let json: unknown
  try {
    json = JSON.parse(trimmed)
  } catch (e) {
    return E.left([`$: not valid JSON (${(e as Error).message})`])
  }
  return decodeOptimizerSpec(json)
}

/** The schedule of a schedule spec. */
export const scheduleFromSpec = (spec: ScheduleSpec): S.Schedule => {
  if ('constant' in spec) return S.constant(spec.constant.value)
  if ('exponentialDecay' in spec) return S.exponentialDecay(spec.exponentialDecay)
  if ('stepDecay' in spec) return S.stepDecay(spec.stepDecay)
  if ('cosineDecay' in spec) return S.cosineDecay(spec.cosineDecay)
  if ('linearWarmup' in spec) return S.linearWarmup(spec.linearWarmup)
  if ('piecewiseConstant' in spec) return S.piecewiseConstant(spec.piecewiseConstant)
  return S.join(spec.join.schedules.map(scheduleFromSpec), spec.join.boundaries)
}

const stageOf = (stage: StageSpec): Stage => {
  if ('momentum' in stage) return builtin.momentum(stage.momentum)
  if ('ewma' in stage) return builtin.ewma(stage.ewma)
  if ('rms' in stage) return builtin.rms(stage.rms)
  if ('adagrad' in stage) return builtin.adagrad(stage.adagrad)
  if ('weightDecay' in stage) return builtin.weightDecay(stage.weightDecay)
  if ('decoupledWeightDecay' in stage) return builtin.decoupledWeightDecay(stage.decoupledWeightDecay)
  if ('clip' in stage) return builtin.clip(stage.clip)
  if ('clipByGlobalNorm' in stage) return builtin.clipByGlobalNorm(stage.clipByGlobalNorm)
  if ('sam' in stage) return builtin.sam(stage.sam)
  if ('polyak' in stage) return builtin.polyak(stage.polyak)
  if ('reduceOnPlateau' in stage) return builtin.reduceOnPlateau(stage.reduceOnPlateau)
  throw new TypeError(`optimizerFromSpec: '${Object.keys(stage)[0]}' is a terminal, not a stage`)
}

const terminalOf = (stage: StageSpec): FusedOptimizer<ChainState> => {
  if ('sgd' in stage) return sgd(typeof stage.sgd.lr === 'number' ? stage.sgd.lr : scheduleFromSpec(stage.sgd.lr)) as unknown as FusedOptimizer<ChainState>
  if ('backtracking' in stage) return backtracking(stage.backtracking) as unknown as FusedOptimizer<ChainState>
  if ('lbfgs' in stage) return lbfgs(stage.lbfgs) as unknown as FusedOptimizer<ChainState>
  if ('nesterovLookahead' in stage) return nesterovLookahead(stage.nesterovLookahead) as unknown as FusedOptimizer<ChainState>
  throw new TypeError(`optimizerFromSpec: a pipeline must end in a terminal, got '${Object.keys(stage)[0]}'`)
}

/**
 * The optimizer of a (decoded, hence valid) spec: an alias with PyTorch's
 * defaults, or `chain(...stages, terminal)` of the pipeline.
 */
export const optimizerFromSpec = (spec: OptimizerSpec): FusedOptimizer<ChainState> => {
  if (Array.isArray(spec)) {
    const pipeline = spec as PipelineSpec
    const items = [...pipeline.slice(0, -1).map(stageOf), terminalOf(pipeline[pipeline.length - 1])]
    return (chain as (...xs: readonly unknown[]) => FusedOptimizer<ChainState>)(...items)
  }
  const [name, options] = Object.entries(spec as AliasSpec)[0] as [keyof typeof aliases, Record<string, unknown>]
  const make = aliases[name] as (o: Record<string, unknown>) => AliasOptimizer
  return make(options)
}

/** Text → optimizer in one go (the command line's `--optimizer`). */
export const optimizerFromText = (text: string): E.Either<readonly string[], {
  /** The spec the text parsed to. */
  readonly spec: OptimizerSpec
  /** Its optimizer, as `optimizerFromSpec` builds it. */
  readonly optimizer: FusedOptimizer<ChainState>
}> =>
  pipe(
    parseOptimizerSpec(text),
    E.map((spec) => ({ spec, optimizer: optimizerFromSpec(spec) }))
  )
