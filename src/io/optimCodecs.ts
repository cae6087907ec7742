/**
 * Small io-ts building blocks for the optimizer spec and checkpoints: strict
 * records (unknown keys rejected, defaults left to the consumer so that a
 * decoded value encodes back to the same JSON), checked numbers, one-key
 * variants, and error messages that name the JSON path (`$.adam.betas[1]`).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

/** The text of a key in a JSON path: identifiers bare, anything else quoted and cut to 40 characters. */
export const showKey = (key: string): string =>
  key.length <= 40 && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`

/** `$`, `$.adam.lr`, `$[2].rms.rho`: the path of an io-ts context. */
export const pathOf = (context: t.Context): string =>
  context
    .slice(1)
    .map((entry) => (/^\d+$/.test(entry.key) ? `[${entry.key}]` : showKey(entry.key)))
    .reduce((path, part) => path + part, '$')

/** One line per error: `$.adam.betas[1]: must be in [0, 1), got 1.5`. */
export const formatErrors = (errors: t.Errors): readonly string[] =>
  errors.map((e) => `${pathOf(e.context)}: ${e.message ?? `expected ${e.context[e.context.length - 1]?.type.name ?? 'a value'}, got ${show(e.value)}`}`)

/** A short description of a JSON value for error messages. */
export const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  if (typeof u === 'number') return Object.is(u, -0) ? '-0' : String(u)
  if (typeof u === 'string') return u.length > 60 ? `${JSON.stringify(u.slice(0, 60))}… (${u.length} characters)` : JSON.stringify(u)
  if (Array.isArray(u)) return 'an array'
  if (u === null) return 'null'
  if (typeof u === 'object') return 'an object'
  return String(u)
}

/** A piece of outside text in a message: quoted, and cut to `max` characters so a huge input cannot make a huge message. */
export const quote = (text: string, max = 40): string => `'${text.length > max ? `${text.slice(0, max)}…' (${text.length} characters)` : `${text}'`}`

/** Decode with a codec, errors formatted with their paths. */
export const decodeWith = <A>(codec: t.Decoder<unknown, A>, u: unknown): E.Either<readonly string[], A> =>
  E.mapLeft(formatErrors)(codec.decode(u))

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/** A JSON object (not null, not an array). */
export const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** `key` is an own property of `record`: lookups keyed by outside text never reach `Object.prototype`. */
export const hasOwn = (record: object, key: string): boolean => Object.hasOwn(record, key)

/** `record[key]` if `record` has it as an own property, else undefined. */
export const ownValue = <A>(record: Readonly<Record<string, A>>, key: string): A | undefined => (hasOwn(record, key) ? record[key] : undefined)

/**
 * The JSON path of the first place where `u` nests arrays and objects deeper
 * than `max` levels, or undefined. Walks with an explicit stack, so any depth
 * is safe to check; run it before anything recursive (a codec,
 * `JSON.stringify`) sees outside input.
 */
export const tooDeep = (u: unknown, max: number): string | undefined => {
  const stack: [unknown, number, string][] = [[u, 0, '$']]
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!
    if (typeof node !== 'object' || node === null) continue
    if (depth >= max) return path
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) stack.push([node[i], depth + 1, `${path}[${i}]`])
    else for (const [k, v] of Object.entries(node)) stack.push([v, depth + 1, path + showKey(k)])
  }
  return undefined
}

/** The first hole of a sparse array (`new Array(3)`, `[1, , 2]`), or -1: JSON has none, and `forEach` would skip them. */
export const firstHole = (xs: readonly unknown[]): number => {
  for (let i = 0; i < xs.length; i++) if (!(i in xs)) return i
  return -1
}

/** A finite number passing `check`, which returns the reason for rejection or undefined. */
export const checkedNumber = (name: string, check: (x: number) => string | undefined = () => undefined): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isFinite(u) && check(u) === undefined,
    (u, c) => {
      if (typeof u !== 'number' || !Number.isFinite(u)) return t.failure(u, c, `expected a finite number, got ${show(u)}`)
      const reason = check(u)
      return reason === undefined ? t.success(u) : t.failure(u, c, `${reason}, got ${show(u)}`)
    },
    (x) => x
  )

