/**
 * JSON output that may hold millions of numbers: `writeJson` prints a value
 * in pieces, so `optimize --steps 10000000 --json` never builds one
 * 200 MB string. The text is what `JSON.stringify` would print, with two
 * extra kinds of value: a `Float64Array` prints as an array of numbers and
 * {@link Rows} as an array of arrays.
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Points stored flat: row k is `data[k·width … k·width + width − 1]`. */
export class Rows {
  constructor(
    readonly data: Float64Array,
    readonly width: number
  ) {}
}

/**
 * What {@link writeJson} prints: JSON values, `Float64Array`s and {@link Rows};
 * inside objects and arrays the same (an `undefined` property is left out).
 */
export type JsonOut = null | boolean | number | string | Float64Array | Rows | readonly unknown[] | object

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** Numbers per piece written. */
const chunk = 8192

const number = (v: number): string => (Number.isFinite(v) ? String(v) : 'null')

/** Print `value` as one line of JSON through `out`, in pieces of at most about 8,192 numbers. */
export const writeJson = (out: (text: string) => void, value: JsonOut): void => {
  let buffer = ''
  const emit = (text: string): void => {
    buffer += text
    if (buffer.length > 1 << 16) {
      out(buffer)
      buffer = ''
    }
  }
  const numbers = (data: Float64Array, from: number, to: number): void => {
    for (let i = from; i < to; i += chunk) {
      const parts: string[] = []
      for (let j = i; j < Math.min(to, i + chunk); j++) parts.push(number(data[j]))
      emit((i > from ? ',' : '') + parts.join(','))
    }
  }
  const walk = (v: unknown): void => {
    if (v instanceof Float64Array) {
      emit('[')
      numbers(v, 0, v.length)
      emit(']')
    } else if (v instanceof Rows) {
      emit('[')
      for (let k = 0; k * v.width < v.data.length; k++) {
        emit(k > 0 ? ',[' : '[')
        numbers(v.data, k * v.width, (k + 1) * v.width)
        emit(']')
      }
      emit(']')
    } else if (Array.isArray(v)) {
      emit('[')
      v.forEach((item: unknown, i: number) => {
        if (i > 0) emit(',')
        walk(item)
      })
      emit(']')
    } else if (typeof v === 'object' && v !== null) {
      emit('{')
      let first = true
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue
        emit(`${first ? '' : ','}${JSON.stringify(key)}:`)
        first = false
        walk(item)
      }
      emit('}')
    } else emit(JSON.stringify(v))
  }
  walk(value)
  out(buffer + '\n')
}
