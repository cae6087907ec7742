/**
 * Laws as values: a name, a group, and a fast-check property built on demand.
 * Runners check a list of laws in order with the caller's fast-check
 * parameters; a failure names the law, the shrunk counterexample and the seed
 * (and path) that replay it.
 */
import fc from 'fast-check'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The outcome of a pure predicate: it holds, or it fails for a reason. */
export type Verdict = { readonly holds: true } | { readonly holds: false; readonly reason: string }

/** A named law: `property()` builds the fast-check property that checks it. */
export interface Law {
  readonly group: string
  readonly name: string
  readonly property: () => fc.IProperty<unknown>
}

/** The fast-check parameters a runner passes on: replay a failure with its `seed` and `path`. */
export interface LawParameters {
  /** Runs per law (fast-check's default is 100). */
  readonly numRuns?: number
  readonly seed?: number
  readonly path?: string
  readonly endOnFailure?: boolean
  readonly verbose?: boolean
}

/** What running one law gave: `message` is fast-check's report, with seed and counterexample. */
export interface LawOutcome {
  readonly group: string
  readonly name: string
  readonly holds: boolean
  readonly message: string | undefined
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The verdict of a law that holds. */
export const holds: Verdict = { holds: true }

/** The verdict of a law that fails, with the reason a report shows. */
export const fails = (reason: string): Verdict => ({ holds: false, reason })

/** A verdict from an explanation: `undefined` holds, a string is the reason it fails. */
export const verdictOf = (explanation: string | undefined, context = ''): Verdict =>
  explanation === undefined ? holds : fails(context === '' ? explanation : `${context}: ${explanation}`)

/** The first failing verdict of a list, or `holds`. */
export const allOf = (verdicts: Iterable<Verdict>): Verdict => {
  for (const v of verdicts) if (!v.holds) return v
  return holds
}

/** A law from its group, name and property. */
export const law = (group: string, name: string, property: Law['property']): Law => ({ group, name, property })

/**
 * Turn a predicate's verdict into a property outcome: a failed verdict throws
 * so that fast-check reports its reason next to the counterexample.
 */
export const expectVerdict = (v: Verdict): true => {
  if (!v.holds) throw new LawViolation(v.reason)
  return true
}

/** The error a failed predicate throws inside a property. */
export class LawViolation extends Error {
  override readonly name = 'LawViolation'
}

// -------------------------------------------------------------------------------------
// runners
// -------------------------------------------------------------------------------------

/** Check one law with fast-check; never throws for a failure, returns it. */
export const runLaw = (l: Law, parameters: LawParameters = {}): LawOutcome => {
  const details = fc.check(l.property(), parameters)
  const failed = details.failed || details.interrupted
  return {
    group: l.group,
    name: l.name,
    holds: !failed,
    message: failed ? reportOf(details) : undefined
  }
}

// fast-check's report (seed, path, shrunk counterexample) followed by the predicate's reason.
const reportOf = (details: fc.RunDetails<unknown>): string => {
  const report = fc.defaultReportMessage(details) ?? 'failed'
  const error = details.errorInstance
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : error === null || error === undefined ? '' : String(error)
  return reason === '' || report.includes(reason) ? report : `${report}\nReason: ${reason}`
}

/** Check every law in order; returns every outcome. */
export const runLaws = (laws: readonly Law[], parameters: LawParameters = {}): readonly LawOutcome[] =>
  laws.map((l) => runLaw(l, parameters))

/** The title a failure report gives a law. */
export const lawTitle = (l: { readonly group: string; readonly name: string }): string => `${l.group} › ${l.name}`

/**
 * Check laws in order and throw at the first that fails (like `fc.assert`),
 * with a message naming the law, fast-check's report (seed, path, shrunk
 * counterexample, the predicate's reason) and how to replay it.
 */
export const assertLaws = (laws: readonly Law[], parameters: LawParameters = {}): void => {
  for (const l of laws) {
    const outcome = runLaw(l, parameters)
    if (!outcome.holds) {
      throw new Error(
        `law "${lawTitle(l)}" does not hold.\n${outcome.message ?? ''}\n` +
          `Replay with the same options and fc parameters { seed, path } printed above.`
      )
    }
  }
}
