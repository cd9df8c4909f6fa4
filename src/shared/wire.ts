/**
 * Binary envelope for the WebSocket bridge: a JSON header plus raw byte blobs, so camera
 * frames cross as bytes instead of base64 text. Layout:
 *   u32 LE header length | header (UTF-8 JSON) | blob 0 | blob 1 | ...
 * In the header each Uint8Array is replaced by {"$bin": index}; "blobs" lists their lengths.
 */

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

interface Header {
  body: unknown;
  blobs: number[];
}

const BIN_KEY = '$bin';
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage(message: unknown): Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      blobs.push(value);
      return { [BIN_KEY]: blobs.length - 1 };
    }
    return value;
  });
  // The body's JSON goes into the header as it is: parsing it back to stringify the header whole
  // cost each camera frame and each result a second pass over the message.
  const header = `{"body":${json ?? 'null'},"blobs":${JSON.stringify(blobs.map((b) => b.byteLength))}}`;
  const headerBytes = ENCODER.encode(header);
  const total = 4 + headerBytes.byteLength + blobs.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 4);
  let offset = 4 + headerBytes.byteLength;
  for (const blob of blobs) {
    out.set(blob, offset);
    offset += blob.byteLength;
  }
  return out;
}

export function decodeMessage(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 4) throw new WireError('message shorter than its length prefix');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > bytes.byteLength) throw new WireError('header length exceeds the message');
  let header: Header;
  try {
    header = JSON.parse(DECODER.decode(bytes.subarray(4, 4 + headerLength))) as Header;
  } catch {
    throw new WireError('header is not valid UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || !Array.isArray(header.blobs)) {
    throw new WireError('header lacks a blobs list');
  }
  const blobs: Uint8Array[] = [];
  let offset = 4 + headerLength;
  for (const length of header.blobs) {
    if (!Number.isInteger(length) || length < 0 || offset + length > bytes.byteLength) {
      throw new WireError('blob lengths do not match the message size');
    }
    // Copy so a decoded frame does not pin the whole socket buffer.
    blobs.push(bytes.slice(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.byteLength) throw new WireError('trailing bytes after the last blob');
  return restoreBlobs(header.body, blobs);
}

function restoreBlobs(value: unknown, blobs: Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((v) => restoreBlobs(v, blobs));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === BIN_KEY) {
    const index = record[BIN_KEY];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= blobs.length) {
      throw new WireError('reference to a missing blob');
    }
    return blobs[index];
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = restoreBlobs(record[key], blobs);
  return out;
}

/** Messages of the bridge protocol, as they are after decoding. */
export type WireMessage =
  | { type: 'call'; id: number; method: string; params: unknown }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { code: string; message: string } }
  | { type: 'event'; event: string; payload: unknown };
