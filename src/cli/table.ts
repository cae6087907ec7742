/**
 * Human output: numbers in a short readable form and tables whose columns
 * line up (numbers right-aligned, text left-aligned).
 */

// -------------------------------------------------------------------------------------
// numbers
// -------------------------------------------------------------------------------------

/**
 * A number in at most `digits` significant digits (default 6), trailing zeros
 * dropped: plain notation for 1e-4 ≤ |x| < 1e7, scientific otherwise.
 * Exact integers below 1e7 print whole; −0 prints as 0.
 *
 * @example showNumber(1001.6006392325) // '1001.6'
 * @example showNumber(3.2e-9)          // '3.2e-9'
 */
export const showNumber = (x: number, digits = 6): string => {
  if (Number.isNaN(x)) return 'NaN'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (x === 0) return '0'
  const a = Math.abs(x)
  if (Number.isInteger(x) && a < 1e7) return String(x)
  if (a >= 1e-4 && a < 1e7) {
    const fixed = x.toPrecision(digits)
    return fixed.includes('e') ? fixed : fixed.replace(/\.?0+$/, '')
  }
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e')
  return `${mantissa.replace(/\.?0+$/, '')}e${exponent.replace('+', '')}`
}

/** A point as `(a, b, …)` with {@link showNumber}. */
export const showPoint = (p: readonly number[], digits = 6): string => `(${p.map((v) => showNumber(v, digits)).join(', ')})`

// -------------------------------------------------------------------------------------
// tables
// -------------------------------------------------------------------------------------

const looksNumeric = (cell: string): boolean => /^[-+]?(\d|\.\d|inf|NaN)/.test(cell) && !/\s[a-zA-Z]/.test(cell)

/**
 * Lay out rows as columns separated by two spaces: a column whose body cells
 * all look like numbers is right-aligned, any other left-aligned. With a
 * header, a rule of `─` goes under it. Cells are measured in code points.
 */
export const table = (rows: readonly (readonly string[])[], header?: readonly string[]): string => {
  const all = header === undefined ? rows : [header, ...rows]
  const columns = Math.max(0, ...all.map((r) => r.length))
  const width = (s: string): number => [...s].length
  const widths = Array.from({ length: columns }, (_, j) => Math.max(0, ...all.map((r) => width(r[j] ?? ''))))
  const right = Array.from({ length: columns }, (_, j) => rows.length > 0 && rows.every((r) => r[j] === undefined || r[j] === '' || looksNumeric(r[j])))
  const line = (r: readonly string[]): string =>
    Array.from({ length: columns }, (_, j) => {
      const cell = r[j] ?? ''
      const pad = ' '.repeat(widths[j] - width(cell))
      return right[j] ? pad + cell : j === columns - 1 ? cell : cell + pad
    })
      .join('  ')
      .replace(/\s+$/, '')
  const out = all.map(line)
  if (header !== undefined) out.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('  '))
  return out.join('\n') + '\n'
}
