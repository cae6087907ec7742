import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { denseOperator, diagonalOperator } from '../../src/curvature/operator.js'
import { tensor, zeros } from '../../src/tensor/Tensor.js'

describe('denseOperator', () => {
  it('multiplies by the matrix: [[1, 2], [2, 5]]·(1, −1) = (−1, −3)', () => {
    const op = denseOperator(tensor([[1, 2], [2, 5]]))
    expect(E.isRight(op) && Array.from(op.right(Float64Array.of(1, -1)))).toEqual([-1, -3])
  })

  it('rejects a non-square tensor, naming its shape', () => {
    const op = denseOperator(zeros([2, 3]))
    expect(E.isLeft(op) && op.left.message).toMatch(/denseOperator: expected a square matrix of shape \[n,n\], got shape \[2,3\]/)
  })
})

describe('diagonalOperator', () => {
  it('scales each coordinate and does not share its input array', () => {
    const d = [2, -3, 0.5]
    const op = diagonalOperator(d)
    d[0] = 100
    const v = Float64Array.of(1, 1, 4)
    expect(Array.from(op(v))).toEqual([2, -3, 2])
    expect(Array.from(v)).toEqual([1, 1, 4])
  })
})
