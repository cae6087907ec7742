import { describe, expect, it } from 'vitest'
import { lawExpectations } from './expect.js'
import {
  type EigenSolver,
  checkEigenLaws,
  curvatureLaws,
  eigenLaws,
  kindFromEigenvalues,
  programCurvatureLaws
} from '../../laws/curvature.js'
import { type Differentiable, type ProgramDifferentiator, libraryProgramDifferentiator } from '../../laws/gradient.js'
import { unsafeAnalyzePoint } from '../../src/curvature/analyze.js'
import { unsafeSymmetricEigen } from '../../src/curvature/eigen.js'
import { unsafeLanczos } from '../../src/curvature/lanczos.js'
import { unsafePowerIteration } from '../../src/curvature/power.js'
import { type PartialEigenSolver, type SpectrumEnd, checkPartialEigenLaws, partialEigenLaws } from '../../laws/curvature.js'
import { type Tensor, fromArray } from '../../src/tensor/Tensor.js'

const params = { numRuns: 50, seed: 777 }

const { expectAllHold, expectFails } = lawExpectations(params)

const solver: EigenSolver = (h) => unsafeSymmetricEigen(h)
const classify = (h: Tensor): string => unsafeAnalyzePoint({ value: 0, gradient: new Array<number>(h.shape[0]).fill(0), hessian: h }).kind

/** Adds 0.01·v₀ to the last component of H·v: no longer self-adjoint (for n ≥ 2), nor H·v. */
const skewHvp =
  (inner: ProgramDifferentiator): ProgramDifferentiator =>
  (p) => {
    const d = inner(p) as Required<Differentiable>
    return {
      ...d,
      hvp: (x, v) => {
        const out = Array.from(d.hvp(x, v).data)
        out[out.length - 1] += 0.01 * v.data[0]
        return fromArray(x.shape, out)
      }
    }
  }

/** Adds 0.01 to H[0, n−1] only. */
const skewHessian =
  (inner: ProgramDifferentiator): ProgramDifferentiator =>
  (p) => {
    const d = inner(p) as Required<Differentiable>
    return {
      ...d,
      hessian: (x) => {
        const h = d.hessian(x)
        const out = Array.from(h.data)
        if (x.size > 1) out[x.size - 1] += 0.01
        return fromArray(h.shape, out)
      }
    }
  }

describe('Hessian-vector product laws', () => {
  it("hold for the library's hvp and hessian on random programs", () => {
    expectAllHold(programCurvatureLaws(libraryProgramDifferentiator()))
  })

  it('hold for a user function', () => {
    expectAllHold(curvatureLaws((x) => x.sin().mul(x).sum().add(x.square().sum().add(1).log()), { shape: [4] }))
  })

  it('reject an HVP that is not self-adjoint', () => {
    const broken = programCurvatureLaws(skewHvp(libraryProgramDifferentiator()), { programs: { minDim: 2 } })
    expect(expectFails(broken, '⟨u, Hv⟩')).toMatch(/⟨u, Hv⟩ vs ⟨v, Hu⟩/)
    expectFails(broken, 'central differences of the gradient')
    expectFails(broken, 'hessian(x)·v')
  })

  it('reject an asymmetric Hessian', () => {
    expectFails(programCurvatureLaws(skewHessian(libraryProgramDifferentiator()), { programs: { minDim: 2 } }), 'symmetric')
  })
})

describe('eigen laws', () => {
  it('hold for symmetricEigen, and analyzePoint classifies by eigenvalue signs', () => {
    expectAllHold(eigenLaws(solver, { classify }))
  })

  it('reject unsorted eigenvalues', () => {
    const reversed: EigenSolver = (h) => {
      const e = solver(h)
      return { values: Array.from(e.values).reverse(), vectors: e.vectors.slice().reverse() }
    }
    expect(expectFails(eigenLaws(reversed), 'ascending')).toMatch(/not ascending/)
  })

  it('reject non-orthogonal eigenvectors', () => {
    const leaning: EigenSolver = (h) => {
      const e = solver(h)
      return { values: e.values, vectors: e.vectors.map((v, i) => (i === 0 || e.vectors.length < 2 ? v : Array.from(v, (x, k) => x + 0.1 * e.vectors[0][k]))) }
    }
    expectFails(eigenLaws(leaning), 'orthonormal')
    expectFails(eigenLaws(leaning), 'VΛVᵀ')
  })

  it('reject eigenvalues off by a small shift (trace and spectrum laws)', () => {
    const shifted: EigenSolver = (h) => {
      const e = solver(h)
      return { values: Array.from(e.values, (x) => x + 1e-6), vectors: e.vectors }
    }
    expectFails(eigenLaws(shifted), 'trace')
    expectFails(eigenLaws(shifted), 'spectrum')
  })

  it('reject a classifier that ignores zero eigenvalues', () => {
    const naive = (h: Tensor): string => {
      const values = Array.from(solver(h).values)
      return values.every((x) => x >= 0) ? 'minimum' : values.every((x) => x <= 0) ? 'maximum' : 'saddle'
    }
    expect(expectFails(eigenLaws(solver, { classify: naive }), 'classification')).toMatch(/say degenerate/)
  })

  it('the eigenvalue-sign rule on hand-picked spectra', () => {
    expect(kindFromEigenvalues([1, 2], 1e-9)).toBe('minimum')
    expect(kindFromEigenvalues([-1, -2], 1e-9)).toBe('maximum')
    expect(kindFromEigenvalues([-1, 0, 2], 1e-9)).toBe('saddle')
    expect(kindFromEigenvalues([0, 2], 1e-9)).toBe('degenerate')
  })

  it('the runner throws with the law and seed', () => {
    const reversed: EigenSolver = (h) => {
      const e = solver(h)
      return { values: Array.from(e.values).reverse(), vectors: e.vectors.slice().reverse() }
    }
    expect(() => checkEigenLaws(reversed, { fc: params })).toThrow(/law "eigen › [^"]*" does not hold[\s\S]*seed: 777/)
  })
})

