// Run by plain `node` in a fresh project with the packed tarball installed: the
// core and the laws entry load under Node's own ESM resolver, with no loader.
import assert from 'node:assert/strict'
import { grad, tensor } from 'descent-autodiff'
import { approxEq, checkGradientLaws } from 'descent-autodiff/laws'
import { writeCheckpointFile } from 'descent-autodiff/node'

// f(x) = Σ x·sin x, so ∂f/∂xᵢ = sin xᵢ + xᵢ cos xᵢ
const xs = [0.5, -1.25, 2]
const g = grad((x) => x.mul(x.sin()).sum())(tensor(xs)).toArray()
xs.forEach((x, i) => assert.ok(Math.abs(g[i] - (Math.sin(x) + x * Math.cos(x))) <= 1e-14, `∂f/∂x${i}: got ${g[i]}`))
checkGradientLaws((w) => w.square().sum(), { shape: [3], differenceApprox: approxEq({ rtol: 1e-6, atol: 1e-7 }), fc: { numRuns: 20, seed: 1 } })
assert.equal(typeof writeCheckpointFile, 'function')
console.log('plain node: gradient matches sin x + x cos x; the laws entry runs')