/** x > 0 (learning rates, clip bounds). */
export const positive: t.Type<number, number, unknown> = checkedNumber('positive', (x) => (x > 0 ? undefined : 'must be > 0'))
/** x ≥ 0 (ε, weight decay). */
export const nonNegative: t.Type<number, number, unknown> = checkedNumber('nonNegative', (x) => (x >= 0 ? undefined : 'must be ≥ 0'))
/** 0 ≤ x < 1 (β, ρ, momentum). */
export const unitInterval: t.Type<number, number, unknown> = checkedNumber('[0, 1)', (x) => (x >= 0 && x < 1 ? undefined : 'must be in [0, 1)'))
/** 0 ≤ x ≤ 1 (dampening, cosine floor). */
export const closedUnit: t.Type<number, number, unknown> = checkedNumber('[0, 1]', (x) => (x >= 0 && x <= 1 ? undefined : 'must be in [0, 1]'))
/** A positive integer (step counts). */
export const positiveInteger: t.Type<number, number, unknown> = checkedNumber('positive integer', (x) => (Number.isInteger(x) && x > 0 ? undefined : 'must be a positive integer'))
/** A non-negative integer (boundaries, versions). */
export const nonNegativeInteger: t.Type<number, number, unknown> = checkedNumber('non-negative integer', (x) => (Number.isInteger(x) && x >= 0 ? undefined : 'must be a non-negative integer'))

/** true or false. */
export const bool: t.Type<boolean, boolean, unknown> = new t.Type<boolean, boolean, unknown>(
  'boolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (typeof u === 'boolean' ? t.success(u) : t.failure(u, c, `expected true or false, got ${show(u)}`)),
  (x) => x
)

/** A fixed-length array, each element with its own codec. */
export const tupleOf = <A>(name: string, items: readonly t.Type<A, A, unknown>[]): t.Type<readonly A[], readonly A[], unknown> =>
  new t.Type<readonly A[], readonly A[], unknown>(
    name,
    (u): u is readonly A[] => Array.isArray(u) && u.length === items.length && firstHole(u) < 0 && u.every((x, i) => items[i].is(x)),
    (u, c) => {
      if (!Array.isArray(u) || u.length !== items.length) return t.failure(u, c, `expected an array of ${items.length} numbers, got ${show(u)}${Array.isArray(u) ? ` of length ${u.length}` : ''}`)
      const hole = firstHole(u)
      if (hole >= 0) return t.failure(u, c, `expected an array without holes, got a sparse array (nothing at index ${hole})`)
      const errors: t.ValidationError[] = []
      const out: A[] = []
      u.forEach((x, i) => {
        const r = items[i].validate(x, t.appendContext(c, String(i), items[i], x))
        if (E.isLeft(r)) errors.push(...r.left)
        else out.push(r.right)
      })
      return errors.length > 0 ? t.failures(errors) : t.success(out)
    },
    (x) => x
  )

/** An array whose elements all pass `item`, with at least `min` elements. */
export const arrayOf = <A, O>(name: string, item: t.Type<A, O, unknown>, min = 0): t.Type<readonly A[], readonly O[], unknown> =>
  new t.Type<readonly A[], readonly O[], unknown>(
    name,
    (u): u is readonly A[] => Array.isArray(u) && u.length >= min && firstHole(u) < 0 && u.every(item.is),
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, `expected an array, got ${show(u)}`)
      if (u.length < min) return t.failure(u, c, `expected at least ${min} element${min === 1 ? '' : 's'}, got ${u.length}`)
      const hole = firstHole(u)
      if (hole >= 0) return t.failure(u, c, `expected an array without holes, got a sparse array (nothing at index ${hole})`)
      const errors: t.ValidationError[] = []
      const out: A[] = []
      u.forEach((x, i) => {
        const r = item.validate(x, t.appendContext(c, String(i), item, x))
        if (E.isLeft(r)) errors.push(...r.left)
        else out.push(r.right)
      })
      return errors.length > 0 ? t.failures(errors) : t.success(out)
    },
    (xs) => xs.map(item.encode)
  )

