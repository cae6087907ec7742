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
export type Verdict =
  | {
      /** The law holds. */
      readonly holds: true
    }
  | {
      /** The law fails. */
      readonly holds: false
      /** What broke and where; a runner's report shows it next to the counterexample. */
      readonly reason: string
    }

/** A named law: `property()` builds the fast-check property that checks it. */
export interface Law {
  /** The subject the law belongs to ('purity', 'gradient', 'eigen', …); a report titles the law `group › name`. */
  readonly group: string
  /** What the law states, as a sentence. */
  readonly name: string
  /** Builds the property afresh on each call; runners call it only when they check the law, so listing laws costs nothing. */
  readonly property: () => fc.IProperty<unknown>
}

/** The fast-check parameters a runner passes on: replay a failure with its `seed` and `path`. */
export interface LawParameters {
  /** Runs per law (fast-check's default is 100). */
  readonly numRuns?: number
  /** Seed of the random generator (fast-check's default is `Date.now()`); pin it in CI, or set it from a report to replay a failure. */
  readonly seed?: number
  /** Counterexample path from a report: with the same `seed`, replays the shrunk counterexample directly. */
  readonly path?: string
  /** Stop at the first failure without shrinking (default false); with `seed` and `path`, replays only the minimal counterexample. */
  readonly endOnFailure?: boolean
  /** Also list every failure met while shrinking in the report (default false). */
  readonly verbose?: boolean
}

/** What running one law gave: `message` is fast-check's report, with seed and counterexample. */
export interface LawOutcome {
  /** The law's `group`. */
  readonly group: string
  /** The law's `name`. */
  readonly name: string
  /** True when fast-check found no counterexample; an interrupted run counts as a failure. */
  readonly holds: boolean
  /** fast-check's report (seed, path, shrunk counterexample) followed by the predicate's reason; `undefined` when the law holds. */
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
  /** Always 'LawViolation': a report prints it before the reason, so a failed predicate is told apart from a crash. */
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
