import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, WireError } from '../../src/shared/wire.js';

describe('wire codec', () => {
  it('round-trips JSON with byte blobs at any depth', () => {
    const rgba = Uint8Array.from([1, 2, 3, 4, 255, 0, 128, 7]);
    const extra = Uint8Array.from([9]);
    const message = { type: 'call', id: 7, method: 'vision.submitFrame', params: { frameId: 3, rgba, nested: [{ extra }] } };
    const decoded = decodeMessage(encodeMessage(message)) as typeof message;
    expect(decoded.params.rgba).toBeInstanceOf(Uint8Array);
    expect(Array.from(decoded.params.rgba)).toEqual(Array.from(rgba));
    expect(Array.from(decoded.params.nested[0]!.extra)).toEqual([9]);
    expect({ ...decoded, params: { ...decoded.params, rgba: null, nested: null } }).toEqual({
      ...message,
      params: { ...message.params, rgba: null, nested: null },
    });
  });

  it('carries blobs as raw bytes, not as text', () => {
    const rgba = new Uint8Array(100_000);
    expect(encodeMessage({ rgba }).byteLength).toBeLessThan(100_000 + 200);
  });

  it.each([
    ['too short', Uint8Array.from([1, 0])],
    ['header longer than message', Uint8Array.from([100, 0, 0, 0, 123])],
    ['header not JSON', Uint8Array.from([2, 0, 0, 0, 0x7b, 0x7b])],
  ])('rejects a message that is %s', (_name, bytes) => {
    expect(() => decodeMessage(bytes)).toThrow(WireError);
  });

  it('rejects blob lengths that do not add up', () => {
    const good = encodeMessage({ a: Uint8Array.from([1, 2, 3]) });
    expect(() => decodeMessage(good.subarray(0, good.byteLength - 1))).toThrow(/blob lengths/);
    const longer = new Uint8Array(good.byteLength + 1);
    longer.set(good);
    expect(() => decodeMessage(longer)).toThrow(/trailing bytes/);
  });

  it('rejects references to blobs that are not there', () => {
    const header = new TextEncoder().encode(JSON.stringify({ body: { a: { $bin: 3 } }, blobs: [] }));
    const bytes = new Uint8Array(4 + header.byteLength);
    new DataView(bytes.buffer).setUint32(0, header.byteLength, true);
    bytes.set(header, 4);
    expect(() => decodeMessage(bytes)).toThrow(/missing blob/);
  });
});
