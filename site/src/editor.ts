/**
 * The chain editor: one optimizer spec as a form. An alias shows its
 * hyper-parameters; a pipeline shows its stages, outermost first, which can
 * be added, removed, moved and edited. The editor only rewrites the spec's
 * JSON text: decoding and every check stay with the library, whose message
 * (with the JSON path) the page shows under the entry.
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json }
type Options = Readonly<Record<string, Json>>

/** Per alias or stage: its parameters, each with the default shown as a placeholder (undefined = required). */
type ParameterTable = Readonly<Record<string, Readonly<Record<string, Json | undefined>>>>

/** DESIGN.md's optimizer spec: the aliases, with PyTorch 1.13's defaults. */
export const aliasParameters: ParameterTable = {
  sgd: { lr: undefined, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
  adam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false },
  adamw: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false },
  adamax: { lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
  nadam: { lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 0.004 },
  rmsprop: { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
  adagrad: { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
  adadelta: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 },
  lion: { lr: 0.0001, betas: [0.9, 0.99], weightDecay: 0 }
}

/** DESIGN.md's pipeline stages, outermost first in a spec, `sgd` last. */
export const stageParameters: ParameterTable = {
  momentum: { beta: undefined, dampening: 0, nesterov: false },
  ewma: { beta: undefined, debias: false },
  rms: { rho: undefined, eps: 1e-8, centered: false, debias: false, epsInside: false },
  adagrad: { eps: 1e-10, initialAccumulatorValue: 0 },
  weightDecay: { lambda: undefined },
  decoupledWeightDecay: { lambda: undefined },
  clip: { max: undefined },
  clipByGlobalNorm: { maxNorm: undefined },
  sgd: { lr: undefined }
}

/** What a newly added stage starts with: its required parameters set to a usual value. */
const newStage: Readonly<Record<string, Options>> = {
  momentum: { beta: 0.9 },
  ewma: { beta: 0.9, debias: true },
  rms: { rho: 0.999, eps: 1e-8, debias: true },
  adagrad: {},
  weightDecay: { lambda: 0.01 },
  decoupledWeightDecay: { lambda: 0.01 },
  clip: { max: 1 },
  clipByGlobalNorm: { maxNorm: 1 }
}

/** What the editor makes of a spec text. */
export type Form =
  | { readonly kind: 'alias'; readonly name: string; readonly options: Options; readonly bare: boolean }
  | { readonly kind: 'pipeline'; readonly stages: readonly (readonly [string, Options])[] }
  /** Anything else (newton, text that is not JSON yet): edited as text only. */
  | { readonly kind: 'text' }

// -------------------------------------------------------------------------------------
// reading and writing specs
// -------------------------------------------------------------------------------------

const isOptions = (v: unknown): v is Options => typeof v === 'object' && v !== null && !Array.isArray(v)

const single = (v: unknown): readonly [string, Options] | undefined => {
  if (!isOptions(v)) return undefined
  const keys = Object.keys(v)
  return keys.length === 1 && isOptions(v[keys[0]]) ? [keys[0], v[keys[0]] as Options] : undefined
}

/** The form of a spec text. */
export const formOf = (text: string): Form => {
  const trimmed = text.trim()
  if (Object.hasOwn(aliasParameters, trimmed)) return { kind: 'alias', name: trimmed, options: {}, bare: true }
  let json: unknown
  try {
    json = JSON.parse(trimmed)
  } catch {
    return { kind: 'text' }
  }
  if (Array.isArray(json)) {
    const stages = json.map(single)
    if (stages.length === 0 || stages.some((s) => s === undefined || !Object.hasOwn(stageParameters, s[0]))) return { kind: 'text' }
    return { kind: 'pipeline', stages: stages as (readonly [string, Options])[] }
  }
  const alias = single(json)
  if (alias === undefined || !Object.hasOwn(aliasParameters, alias[0])) return { kind: 'text' }
  return { kind: 'alias', name: alias[0], options: alias[1], bare: false }
}

/** The spec text of a form (a bare alias stays bare while it has no options). */
export const textOf = (form: Exclude<Form, { kind: 'text' }>): string => {
  if (form.kind === 'alias') return form.bare && Object.keys(form.options).length === 0 ? form.name : JSON.stringify({ [form.name]: form.options })
  return JSON.stringify(form.stages.map(([name, options]) => ({ [name]: options })))
}

/** A field's text → its JSON value: numbers and lists as JSON, `0.9,0.999` as a list; anything else stays text (and the decoder says why it is wrong). */
const parseField = (text: string): Json => {
  const t = text.trim()
  try {
    return JSON.parse(t) as Json
  } catch {
    if (t.includes(',')) {
      const parts = t.split(',').map((p) => Number(p.trim()))
      if (parts.every(Number.isFinite)) return parts
    }
    return t
  }
}

const showField = (v: Json | undefined): string => (v === undefined ? '' : Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v))

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

/** An HTML element with attributes and children. */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | boolean>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attributes)) {
    if (v === false) continue
    e.setAttribute(k, v === true ? '' : v)
  }
  for (const c of children) e.append(c)
  return e
}