/** Any codec from unknown input (the encode side varies, hence `any`). */
// biome-ignore lint/suspicious/noExplicitAny: the encoded and decoded types vary codec to codec
export type AnyCodec = t.Type<any, any, unknown>

export interface Field {
  readonly codec: AnyCodec
  readonly required?: boolean
}

/**
 * A record with known keys: unknown keys and missing required keys are
 * rejected with their path; the decoded value holds exactly the given keys
 * (in the given order), so it encodes back to the same JSON. `check` adds a
 * rule across fields and returns [key, reason] pairs.
 */
export const strictRecord = <A>(
  name: string,
  fields: Readonly<Record<string, Field>>,
  check: (value: Record<string, unknown>) => readonly (readonly [string, string])[] = () => []
): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => isPlainObject(u) && Object.keys(u).every((k) => hasOwn(fields, k)),
    (u, c) => {
      const keys = Object.keys(fields)
      const list = keys.map((k) => `'${k}'`).join(', ')
      if (!isPlainObject(u)) return t.failure(u, c, `expected an object${keys.length > 0 ? ` with keys ${list}` : ''}, got ${show(u)}`)
      const errors: t.ValidationError[] = []
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(u)) {
        const field = ownValue(fields, key)
        const value = u[key]
        if (field === undefined) {
          errors.push({ value, context: t.appendContext(c, key, t.unknown, value), message: `unknown key ${quote(key)} (expected ${list || 'none'})` })
          continue
        }
        const r = field.codec.validate(value, t.appendContext(c, key, field.codec, value))
        if (E.isLeft(r)) errors.push(...r.left)
        else out[key] = r.right
      }
      for (const key of keys) {
        if (fields[key].required === true && !hasOwn(u, key)) {
          errors.push({ value: undefined, context: t.appendContext(c, key, fields[key].codec, undefined), message: `missing required key '${key}'` })
        }
      }
      if (errors.length === 0) {
        for (const [key, reason] of check(out)) {
          errors.push({ value: out[key], context: t.appendContext(c, key, t.unknown, out[key]), message: reason })
        }
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as A)
    },
    (a) => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(a as Record<string, unknown>)) out[key] = fields[key] !== undefined ? fields[key].codec.encode(value) : value
      return out
    }
  )

/** An object with exactly one key naming a variant: `{"adam": {...}}`. */
export const oneKey = <A>(name: string, variants: Readonly<Record<string, AnyCodec>>): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => isPlainObject(u) && Object.keys(u).length === 1 && hasOwn(variants, Object.keys(u)[0]),
    (u, c) => {
      const list = Object.keys(variants).map((k) => `'${k}'`).join(', ')
      if (!isPlainObject(u)) return t.failure(u, c, `expected an object with one key, one of ${list}, got ${show(u)}`)
      const keys = Object.keys(u)
      if (keys.length !== 1) return t.failure(u, c, `expected exactly one key (one of ${list}), got ${keys.length}${keys.length > 0 ? `: ${keys.map((k) => `'${k}'`).join(', ')}` : ''}`)
      const key = keys[0]
      const codec = ownValue(variants, key)
      if (codec === undefined) return t.failure(u[key], t.appendContext(c, key, t.unknown, u[key]), `unknown ${name} ${quote(key)} (expected one of ${list})`)
      const r = codec.validate(u[key], t.appendContext(c, key, codec, u[key]))
      return E.isLeft(r) ? r : t.success({ [key]: r.right } as A)
    },
    (a) => {
      const [key, value] = Object.entries(a as Record<string, unknown>)[0]
      return { [key]: variants[key].encode(value) }
    }
  )

/** The first of several codecs that accepts; when none does, the errors of `pick(u)`. */
export const either = <A>(name: string, pick: (u: unknown) => AnyCodec): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => pick(u).is(u),
    (u, c) => pick(u).validate(u, c) as t.Validation<A>,
    (a) => pick(a).encode(a)
  )
