/**
 * Optimizers named on the command line (`--optimizer`, `--optimizers`): an
 * optimizer spec (docs/spec.md) given as JSON text,
 * as `@path/to/spec.json`, or as a bare alias name (`adam`); plus two
 * second-order methods the spec has no words for because they need the
 * problem's curvature, which only the command line can supply:
 * `newton` (Newton-CG on Hessian-vector products, `{"newton": {"radius": 1,
 * "damping": 0, "lr": 1}}`) and `saddle-free-newton`
 * (`{"saddleFreeNewton": {"damping": 1e-8, "lr": 1}}`).
 */
import * as E from 'fp-ts/lib/Either.js'
import { isAbsolute, resolve } from 'node:path'
import { hvp } from '../graph/index.js'
import { ownValue, show, showKey } from '../io/optimCodecs.js'
import { decodeOptimizerSpec, optimizerFromSpec, parseOptimizerSpec } from '../io/spec.js'
import type { Optimizer } from '../optim/Optimizer.js'
import { newtonCG, saddleFreeNewton } from '../optim/newton.js'
import type { Tensor } from '../tensor/Tensor.js'
import type { TensorTree } from '../tensor/Tree.js'
import { toFunction } from '../io/parse.js'
import { type UsageError, usage } from './args.js'
import type { CliIo } from './io.js'
import type { Problem } from './problem.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** An optimizer with a label for tables and legends, built for a given problem. */
export interface Method {
  /** Short label, e.g. `adam lr=0.1` or `ewma∘rms∘sgd`. */
  readonly name: string
  /** The spec as given (JSON text, or the alias name). */
  readonly spec: string
  readonly make: (problem: Problem) => Optimizer<unknown>
}

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/**
 * Decode one spec as given to `flag`: `@file` is read (relative to the
 * working directory), text starting with `{` or `[` is JSON, anything else is
 * an alias name with its defaults. Every problem names the flag and, for a
 * spec that fails to decode, the JSON path of the offending field.
 */
