/**
 * A digest of the part of an audio file that is the sound, leaving out the tags: after a tag write
 * it must not have changed. Each container keeps its audio in its own place: MP3 after the ID3v2
 * tag (and before an ID3v1 or APE tag), FLAC after the metadata blocks, Ogg in the bodies of the
 * pages past the headers (their numbering may shift when the comment grows), MP4 in `mdat`, WAV and
 * AIFF in their sound chunk.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';

export class PayloadError extends Error {}

type Reader = (at: number, length: number) => Promise<Buffer>;

/** sha256 of the audio data, or null for a container this does not know (the writer then refuses). */
export async function audioPayloadDigest(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const read: Reader = async (at, length) => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
      if (buffer.length > 0) await handle.read(buffer, 0, buffer.length, at);
      return buffer;
    };
    const ranges = await audioRanges(extname(path).toLowerCase(), read, size);
    if (ranges === null) return null;
    const hash = createHash('sha256');
    for (const [start, end] of ranges) {
      for (let at = start; at < end; at += 1 << 20) hash.update(await read(at, Math.min(1 << 20, end - at)));
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

async function audioRanges(ext: string, read: Reader, size: number): Promise<[number, number][] | null> {
  switch (ext) {
    case '.mp3':
    case '.aac':
      return [await mp3Range(read, size)];
    case '.flac':
      return [await flacRange(read, size)];
    case '.ogg':
    case '.oga':
    case '.opus':
      return oggAudioPages(read, size);
    case '.m4a':
    case '.mp4':
      return boxRanges(read, 0, size, 'mdat');
    case '.wav':
      return riffRanges(read, size, 'data', true);
    case '.aif':
    case '.aiff':
      return riffRanges(read, size, 'SSND', false);
    default:
      return null;
  }
}

function synchsafe(b: Buffer, at: number): number {
  return ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);
}

async function mp3Range(read: Reader, size: number): Promise<[number, number]> {
  let start = 0;
  // Taggers may leave more than one ID3v2 tag at the front.
  for (;;) {
    const head = await read(start, 10);
    if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3') break;
    start += 10 + synchsafe(head, 6) + (head[5]! & 0x10 ? 10 : 0);
  }
  let end = size;
  if ((await read(end - 128, 3)).toString('latin1') === 'TAG') end -= 128;
  const ape = await read(end - 32, 32);
  if (ape.toString('latin1', 0, 8) === 'APETAGEX') end -= ape.readUInt32LE(12) + (ape.readUInt32LE(20) & 0x80000000 ? 32 : 0);
  if (start >= end) throw new PayloadError('no audio after the tags');
  return [start, end];
}

async function flacRange(read: Reader, size: number): Promise<[number, number]> {
  if ((await read(0, 4)).toString('latin1') !== 'fLaC') throw new PayloadError('not a FLAC stream');
  let at = 4;
  for (;;) {
    const header = await read(at, 4);
    if (header.length < 4) throw new PayloadError('the metadata blocks run past the end');
    at += 4 + header.readUIntBE(1, 3);
    if (header[0]! & 0x80) return [at, size];
  }
}

/** The bodies of the Ogg pages that carry audio (granule position past 0), in order. */
async function oggAudioPages(read: Reader, size: number): Promise<[number, number][]> {
  const out: [number, number][] = [];
  let at = 0;
  while (at < size) {
    const header = await read(at, 27);
    if (header.length < 27 || header.toString('latin1', 0, 4) !== 'OggS') throw new PayloadError(`no Ogg page at byte ${at}`);
    const segments = header[26]!;
    const table = await read(at + 27, segments);
    const body = table.reduce((a, b) => a + b, 0);
    const start = at + 27 + segments;
    if (header.readBigInt64LE(6) > 0n) out.push([start, start + body]);
    at = start + body;
  }
  return out;
}

/** The contents of every top-level box of this type (MP4 keeps the samples in mdat). */
async function boxRanges(read: Reader, from: number, to: number, type: string): Promise<[number, number][]> {
  const out: [number, number][] = [];
  let at = from;
  while (at + 8 <= to) {
    const header = await read(at, 16);
    let length = header.readUInt32BE(0);
    let headerSize = 8;
    if (length === 1) {
      length = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (length === 0) length = to - at;
    if (length < headerSize) throw new PayloadError(`a broken box at byte ${at}`);
    if (header.toString('latin1', 4, 8) === type) out.push([at + headerSize, at + length]);
    at += length;
  }
  if (out.length === 0) throw new PayloadError(`no ${type} box`);
  return out;
}

/** RIFF (little-endian, WAV) or IFF (big-endian, AIFF) chunks of this id. */
async function riffRanges(read: Reader, size: number, id: string, littleEndian: boolean): Promise<[number, number][]> {
  const out: [number, number][] = [];
  let at = 12;
  while (at + 8 <= size) {
    const header = await read(at, 8);
    const length = littleEndian ? header.readUInt32LE(4) : header.readUInt32BE(4);
    if (header.toString('latin1', 0, 4) === id) out.push([at + 8, Math.min(size, at + 8 + length)]);
    at += 8 + length + (length & 1);
  }
  if (out.length === 0) throw new PayloadError(`no ${id} chunk`);
  return out;
}
