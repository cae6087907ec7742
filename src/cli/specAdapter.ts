/**
 * The one place the command line meets the optimizer-spec decoder of
 * `src/io/spec.ts`: JSON (already parsed) in, an optimizer or a message with
 * the JSON path out.
 *
 * TEMPORARY until src/io/spec.ts lands: only alias objects are understood,
 * their options passed to the alias as they are.
 */
import * as E from 'fp-ts/Either'
import type { Optimizer } from '../optim/Optimizer'
import { aliases } from '../optim/aliases'

/** Decode a parsed spec into an optimizer; Left is a message that starts with the JSON path. */
export const decodeSpec = (json: unknown): E.Either<string, Optimizer<unknown>> => {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return E.left(`expected an alias object or a pipeline, got ${JSON.stringify(json)}`)
  const keys = Object.keys(json)
  if (keys.length !== 1) return E.left(`an alias spec has exactly one key, got ${keys.length}`)
  const name = keys[0]
  if (!Object.hasOwn(aliases, name)) return E.left(`${name}: unknown optimizer; known: ${Object.keys(aliases).join(', ')}`)
  const options = (json as Record<string, unknown>)[name]
  if (name === 'sgd' && (typeof options !== 'object' || options === null || !('lr' in options))) return E.left('sgd.lr: required')
  return E.right((aliases as Record<string, (o: unknown) => Optimizer<unknown>>)[name](options) )
}
