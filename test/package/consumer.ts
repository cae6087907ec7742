// Type-checked in a fresh project (strict, moduleResolution node16 and bundler)
// against the installed package's .d.ts files.
import { type Sym, type Tensor, type TensorTree, adam, grad, tensor } from 'descent-autodiff'
import { approxEq } from 'descent-autodiff/laws'

const g: Tensor = grad((x: Sym) => x.square().sum())(tensor([1, 2]))
const data: Float64Array = g.data
const opt = adam({ lr: 1e-3 })
const [, update]: readonly [unknown, TensorTree] = opt.step(opt.init(g), g, g)
const eq: boolean = approxEq({ rtol: 1e-9, atol: 0 }).numbers(1, 1)

// fails to compile (an unused @ts-expect-error) if the package's types were `any`
// @ts-expect-error: a Tensor's data is a Float64Array, not a string
const notAString: string = g.data

export { data, eq, notAString, update }
