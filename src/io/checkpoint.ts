/**
 * Checkpoints: the step count, the parameters and the optimizer state as
 * versioned JSON, read back bit for bit. Tensor data is stored as the base64
 * of its little-endian float64 bytes (so −0, NaN, ±Infinity and subnormals
 * survive); other numbers are JSON numbers (exact for finite values) or a
 * tagged `{"$f64": "-0" | "NaN" | "Infinity" | "-Infinity"}`. A SHA-256 of the
 * payload catches corruption. Reading checks the format, version, checksum,
 * the parameter tree and shapes, and that the state has exactly the shape of
 * the expected optimizer's state, and returns either everything or errors —
 * never part of a checkpoint. This module is text only (it runs in browsers);
 * checkpoint files, written atomically, are in the Node entry (`src/node`).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Optimizer } from '../optim/Optimizer.js'
import { showShape } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, showStructure, setOwn } from '../tensor/Tree.js'
import { fromBase64, sha256OfText, toBase64 } from './bytes.js'
import {
  decodeWith,
  firstHole,
  hasOwn,
  isPlainObject,
  nonNegativeInteger,
  ownValue,
  quote,
  show,
  showKey,
  strictRecord,
  tooDeep
} from './optimCodecs.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The `format` field of every checkpoint. */
export const checkpointFormat: 'descent-checkpoint' = 'descent-checkpoint'
/** The version this build writes and reads. */
export const checkpointVersion: number = 1

/** What a checkpoint holds. */
export interface Checkpoint<S> {
  /** Optimizer steps taken so far. */
  readonly step: number
  /** The parameters after those steps. */
  readonly params: TensorTree
  /** The optimizer state after those steps, to resume from. */
  readonly state: S
  /** The optimizer spec JSON (docs/spec.md), when the optimizer came from one. */
  readonly optimizer?: unknown
}

/** What the reader must match: the optimizer (its state's shape), optionally the parameters' tree and the spec. */
export interface Expected<S> {
  /** The optimizer that will resume: the stored state must have the shape of its `init` on the stored parameters. */
  readonly optimizer: Optimizer<S>
  /** A tree with the expected structure and shapes (values ignored). */
  readonly params?: TensorTree
  /** The spec JSON the checkpoint must have been written with. */
  readonly spec?: unknown
}

// -------------------------------------------------------------------------------------
// values ⇄ JSON
// -------------------------------------------------------------------------------------

const bytesOf = (data: Float64Array): string => {
  const bytes = new Uint8Array(data.length * 8)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i], true)
  return toBase64(bytes)
}

const encodeNumber = (x: number): unknown => {
  if (Number.isFinite(x) && !Object.is(x, -0)) return x
  return { $f64: Object.is(x, -0) ? '-0' : String(x) }
}

/**
 * How deep a stored value may nest arrays and records. Deeper input is
 * rejected (with its path) before anything recursive sees it, so a corrupt or
 * hostile file cannot overflow the stack.
 */
export const checkpointMaxDepth: number = 1000

/**
 * A record key in checkpoint JSON. Keys starting with `$` are doubled (`$x` is
 * stored as `$$x`), since a single `$` starts a tag (`$f64`, `$tensor`); every
 * other key is stored as it is.
 */
const storedKey = (key: string): string => (key.startsWith('$') ? `$${key}` : key)

/**
 * A state or parameter tree as JSON: tensors tagged `$tensor`, special numbers
 * tagged `$f64`, keys starting with `$` doubled. Throws a TypeError naming the
 * path for what JSON cannot hold (functions, class instances, sparse arrays,
 * nesting deeper than `checkpointMaxDepth`).
 */
export const encodeValue = (value: unknown, path = '$', depth = 0): unknown => {
  if (value instanceof Tensor) return { $tensor: { shape: value.shape, f64le: bytesOf(value.data) } }
  if (typeof value === 'number') return encodeNumber(value)
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value
  if (depth >= checkpointMaxDepth && typeof value === 'object') {
    throw new TypeError(`encodeCheckpoint: the value at ${path} nests deeper than ${checkpointMaxDepth} levels`)
  }
  if (Array.isArray(value)) {
    const hole = firstHole(value)
    if (hole >= 0) throw new TypeError(`encodeCheckpoint: the array at ${path} is sparse (nothing at index ${hole})`)
    return value.map((v, i) => encodeValue(v, `${path}[${i}]`, depth + 1))
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) setOwn(out, storedKey(k), encodeValue(v, path + showKey(k), depth + 1))
    return out
  }
  throw new TypeError(`encodeCheckpoint: cannot store ${show(value)} (${typeof value}) at ${path}`)
}

const specialNumbers: Readonly<Record<string, number>> = { '-0': -0, NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }

