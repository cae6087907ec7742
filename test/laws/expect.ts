/** Test helpers shared by the laws' own tests: find a law by name, expect it to hold or to fail. */
import { expect } from 'vitest'
import { type Law, runLaw, runLaws } from '../../laws/law.js'

export interface LawExpectations {
  readonly lawNamed: (laws: readonly Law[], fragment: string) => Law
  readonly expectAllHold: (laws: readonly Law[]) => void
  /** Expects the named law to fail; returns its message. */
  readonly expectFails: (laws: readonly Law[], fragment: string) => string
}

/** The helpers, for one set of fast-check parameters (numRuns, seed). */
export const lawExpectations = (params: { readonly numRuns: number; readonly seed: number }): LawExpectations => {
  const lawNamed = (laws: readonly Law[], fragment: string): Law => {
    const found = laws.find((l) => l.name.includes(fragment))
    if (found === undefined) throw new Error(`no law named like "${fragment}" among: ${laws.map((l) => l.name).join('; ')}`)
    return found
  }
  return {
    lawNamed,
    expectAllHold: (laws) => {
      const failed = runLaws(laws, params).filter((o) => !o.holds)
      expect(failed.map((o) => `${o.name}: ${o.message}`)).toEqual([])
    },
    expectFails: (laws, fragment) => {
      const outcome = runLaw(lawNamed(laws, fragment), params)
      expect(outcome.holds).toBe(false)
      return outcome.message ?? ''
    }
  }
}
