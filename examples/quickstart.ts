/**
 * The README's quick start: compose an optimizer from its parts, run it on a
 * toy function, and look at the function's curvature. Every number printed
 * can be checked by hand (see the comments).
 */
import { type Sym, type Tensor, analyze, grad, minimize, objectiveOf, sgd, tensor, withMomentum, withRMS } from 'descent-autodiff'

// f(x, y) = x² + 10y²: a bowl ten times steeper across than along
const f = (p: Sym) => p.at(0).square().add(p.at(1).square().mul(10))

console.log('∇f(1, 1) =', grad(f)(tensor([1, 1])).toArray()) // (2x, 20y) = [2, 20]

// RMSProp with heavy-ball momentum, built from its parts
const optimizer = withMomentum(withRMS(sgd(0.01)), { beta: 0.9 })
const run = minimize(objectiveOf(f), tensor([1, 1]), optimizer, { maxSteps: 500, gradTol: 1e-6 })
console.log(`stopped after ${run.steps} steps (${run.reason}) at`, (run.params as Tensor).toArray(), `f = ${run.value.toExponential(2)}`)

// the Hessian is diag(2, 20): eigenvalues 2 and 20, condition number 10, a minimum
const a = analyze(f, [0, 0])
if (a._tag === 'Right') console.log(a.right.kind, a.right.eigenvalues, 'condition number', a.right.conditionNumber)