const decodeTensor = (body: unknown, p: string, errors: string[]): Tensor | undefined => {
  if (!isPlainObject(body)) {
    errors.push(`${p}.$tensor: expected {"shape": [...], "f64le": "<base64>"}`)
    return undefined
  }
  const shape = body.shape
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    errors.push(`${p}.$tensor.shape: expected an array of non-negative integers, got ${show(shape)}`)
    return undefined
  }
  const bytes = typeof body.f64le === 'string' ? fromBase64(body.f64le) : 'it is not a string'
  if (typeof bytes === 'string') {
    errors.push(`${p}.$tensor.f64le: expected base64 text (${bytes}), got ${show(body.f64le)}`)
    return undefined
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1)
  if (bytes.length !== size * 8) {
    errors.push(`${p}.$tensor.f64le: shape ${showShape(shape as number[])} needs ${size * 8} bytes, got ${bytes.length}`)
    return undefined
  }
  const data = new Float64Array(size)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < size; i++) data[i] = view.getFloat64(i * 8, true)
  return Tensor.unsafeFromBuffer(shape as number[], data)
}

/** The inverse of `encodeValue`, with errors naming the JSON path. */
export const decodeValue = (json: unknown, path = '$'): E.Either<readonly string[], unknown> => {
  const deep = tooDeep(json, checkpointMaxDepth)
  if (deep !== undefined) return E.left([`${deep}: nested deeper than ${checkpointMaxDepth} levels`])
  const errors: string[] = []
  const walk = (u: unknown, p: string): unknown => {
    if (typeof u === 'number' || typeof u === 'string' || typeof u === 'boolean' || u === null) return u
    if (Array.isArray(u)) {
      const hole = firstHole(u)
      if (hole >= 0) {
        errors.push(`${p}[${hole}]: unexpected hole in a sparse array`)
        return undefined
      }
      return u.map((x, i) => walk(x, `${p}[${i}]`))
    }
    if (!isPlainObject(u)) {
      errors.push(`${p}: unexpected ${show(u)}`)
      return undefined
    }
    const keys = Object.keys(u)
    if (hasOwn(u, '$f64')) {
      const s = u.$f64
      const x = typeof s === 'string' ? ownValue(specialNumbers, s) : undefined
      if (x === undefined || keys.length !== 1) {
        errors.push(`${p}.$f64: expected the only key, one of "-0", "NaN", "Infinity", "-Infinity", got ${show(s)}${keys.length !== 1 ? ` beside ${keys.length - 1} other keys` : ''}`)
        return undefined
      }
      return x
    }
    if (hasOwn(u, '$tensor')) {
      if (keys.length !== 1) {
        errors.push(`${p}.$tensor: expected the only key, got ${keys.length - 1} other keys beside it`)
        return undefined
      }
      return decodeTensor(u.$tensor, p, errors)
    }
    const out: Record<string, unknown> = {}
    for (const k of keys) {
      if (k.startsWith('$$')) setOwn(out, k.slice(1), walk(u[k], p + showKey(k)))
      else if (k.startsWith('$')) errors.push(`${p}${showKey(k)}: unknown tag ${quote(k)} (keys starting with '$' are stored as '$$…')`)
      else setOwn(out, k, walk(u[k], p + showKey(k)))
    }
    return out
  }
  const value = walk(json, path)
  return errors.length > 0 ? E.left(errors) : E.right(value)
}

/**
 * The shape of a value without its numbers: tensors become their shapes,
 * numbers `#`, strings themselves. Two states of the same optimizer on the
 * same tree have equal signatures.
 */
export const valueSignature = (value: unknown): string => {
  if (value instanceof Tensor) return `T${showShape(value.shape)}`
  if (typeof value === 'number') return '#'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'boolean' || value === null) return String(value)
  if (Array.isArray(value)) return `[${value.map(valueSignature).join(',')}]`
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${valueSignature(value[k])}`).join(',')}}`
  }
  return typeof value
}

