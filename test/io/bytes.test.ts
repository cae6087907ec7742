import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64, sha256Hex, sha256OfText, toBase64 } from '../../src/io/bytes.js'

const settings = { seed: 20261201, numRuns: 300 }

describe('sha256Hex', () => {
  it('gives the FIPS 180-4 examples', () => {
    const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)
    expect(sha256Hex(ascii('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256Hex(ascii(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(sha256Hex(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
    )
  })
  it("agrees with node:crypto on any bytes and any text (so older checkpoints still verify)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => sha256Hex(b) === createHash('sha256').update(b).digest('hex')), settings)
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => sha256OfText(s) === createHash('sha256').update(s).digest('hex')), settings)
  })
})

describe('base64', () => {
  it("round-trips and agrees with Node's Buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const text = toBase64(b)
        const back = fromBase64(text)
        return text === Buffer.from(b).toString('base64') && typeof back !== 'string' && Buffer.from(back).equals(Buffer.from(b))
      }),
      settings
    )
  })
  it('names what is wrong with text that is not base64', () => {
    expect(fromBase64('QUJD!A==')).toBe('character "!" at 4 is not base64')
    expect(fromBase64('QUJ')).toBe('its length 3 is not a multiple of 4')
    expect(fromBase64('Q=JD')).toBe('character "=" at 1 is not base64')
    expect(fromBase64('QUJDé===')).toBe('character "é" at 4 is not base64')
  })
})