describe('partial eigen laws (top-k solvers)', () => {
  const operator = (h: Tensor) => {
    const n = h.shape[0]
    return (v: Float64Array) => Float64Array.from({ length: n }, (_, i) => v.reduce((s, x, j) => s + h.data[i * n + j] * x, 0))
  }
  const lanczosOf =
    (which: SpectrumEnd): PartialEigenSolver =>
    (h, k) =>
      unsafeLanczos(operator(h), h.shape[0], { k, which })
  const powerOf = (maxIterations: number): PartialEigenSolver => (h, k) => {
    const pairs = unsafePowerIteration(operator(h), h.shape[0], { k, maxIterations, tol: 1e-12 })
    return { values: pairs.map((p) => p.value), vectors: pairs.map((p) => p.vector) }
  }
  // Power iteration needs a gap in |λ|: positive spectra, eigenvalues at least 0.2 apart.
  const positive = { spectrum: { signs: 'positive' as const, minGap: 0.2 } }

  it.each(['largest', 'smallest', 'magnitude'] as const)('hold for lanczos (which = %s), sign convention included', (which) => {
    expectAllHold(partialEigenLaws(lanczosOf(which), { which, signConvention: true }))
  })

  it('hold for power iteration with deflation (largest |λ|)', () => {
    expectAllHold(partialEigenLaws(powerOf(20000), { which: 'magnitude', signConvention: true, ...positive }))
  })

  it('reject power iteration without deflation (the same top vector k times)', () => {
    const undeflated: PartialEigenSolver = (h, k) => {
      const top = powerOf(20000)(h, 1)
      return { values: Array.from({ length: k }, () => top.values[0]), vectors: Array.from({ length: k }, () => top.vectors[0]) }
    }
    expect(expectFails(partialEigenLaws(undeflated, { which: 'magnitude', ...positive }), 'orthonormal')).toMatch(/⟨v0, v1⟩ = 1/)
  })

  it('reject a solver that returns the wrong end of the spectrum', () => {
    expect(expectFails(partialEigenLaws(lanczosOf('smallest'), { which: 'largest' }), 'largest eigenvalues')).toMatch(/largest eigenvalues of/)
  })

  it('reject pairs from too few iterations (large residuals)', () => {
    expect(expectFails(partialEigenLaws(powerOf(3), { which: 'magnitude', ...positive }), 'small for every pair')).toMatch(/‖Av − λv‖ = /)
  })

  it('reject vectors that are not normalised, and values in the wrong order', () => {
    const unnormalised: PartialEigenSolver = (h, k) => {
      const e = lanczosOf('largest')(h, k)
      return { values: e.values, vectors: e.vectors.map((v) => Array.from(v, (x) => 2 * x)) }
    }
    expectFails(partialEigenLaws(unnormalised), 'orthonormal')
    const reversed: PartialEigenSolver = (h, k) => {
      const e = lanczosOf('largest')(h, k)
      return { values: Array.from(e.values).reverse(), vectors: e.vectors.slice().reverse() }
    }
    expect(expectFails(partialEigenLaws(reversed), 'most wanted first')).toMatch(/not most wanted first/)
  })

  it('the sign convention: rejects flipped vectors, though every other law still holds', () => {
    const flipped: PartialEigenSolver = (h, k) => {
      const e = lanczosOf('largest')(h, k)
      return { values: e.values, vectors: e.vectors.map((v) => Array.from(v, (x) => -x)) }
    }
    const laws = partialEigenLaws(flipped, { signConvention: true })
    expect(expectFails(laws, 'sign convention')).toMatch(/first component of largest magnitude is -/)
    expectAllHold(laws.filter((l) => !l.name.includes('sign convention')))
    const flippedFull: EigenSolver = (h) => {
      const e = solver(h)
      return { values: e.values, vectors: e.vectors.map((v) => Array.from(v, (x) => -x)) }
    }
    expectFails(eigenLaws(flippedFull, { signConvention: true }), 'sign convention')
    expectAllHold(eigenLaws(solver, { signConvention: true }))
  })

  it('the runner throws with the law and seed', () => {
    expect(() => checkPartialEigenLaws(lanczosOf('smallest'), { fc: params })).toThrow(/law "eigen › [^"]*" does not hold[\s\S]*seed: 777/)
  })
})
