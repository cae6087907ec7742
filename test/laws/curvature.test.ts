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
