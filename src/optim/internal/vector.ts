/**
 * Trees of tensors as flat vectors, for the optimizers that work on the whole
 * parameter vector (L-BFGS, line searches, Newton): the curvature tools'
 * helpers under the names these optimizers read best with.
 */
export { dot, joinLeaves as toVector, splitLike as fromVector } from '../../curvature/vector.js'
