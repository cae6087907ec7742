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
  | { readonly constant: { readonly value: number } }
  | { readonly exponentialDecay: { readonly init: number; readonly rate: number; readonly steps?: number; readonly staircase?: boolean } }
  | { readonly stepDecay: { readonly init: number; readonly stepSize: number; readonly gamma?: number } }
  | { readonly cosineDecay: { readonly init: number; readonly decaySteps: number; readonly alpha?: number } }
  | { readonly linearWarmup: { readonly to: number; readonly steps: number; readonly from?: number } }
  | { readonly piecewiseConstant: { readonly boundaries: readonly number[]; readonly values: readonly number[] } }
  | { readonly join: { readonly schedules: readonly ScheduleSpec[]; readonly boundaries: readonly number[] } }

/** Adam-style decay rates `[β₁, β₂]`, as PyTorch's `betas`. */
export type Betas = readonly number[]

/** A classic optimizer by its PyTorch name, hyper-parameters camelCase, omitted ones defaulted. */
export type AliasSpec =
  | { readonly sgd: { readonly lr: number; readonly momentum?: number; readonly dampening?: number; readonly nesterov?: boolean; readonly weightDecay?: number } }
  | { readonly adagrad: { readonly lr?: number; readonly lrDecay?: number; readonly weightDecay?: number; readonly initialAccumulatorValue?: number; readonly eps?: number } }
  | { readonly rmsprop: { readonly lr?: number; readonly alpha?: number; readonly eps?: number; readonly weightDecay?: number; readonly momentum?: number; readonly centered?: boolean } }
  | { readonly adam: { readonly lr?: number; readonly betas?: Betas; readonly eps?: number; readonly weightDecay?: number; readonly amsgrad?: boolean } }
  | { readonly adamw: { readonly lr?: number; readonly betas?: Betas; readonly eps?: number; readonly weightDecay?: number; readonly amsgrad?: boolean } }
  | { readonly adamax: { readonly lr?: number; readonly betas?: Betas; readonly eps?: number; readonly weightDecay?: number } }
  | { readonly nadam: { readonly lr?: number; readonly betas?: Betas; readonly eps?: number; readonly weightDecay?: number; readonly momentumDecay?: number } }
  | { readonly adadelta: { readonly lr?: number; readonly rho?: number; readonly eps?: number; readonly weightDecay?: number } }
  | { readonly lion: { readonly lr?: number; readonly betas?: Betas; readonly weightDecay?: number } }

/** One stage of a pipeline. */
export type StageSpec =
  | { readonly momentum: { readonly beta: number; readonly dampening?: number; readonly nesterov?: boolean } }
  | { readonly ewma: { readonly beta: number; readonly debias?: boolean } }
  | { readonly rms: { readonly rho: number; readonly eps?: number; readonly centered?: boolean; readonly debias?: boolean; readonly epsInside?: boolean; readonly amsgrad?: boolean } }
  | { readonly adagrad: { readonly eps?: number; readonly initialAccumulatorValue?: number } }
  | { readonly weightDecay: { readonly lambda: number } }
  | { readonly decoupledWeightDecay: { readonly lambda: number } }
  | { readonly clip: { readonly max: number } }
  | { readonly clipByGlobalNorm: { readonly maxNorm: number } }
  | { readonly sam: { readonly rho?: number } }
  | { readonly polyak: { readonly fStar?: number; readonly max?: number } }
  | {
      readonly reduceOnPlateau: {
        readonly factor?: number; readonly patience?: number; readonly threshold?: number; readonly cooldown?: number; readonly minScale?: number
      }
    }
  | { readonly sgd: { readonly lr: number | ScheduleSpec } }
  | { readonly backtracking: { readonly c1?: number; readonly shrink?: number; readonly init?: number } }
  | { readonly lbfgs: { readonly memory?: number } }
  | { readonly nesterovLookahead: { readonly lr: number; readonly momentum?: number } }

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
export const optimizerFromText = (text: string): E.Either<readonly string[], { readonly spec: OptimizerSpec; readonly optimizer: FusedOptimizer<ChainState> }> =>
  pipe(
    parseOptimizerSpec(text),
    E.map((spec) => ({ spec, optimizer: optimizerFromSpec(spec) }))
  )
