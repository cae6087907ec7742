// Where generated JavaScript is refused (a page whose Content-Security-Policy
// lacks 'unsafe-eval'), graphs are interpreted with the same bits, and an
// optimizer's per-element loop fails with a message that says why.
import { afterEach, describe, expect, it, vi } from 'vitest'

const refuse = (): void => {
  vi.stubGlobal('Function', function refused(): never {
    throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed")
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  vi.resetModules()
})

describe('compileGraph where code generation is refused', () => {
  it('interprets, with the numbers of the compiled code', async () => {
    vi.resetModules()
    const G = await import('../../src/graph/index.js')
    const { tensor } = await import('../../src/tensor/Tensor.js')
    const f = (x: import('../../src/graph/index.js').Sym) => x.mul(x).sum().add(x.tanh().sum())
    const x = tensor([0.5, -1.25, 2])
    const compiled = Array.from(G.grad(f)(x).data)
    vi.resetModules()
    const fresh = await import('../../src/graph/index.js')
    const freshTensor = (await import('../../src/tensor/Tensor.js')).tensor
    refuse()
    const interpreted = Array.from(fresh.grad(f)(freshTensor([0.5, -1.25, 2])).data)
    expect(interpreted).toEqual(compiled)
    // …and it really was the interpreter: a compiled graph carries its source, an interpreted one none
    const { compileGraph, sourceOf } = await import('../../src/eval/compile.js')
    expect(sourceOf(compileGraph(fresh.trace(f, freshTensor([1, 2, 3])).graph))).toBeUndefined()
    // the closed form: 2x + 1 − tanh²x
    expect(interpreted[1]).toBeCloseTo(2 * -1.25 + 1 - Math.tanh(-1.25) ** 2, 14)
  })

  it("an optimizer's per-element loop names the policy it needs", async () => {
    vi.resetModules()
    const { adam } = await import('../../src/optim/aliases.js')
    const { tensor } = await import('../../src/tensor/Tensor.js')
    refuse()
    const opt = adam({ lr: 0.1 })
    const p = tensor([1, 2])
    expect(() => opt.step(opt.init(p), tensor([0.5, -0.5]), p)).toThrow(/unsafe-eval/)
  })
})
