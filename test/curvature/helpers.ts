/**
 * Test helpers for the curvature toolkit: small dense linear algebra written
 * the plain way (kept far simpler than the code under test) and matrices with
 * known spectra.
 */
import { random } from '../../src/tensor/Random.js'

/** A·v for a row-major n×n matrix. */
export const matVec = (a: ArrayLike<number>, n: number, v: ArrayLike<number>): Float64Array => {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < n; j++) s += a[i * n + j] * v[j]
    out[i] = s
  }
  return out
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

export const norm2 = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a))

/** max |aᵢ − bᵢ|. */
export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** ‖A‖_F, an upper bound of the spectral norm. */
export const frobenius = (a: ArrayLike<number>): number => norm2(a)

/** A symmetric matrix from the upper triangle listed row by row. */
export const symmetricFromUpper = (upper: readonly number[], n: number): Float64Array => {
  const a = new Float64Array(n * n)
  let k = 0
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      a[i * n + j] = upper[k]
      a[j * n + i] = upper[k]
      k++
    }
  }
  return a
}

/**
 * Q·diag(spectrum)·Qᵀ with Q a product of three Householder reflections
 * I − 2uuᵀ/uᵀu drawn from `seed`: a dense symmetric matrix whose eigenvalues
 * are exactly `spectrum` (up to rounding in forming it).
 */
export const withSpectrum = (spectrum: readonly number[], seed: number): Float64Array => {
  const n = spectrum.length
  const apply = reflections(n, seed)
  // Column j of Q·D·Qᵀ is Q·D·Qᵀ·eⱼ; Q = R₁R₂R₃ with symmetric Rᵢ, so Qᵀ = R₃R₂R₁.
  const a = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n)
    e[j] = 1
    const column = apply(spectrumTimes(spectrum, apply(e, true)), false)
    for (let i = 0; i < n; i++) a[i * n + j] = column[i]
  }
  // Symmetrise the rounding away.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = (a[i * n + j] + a[j * n + i]) / 2
  return a
}

/**
 * The matrix-free operator v ↦ Q·diag(spectrum)·Qᵀ·v (three reflections, so
 * O(n) per product), with known eigenvalues `spectrum`.
 */
export const operatorWithSpectrum = (spectrum: readonly number[], seed: number): ((v: Float64Array) => Float64Array) => {
  const apply = reflections(spectrum.length, seed)
  return (v) => apply(spectrumTimes(spectrum, apply(v, true)), false)
}

const spectrumTimes = (spectrum: readonly number[], v: Float64Array): Float64Array => Float64Array.from(v, (x, i) => spectrum[i] * x)

/** Apply Q = R₁R₂R₃ (transpose: R₃R₂R₁ in reverse order). */
const reflections = (n: number, seed: number): ((v: ArrayLike<number>, transpose: boolean) => Float64Array) => {
  const rng = random(seed)
  const us = [0, 1, 2].map(() => Float64Array.from(rng.normal([n]).data))
  return (v, transpose) => {
    const out = Float64Array.from(v)
    const order = transpose ? us : [...us].reverse()
    for (const u of order) {
      const c = (2 * dot(u, out)) / dot(u, u)
      for (let i = 0; i < n; i++) out[i] -= c * u[i]
    }
    return out
  }
}
