/**
 * Bytes for the text formats, in plain JavaScript so the core runs in browsers
 * as well as in Node: base64 (RFC 4648, with padding) and SHA-256 (FIPS 180-4)
 * of a string's UTF-8 bytes. The checksum is the same as `node:crypto`'s, so
 * checkpoints written before this module existed still verify.
 */

// -------------------------------------------------------------------------------------
// base64
// -------------------------------------------------------------------------------------

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const sextetOf = new Int16Array(128).fill(-1)
for (let i = 0; i < alphabet.length; i++) sextetOf[alphabet.charCodeAt(i)] = i

/** The padded base64 text of `bytes`. */
export const toBase64 = (bytes: Uint8Array): string => {
  const parts: string[] = []
  let chunk = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const rest = bytes.length - i
    const n = (bytes[i] << 16) | ((rest > 1 ? bytes[i + 1] : 0) << 8) | (rest > 2 ? bytes[i + 2] : 0)
    chunk +=
      alphabet[(n >>> 18) & 63] + alphabet[(n >>> 12) & 63] + (rest > 1 ? alphabet[(n >>> 6) & 63] : '=') + (rest > 2 ? alphabet[n & 63] : '=')
    // Joining bounded chunks keeps string building linear on large tensors.
    if (chunk.length >= 8192) {
      parts.push(chunk)
      chunk = ''
    }
  }
  parts.push(chunk)
  return parts.join('')
}

/**
 * The bytes of padded base64 text, or a reason it is not base64 (a character
 * outside the alphabet, a length that is not a multiple of 4, misplaced `=`).
 */
export const fromBase64 = (text: string): Uint8Array | string => {
  if (text.length % 4 !== 0) return `its length ${text.length} is not a multiple of 4`
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    let n = 0
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j)
      const inPadding = i + j >= text.length - padding
      const v = inPadding && code === 61 ? 0 : code < 128 ? sextetOf[code] : -1
      if (v < 0) return `character ${JSON.stringify(text[i + j])} at ${i + j} is not base64`
      n = (n << 6) | v
    }
    out[o++] = (n >>> 16) & 255
    if (o < out.length) out[o++] = (n >>> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  return out
}

// -------------------------------------------------------------------------------------
// SHA-256
// -------------------------------------------------------------------------------------

const roundConstants = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** The SHA-256 digest of `bytes`, as 64 lowercase hex digits. */
export const sha256Hex = (bytes: Uint8Array): string => {
  // Pad: the bytes, 0x80, zeros, then the bit length as a 64-bit big-endian integer.
  const blocks = Math.ceil((bytes.length + 9) / 64)
  const message = new Uint8Array(blocks * 64)
  message.set(bytes)
  message[bytes.length] = 0x80
  const view = new DataView(message.buffer)
  const bits = bytes.length * 8
  view.setUint32(message.length - 8, Math.floor(bits / 2 ** 32))
  view.setUint32(message.length - 4, bits >>> 0)

  const hash = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
  const w = new Uint32Array(64)
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(b * 64 + i * 4)
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3)
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0
    }
    let [a, bb, c, d, e, f, g, h] = hash
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + roundConstants[i] + w[i]) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = bb
      bb = a
      a = (t1 + t2) | 0
    }
    hash[0] += a
    hash[1] += bb
    hash[2] += c
    hash[3] += d
    hash[4] += e
    hash[5] += f
    hash[6] += g
    hash[7] += h
  }
  return Array.from(hash, (x) => x.toString(16).padStart(8, '0')).join('')
}

/** The SHA-256 of a string's UTF-8 bytes, as hex. */
export const sha256OfText = (text: string): string => sha256Hex(new TextEncoder().encode(text))