/**
 * Fields for one set of options. `key` prefixes each field's `data-key`, so
 * focus can return to the same field after the list is redrawn.
 */
const parameterFields = (table: Readonly<Record<string, Json | undefined>>, options: Options, key: string, where: string, set: (options: Options) => void): HTMLElement => {
  const box = h('div', { class: 'params' })
  const names = [...Object.keys(table), ...Object.keys(options).filter((k) => !Object.hasOwn(table, k))]
  for (const name of names) {
    const fallback = table[name]
    const value = options[name]
    const id = `${key}-${name}`
    const update = (next: Json | undefined): void => {
      const copy: Record<string, Json> = { ...options }
      if (next === undefined) delete copy[name]
      else copy[name] = next
      set(copy)
    }
    if (typeof fallback === 'boolean' && (value === undefined || typeof value === 'boolean')) {
      const input = h('input', { type: 'checkbox', id, 'data-key': id, checked: value ?? fallback })
      input.addEventListener('change', () => update(input.checked === fallback ? undefined : input.checked))
      box.append(h('label', { class: 'check', for: id, title: `${where} ${name}` }, input, name))
      continue
    }
    const input = h('input', {
      type: 'text',
      id,
      'data-key': id,
      value: showField(value),
      placeholder: fallback === undefined ? 'required' : showField(fallback),
      'aria-label': `${where} ${name}${fallback === undefined ? ' (required)' : `, default ${showField(fallback)}`}`,
      spellcheck: 'false',
      autocomplete: 'off'
    })
    input.addEventListener('change', () => update(input.value.trim() === '' ? undefined : parseField(input.value)))
    box.append(h('label', { for: id }, name, h('br'), input))
  }
  return box
}

const button = (label: string, aria: string, key: string, onClick: () => void, disabled = false): HTMLButtonElement => {
  const b = h('button', { type: 'button', 'aria-label': aria, title: aria, 'data-key': key, disabled }, label)
  b.addEventListener('click', onClick)
  return b
}

/**
 * The editor of one spec. `set` receives the new spec text; `key` names the
 * entry (for focus and labels).
 */
export const specEditor = (text: string, key: string, entryName: string, set: (text: string) => void): HTMLElement => {
  const form = formOf(text)
  if (form.kind === 'text') return h('div', { class: 'form' })
  if (form.kind === 'alias') {
    const select = h('select', { 'aria-label': `${entryName}: optimizer`, 'data-key': `${key}-alias` })
    for (const name of Object.keys(aliasParameters)) select.append(h('option', { value: name, selected: name === form.name }, name))
    select.addEventListener('change', () => {
      const keep = Object.fromEntries(Object.entries(form.options).filter(([k]) => Object.hasOwn(aliasParameters[select.value], k)))
      const needsLr = aliasParameters[select.value].lr === undefined && keep.lr === undefined
      set(textOf({ kind: 'alias', name: select.value, options: needsLr ? { ...keep, lr: 0.01 } : keep, bare: false }))
    })
    return h(
      'div',
      { class: 'form' },
      select,
      parameterFields(aliasParameters[form.name], form.options, key, `${entryName} ${form.name}`, (options) => set(textOf({ ...form, options, bare: false })))
    )
  }
  const stages = form.stages
  const write = (next: readonly (readonly [string, Options])[]): void => set(textOf({ kind: 'pipeline', stages: next }))
  const list = h('ol', { class: 'stages', 'aria-label': `${entryName}: stages, outermost first` })
  stages.forEach(([name, options], i) => {
    const where = `${entryName} stage ${i + 1} ${name}`
    const swap = (j: number): void => {
      const next = [...stages]
      ;[next[i], next[j]] = [next[j], next[i]]
      write(next)
    }
    list.append(
      h(
        'li',
        { class: 'stage' },
        h(
          'div',
          { class: 'stage-head' },
          h('strong', {}, `${i + 1}. ${name}`),
          button('↑', `move ${where} up`, `${key}-s${i}-up`, () => swap(i - 1), i === 0),
          button('↓', `move ${where} down`, `${key}-s${i}-down`, () => swap(i + 1), i === stages.length - 1),
          button('✕', `remove ${where}`, `${key}-s${i}-remove`, () => write(stages.filter((_, j) => j !== i)), stages.length === 1)
        ),
        parameterFields(stageParameters[name], options, `${key}-s${i}`, where, (o) => write(stages.map((s, j) => (j === i ? ([name, o] as const) : s))))
      )
    )
  })
  const choose = h('select', { 'aria-label': `${entryName}: stage to add`, 'data-key': `${key}-add-stage` })
  for (const name of Object.keys(newStage)) choose.append(h('option', { value: name }, name))
  const add = button('add stage', `${entryName}: add the chosen stage before sgd`, `${key}-add`, () => {
    const at = stages.length > 0 && stages[stages.length - 1][0] === 'sgd' ? stages.length - 1 : stages.length
    write([...stages.slice(0, at), [choose.value, newStage[choose.value]] as const, ...stages.slice(at)])
  })
  return h('div', { class: 'form' }, list, h('div', { class: 'add-stage' }, choose, add))
}