/** The first place where two values' signatures differ, as a path. */
const firstDifference = (a: unknown, b: unknown, path: string): string | undefined => {
  if (valueSignature(a) === valueSignature(b)) return undefined
  if (isPlainObject(a) && isPlainObject(b) && !(a instanceof Tensor) && !(b instanceof Tensor)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    for (const k of [...keys].sort()) {
      if (!hasOwn(a, k)) return `${path}${showKey(k)} (missing in the checkpoint)`
      if (!hasOwn(b, k)) return `${path}${showKey(k)} (not expected by this optimizer)`
      const d = firstDifference(a[k], b[k], path + showKey(k))
      if (d !== undefined) return d
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`)
      if (d !== undefined) return d
    }
  }
  return `${path} (checkpoint has ${valueSignature(a).slice(0, 80)}, expected ${valueSignature(b).slice(0, 80)})`
}

// -------------------------------------------------------------------------------------
// checkpoints
// -------------------------------------------------------------------------------------

const checksum = (payload: unknown): string => sha256OfText(JSON.stringify(payload))

/** The JSON object of a checkpoint. */
export const encodeCheckpoint = <S>(checkpoint: Checkpoint<S>): unknown => {
  const payload = {
    step: checkpoint.step,
    optimizer: checkpoint.optimizer ?? null,
    params: encodeValue(checkpoint.params, '$.payload.params'),
    state: encodeValue(checkpoint.state, '$.payload.state')
  }
  return { format: checkpointFormat, version: checkpointVersion, sha256: checksum(payload), payload }
}

/** The text of a checkpoint (one line of JSON). */
export const serializeCheckpoint = <S>(checkpoint: Checkpoint<S>): string => JSON.stringify(encodeCheckpoint(checkpoint))

const envelope = strictRecord<{ format: string; version: number; sha256: string; payload: Record<string, unknown> }>(
  'checkpoint',
  {
    format: { codec: t.literal(checkpointFormat), required: true },
    version: { codec: nonNegativeInteger, required: true },
    sha256: { codec: t.string, required: true },
    payload: {
      codec: strictRecord('payload', {
        step: { codec: nonNegativeInteger, required: true },
        optimizer: { codec: t.unknown, required: true },
        params: { codec: t.unknown, required: true },
        state: { codec: t.unknown, required: true }
      }),
      required: true
    }
  },
  (v) => (v.version !== checkpointVersion ? [['version', `unsupported checkpoint version ${String(v.version)} (this build reads version ${checkpointVersion})`]] : [])
)

/**
 * Decode a checkpoint's JSON and check it against what the caller expects:
 * the tree and shapes of `expected.params`, the state shape of
 * `expected.optimizer` on those parameters, and `expected.spec`.
 */
export const decodeCheckpoint = <S>(json: unknown, expected: Expected<S>): E.Either<readonly string[], Checkpoint<S>> => {
  // The checksum is JSON.stringify of the payload, which recurses: bound the depth first.
  const deep = tooDeep(json, checkpointMaxDepth + 3)
  if (deep !== undefined) return E.left([`${deep}: nested deeper than ${checkpointMaxDepth} levels: the checkpoint is corrupt`])
  const outer = decodeWith(envelope, json)
  if (E.isLeft(outer)) return outer
  const { sha256, payload } = outer.right
  if (checksum(payload) !== sha256) return E.left(['$.sha256: the payload does not match its checksum: the checkpoint is corrupt'])
  const paramsValue = decodeValue(payload.params, '$.payload.params')
  const stateValue = decodeValue(payload.state, '$.payload.state')
  const errors = [...(E.isLeft(paramsValue) ? paramsValue.left : []), ...(E.isLeft(stateValue) ? stateValue.left : [])]
  if (E.isLeft(paramsValue) || E.isLeft(stateValue)) return E.left(errors)

  let params: TensorTree
  try {
    params = paramsValue.right as TensorTree
    flattenTensors(params)
  } catch (e) {
    return E.left([`$.payload.params: not a tree of tensors: ${(e as Error).message}`])
  }
  if (expected.params !== undefined) {
    const got = flattenTensors(params)
    const want = flattenTensors(expected.params)
    if (showStructure(got.structure) !== showStructure(want.structure)) {
      return E.left([`$.payload.params: the parameter tree differs: checkpoint ${showStructure(got.structure)}, expected ${showStructure(want.structure)}`])
    }
    for (let i = 0; i < want.leaves.length; i++) {
      const a = got.leaves[i].shape
      const b = want.leaves[i].shape
      if (showShape(a) !== showShape(b)) return E.left([`$.payload.params: parameter ${want.paths[i] || 'at the top'} has shape ${showShape(a)} in the checkpoint, expected ${showShape(b)}`])
    }
  }
  if (expected.spec !== undefined && JSON.stringify(payload.optimizer) !== JSON.stringify(expected.spec)) {
    return E.left([`$.payload.optimizer: the checkpoint was written by optimizer ${JSON.stringify(payload.optimizer)}, expected ${JSON.stringify(expected.spec)}`])
  }
  let template: unknown
  try {
    template = expected.optimizer.init(params)
  } catch (e) {
    return E.left([`$.payload.state: the expected optimizer cannot start from these parameters: ${(e as Error).message}`])
  }
  const difference = firstDifference(stateValue.right, template, '$.payload.state')
  if (difference !== undefined) return E.left([`$.payload.state: the state does not belong to the expected optimizer: first difference at ${difference}`])
  return E.right({
    step: payload.step as number,
    params,
    state: stateValue.right as S,
    ...(payload.optimizer !== null ? { optimizer: payload.optimizer } : {})
  })
}

/** Parse and check checkpoint text (a leading byte-order mark is ignored). */
export const parseCheckpoint = <S>(text: string, expected: Expected<S>): E.Either<readonly string[], Checkpoint<S>> => {
  let json: unknown
  try {
    // A byte-order mark is not JSON, but editors on some systems add one.
    json = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text)
  } catch (e) {
    return E.left([`$: not valid JSON (${(e as Error).message}): the checkpoint is truncated or corrupt`])
  }
  return decodeCheckpoint(json, expected)
}