export const decodeMethod = (flag: string, text: string, io: CliIo): E.Either<UsageError, Method> => {
  const trimmed = text.trim()
  if (trimmed === '') return usage(`${flag}: empty optimizer spec; give an alias like adam, JSON like '{"adam": {"lr": 0.01}}', or @spec.json`)
  let source = trimmed
  let where = flag
  if (trimmed.startsWith('@')) {
    const path = trimmed.slice(1)
    const full = isAbsolute(path) ? path : resolve(io.cwd, path)
    try {
      source = io.readFile(full).trim()
    } catch (e) {
      const code = (e as { code?: string }).code
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${(e as Error).message})`
      return usage(`${flag}: spec file '${path}' ${why}${full !== path ? ` (looked for ${full})` : ''}`)
    }
    where = `${flag} ${trimmed}`
  }
  let json: unknown
  if (source.startsWith('{') || source.startsWith('[')) {
    try {
      json = JSON.parse(source)
    } catch (e) {
      return usage(`${where}: the spec is not valid JSON: ${(e as Error).message}`)
    }
  } else if (/^[A-Za-z][\w-]*$/.test(source)) {
    json = source
  } else {
    return usage(`${where}: '${source}' is neither an optimizer name (like adam) nor JSON (starting with { or [)`)
  }
  return fromJson(where, json, trimmed.startsWith('@') ? trimmed : source)
}

/** Decode `--optimizers 'spec;spec;…'`; blank entries are ignored, the message names the entry that fails. */
export const decodeMethods = (flag: string, text: string, io: CliIo): E.Either<UsageError, readonly Method[]> => {
  const parts = splitSpecs(text)
  if (parts.length === 0) return usage(`${flag}: no optimizer specs; separate them with ';', like 'adam;{"sgd": {"lr": 0.001}}'`)
  const methods: Method[] = []
  for (let i = 0; i < parts.length; i++) {
    const m = decodeMethod(parts.length > 1 ? `${flag} entry ${i + 1}` : flag, parts[i], io)
    if (E.isLeft(m)) return m
    methods.push(m.right)
  }
  return E.right(methods)
}

/** Split on `;` outside JSON strings, so a `;` inside a quoted name does not cut a spec. */
export const splitSpecs = (text: string): string[] => {
  const parts: string[] = []
  let current = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString && c === '\\') {
      current += c + (text[i + 1] ?? '')
      i++
      continue
    }
    if (c === '"') inString = !inString
    if (c === ';' && !inString) {
      parts.push(current)
      current = ''
    } else current += c
  }
  parts.push(current)
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

const secondOrderNames: Readonly<Record<string, 'newton' | 'saddleFreeNewton'>> = {
  newton: 'newton',
  'newton-cg': 'newton',
  newtonCG: 'newton',
  'saddle-free-newton': 'saddleFreeNewton',
  saddleFreeNewton: 'saddleFreeNewton'
}

const fromJson = (where: string, json: unknown, spec: string): E.Either<UsageError, Method> => {
  const single = singleKey(json)
  const name = typeof json === 'string' ? json : single?.[0]
  const secondOrder = name !== undefined ? ownValue(secondOrderNames, name) : undefined
  if (secondOrder !== undefined) {
    const options = single === undefined ? {} : single[1]
    const decoded = decodeSecondOrder(secondOrder, options)
    if (E.isLeft(decoded)) return usage(`${where}: bad optimizer spec: ${decoded.left}`)
    return E.right({ name: labelOf(json), spec, make: decoded.right })
  }
  const decoded = typeof json === 'string' ? parseOptimizerSpec(json) : decodeOptimizerSpec(json)
  if (E.isLeft(decoded)) {
    const hint = typeof json === 'string' && decoded.left.some((m) => m.includes('unknown optimizer')) ? '; the command line also knows newton and saddle-free-newton' : ''
    return usage(`${where}: bad optimizer spec: ${decoded.left.join('; ')}${hint}`)
  }
  const optimizer = optimizerFromSpec(decoded.right) as unknown as Optimizer<unknown>
  return E.right({ name: labelOf(json), spec, make: () => optimizer })
}

const singleKey = (json: unknown): readonly [string, unknown] | undefined => {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined
  const keys = Object.keys(json)
  return keys.length === 1 ? [keys[0], (json as Record<string, unknown>)[keys[0]]] : undefined
}

type SecondOrderMaker = (problem: Problem) => Optimizer<unknown>

/** The options of `newton` / `saddleFreeNewton`, checked field by field with JSON paths. */
const decodeSecondOrder = (kind: 'newton' | 'saddleFreeNewton', options: unknown): E.Either<string, SecondOrderMaker> => {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return E.left(`$.${kind}: expected an object of options, got ${show(options)}`)
  const allowed: Readonly<Record<string, { readonly min: number; readonly strict: boolean }>> =
    kind === 'newton'
      ? { radius: { min: 0, strict: true }, damping: { min: 0, strict: false }, lr: { min: 0, strict: true }, maxIterations: { min: 1, strict: false } }
      : { damping: { min: 0, strict: false }, lr: { min: 0, strict: true } }
  const values: Record<string, number> = {}
  for (const [key, value] of Object.entries(options)) {
    const rule = ownValue(allowed, key)
    if (rule === undefined) return E.left(`$.${kind}${showKey(key)}: unknown option; ${kind} takes ${Object.keys(allowed).join(', ')}`)
    if (typeof value !== 'number' || !Number.isFinite(value)) return E.left(`$.${kind}.${key}: expected a number, got ${show(value)}`)
    if (rule.strict ? value <= rule.min : value < rule.min) return E.left(`$.${kind}.${key}: must be ${rule.strict ? '>' : '≥'} ${rule.min}, got ${value}`)
    values[key] = value
  }
  if (kind === 'newton') {
    return E.right((problem) => {
      const hessianVector = hvp(toFunction(problem.expression, problem.vars))
      return newtonCG({
        hvp: (params: TensorTree, v: TensorTree) => hessianVector(params as Tensor, v as Tensor),
        radius: values.radius ?? 1,
        damping: values.damping ?? 0,
        lr: values.lr ?? 1,
        ...(values.maxIterations !== undefined ? { maxIterations: values.maxIterations } : {})
      }) as Optimizer<unknown>
    })
  }
  return E.right(
    (problem) =>
      saddleFreeNewton({ hessian: (params: TensorTree) => problem.hessian(params as Tensor), damping: values.damping ?? 1e-8, lr: values.lr ?? 1 }) as Optimizer<unknown>
  )
}

// -------------------------------------------------------------------------------------
// labels
// -------------------------------------------------------------------------------------

const showValue = (v: unknown): string => (Array.isArray(v) ? v.map(showValue).join('/') : typeof v === 'object' && v !== null ? '{…}' : String(v))

const showOptions = (options: unknown, keys?: readonly string[]): string => {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return ''
  const entries = Object.entries(options).filter(([k]) => keys === undefined || keys.includes(k))
  return entries.map(([k, v]) => ` ${k}=${showValue(v)}`).join('')
}

/**
 * A short label for a spec: the alias with its options (`adam lr=0.1`), or a
 * pipeline's stages outermost first with the learning rate (`ewma∘rms∘sgd lr=0.1`).
 */
export const labelOf = (json: unknown): string => {
  if (typeof json === 'string') return json
  if (Array.isArray(json)) {
    const stages = json.map((s) => singleKey(s))
    const names = stages.map((s) => (s === undefined ? '?' : s[0]))
    const last = stages[stages.length - 1]
    return `${names.join('∘')}${last === undefined ? '' : showOptions(last[1], ['lr'])}`
  }
  const single = singleKey(json)
  return single === undefined ? JSON.stringify(json) : `${single[0]}${showOptions(single[1])}`
}

/** A method with a given label (for the built-in sets). */
export const named = (name: string, method: Method): Method => ({ ...method, name })
