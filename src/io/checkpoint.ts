/**
 * Checkpoints: the step count, the parameters and the optimizer state as
 * versioned JSON, read back bit for bit. Tensor data is stored as the base64
 * of its little-endian float64 bytes (so −0, NaN, ±Infinity and subnormals
 * survive); other numbers are JSON numbers (exact for finite values) or a
 * tagged `{"$f64": "-0" | "NaN" | "Infinity" | "-Infinity"}`. A SHA-256 of the
 * payload catches corruption. Reading checks the format, version, checksum,
 * the parameter tree and shapes, and that the state has exactly the shape of
 * the expected optimizer's state, and returns either everything or errors —
 * never part of a checkpoint. Files are written atomically (temp file, fsync, rename).
 */
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as nodePath from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Optimizer } from '../optim/Optimizer.js'
import { showShape } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, showStructure, setOwn } from '../tensor/Tree.js'
import { decodeWith, isPlainObject, nonNegativeInteger, show, strictRecord } from './optimCodecs.js'

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
  readonly params: TensorTree
  readonly state: S
  /** The optimizer spec JSON (docs/spec.md), when the optimizer came from one. */
  readonly optimizer?: unknown
}

/** What the reader must match: the optimizer (its state's shape), optionally the parameters' tree and the spec. */
export interface Expected<S> {
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
  return Buffer.from(bytes).toString('base64')
}

const encodeNumber = (x: number): unknown => {
  if (Number.isFinite(x) && !Object.is(x, -0)) return x
  return { $f64: Object.is(x, -0) ? '-0' : String(x) }
}

/** A state or parameter tree as JSON: tensors tagged `$tensor`, special numbers tagged `$f64`. */
export const encodeValue = (value: unknown, path = '$'): unknown => {
  if (value instanceof Tensor) return { $tensor: { shape: value.shape, f64le: bytesOf(value.data) } }
  if (typeof value === 'number') return encodeNumber(value)
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${path}[${i}]`))
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$')) throw new TypeError(`encodeCheckpoint: key '${k}' at ${path} starts with '$', which checkpoints reserve`)
      if (v !== undefined) setOwn(out, k, encodeValue(v, `${path}.${k}`))
    }
    return out
  }
  throw new TypeError(`encodeCheckpoint: cannot store ${show(value)} (${typeof value}) at ${path}`)
}

const specialNumbers: Readonly<Record<string, number>> = { '-0': -0, NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }

/** The inverse of `encodeValue`, with errors naming the JSON path. */
export const decodeValue = (json: unknown, path = '$'): E.Either<readonly string[], unknown> => {
  const errors: string[] = []
  const walk = (u: unknown, p: string): unknown => {
    if (typeof u === 'number' || typeof u === 'string' || typeof u === 'boolean' || u === null) return u
    if (Array.isArray(u)) return u.map((x, i) => walk(x, `${p}[${i}]`))
    if (!isPlainObject(u)) {
      errors.push(`${p}: unexpected ${show(u)}`)
      return undefined
    }
    if ('$f64' in u) {
      const s = u.$f64
      if (typeof s !== 'string' || !(s in specialNumbers) || Object.keys(u).length !== 1) {
        errors.push(`${p}.$f64: expected one of "-0", "NaN", "Infinity", "-Infinity", got ${show(s)}`)
        return undefined
      }
      return specialNumbers[s]
    }
    if ('$tensor' in u) {
      const body = u.$tensor
      if (Object.keys(u).length !== 1 || !isPlainObject(body)) {
        errors.push(`${p}.$tensor: expected {"shape": [...], "f64le": "<base64>"}`)
        return undefined
      }
      const shape = body.shape
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        errors.push(`${p}.$tensor.shape: expected an array of non-negative integers, got ${show(shape)}`)
        return undefined
      }
      if (typeof body.f64le !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(body.f64le)) {
        errors.push(`${p}.$tensor.f64le: expected base64 text, got ${show(body.f64le)}`)
        return undefined
      }
      const bytes = Buffer.from(body.f64le, 'base64')
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
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(u)) {
      if (k.startsWith('$')) errors.push(`${p}.${k}: unknown tag '${k}'`)
      else setOwn(out, k, walk(v, `${p}.${k}`))
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
      if (!(k in a)) return `${path}.${k} (missing in the checkpoint)`
      if (!(k in b)) return `${path}.${k} (not expected by this optimizer)`
      const d = firstDifference(a[k], b[k], `${path}.${k}`)
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

const checksum = (payload: unknown): string => createHash('sha256').update(JSON.stringify(payload)).digest('hex')

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

/** Parse and check checkpoint text. */
export const parseCheckpoint = <S>(text: string, expected: Expected<S>): E.Either<readonly string[], Checkpoint<S>> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left([`$: not valid JSON (${(e as Error).message}): the checkpoint is truncated or corrupt`])
  }
  return decodeCheckpoint(json, expected)
}

// -------------------------------------------------------------------------------------
// files
// -------------------------------------------------------------------------------------

/**
 * Write a checkpoint file atomically: the text goes to a temporary file in the
 * same directory, is flushed to disk, then renamed over `file`. A crash at any
 * point leaves either the old file or the new one, never a mix.
 */
export const writeCheckpointFile = <S>(file: string, checkpoint: Checkpoint<S>): E.Either<string, void> => {
  const temp = nodePath.join(nodePath.dirname(file), `.${nodePath.basename(file)}.${process.pid}.${Date.now()}.tmp`)
  try {
    const text = serializeCheckpoint(checkpoint)
    const fd = fs.openSync(temp, 'w')
    try {
      fs.writeSync(fd, text)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(temp, file)
    return E.right(undefined)
  } catch (e) {
    try {
      fs.rmSync(temp, { force: true })
    } catch {
      // the temporary file may not exist; nothing else to undo
    }
    return E.left(`writeCheckpointFile: cannot write ${file}: ${(e as Error).message}`)
  }
}

/** Read and check a checkpoint file. */
export const readCheckpointFile = <S>(file: string, expected: Expected<S>): E.Either<readonly string[], Checkpoint<S>> => {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    return E.left([`readCheckpointFile: cannot read ${file}: ${(e as Error).message}`])
  }
  return E.mapLeft((errors: readonly string[]) => errors.map((m) => `${file}: ${m}`))(parseCheckpoint(text, expected))
}
