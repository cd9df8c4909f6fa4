/**
 * FLAC, decoded here in TypeScript: the stream is read a chunk at a time, frame after frame, until
 * the analysed minute is in. Every frame's CRC-16 is checked, so a damaged file is said to be
 * damaged rather than analysed as noise; a file that ends before its STREAMINFO says the audio
 * does is said to be truncated.
 */
import { BadAudio, DamageCount, MonoCollector } from './analysisAudio.js';
import { BitReader, Underflow } from './bitReader.js';
import type { ByteSource } from './byteSource.js';
import { afterId3, CHUNK_BYTES } from './byteSource.js';
import type { PcmAudio } from './wav.js';

export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 where the encoder did not know. */
  totalSamples: number;
  minBlockSize: number;
  maxBlockSize: number;
}

/** STREAMINFO's 34 bytes. */
export function parseStreamInfo(body: Uint8Array): FlacStreamInfo {
  if (body.length < 34) throw new BadAudio('its STREAMINFO block is cut short');
  const r = new BitReader(body);
  const minBlockSize = r.bits(16);
  const maxBlockSize = r.bits(16);
  r.skip(48); // min and max frame size
  const sampleRate = r.bits(20);
  const channels = r.bits(3) + 1;
  const bitsPerSample = r.bits(5) + 1;
  const totalSamples = r.bits(4) * 2 ** 32 + r.bits(32);
  if (sampleRate === 0) throw new BadAudio('its STREAMINFO gives no sample rate');
  return { sampleRate, channels, bitsPerSample, totalSamples, minBlockSize, maxBlockSize };
}

const CRC16 = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    table[i] = c;
  }
  return table;
})();

function crc16(data: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ data[i]!]!;
  return crc;
}

const RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const SAMPLE_SIZES = [0, 8, 12, 0, 16, 20, 24, 32];

export interface FlacFrame {
  /** Bytes the frame took, header to CRC. */
  bytes: number;
  sampleRate: number;
  bitsPerSample: number;
  blockSize: number;
  /** The frame's first sample, counted from the start of the stream. */
  firstSample: number;
  /** Integer samples, one array per channel (only the first `blockSize` of each are this frame's). */
  channels: Float64Array[];
}

/**
 * Decodes the frame that starts at `start`; throws Underflow where the frame runs past `end`, and
 * BadAudio where the bytes are not a FLAC frame. `scratch` is reused from frame to frame.
 */
export function decodeFlacFrame(data: Uint8Array, start: number, end: number, info: FlacStreamInfo, scratch: Float64Array[]): FlacFrame {
  const r = new BitReader(data, start, end);
  if (r.bits(14) !== 0x3ffe) throw new BadAudio('a frame does not start where one should (damaged data)');
  r.skip(1); // reserved
  const variableBlocks = r.bit1();
  const blockCode = r.bits(4);
  const rateCode = r.bits(4);
  const channelCode = r.bits(4);
  const sizeCode = r.bits(3);
  r.skip(1);
  // The frame or sample number, UTF-8 style: a lead byte and up to six continuation bytes.
  const lead = r.bits(8);
  const extra = lead < 0x80 ? 0 : Math.clz32(~(lead << 24)) - 1;
  if (lead >= 0x80 && (extra < 1 || lead === 0xff)) throw new BadAudio('a frame header is damaged');
  let number = extra === 0 ? lead : lead & (0x7f >> (extra + 1));
  for (let i = 0; i < extra; i++) number = number * 64 + (r.bits(8) & 0x3f);
  let blockSize: number;
  if (blockCode === 0) throw new BadAudio('a frame header is damaged (reserved block size)');
  else if (blockCode === 1) blockSize = 192;
  else if (blockCode <= 5) blockSize = 576 << (blockCode - 2);
  else if (blockCode === 6) blockSize = r.bits(8) + 1;
  else if (blockCode === 7) blockSize = r.bits(16) + 1;
  else blockSize = 256 << (blockCode - 8);
  let sampleRate: number;
  if (rateCode === 0) sampleRate = info.sampleRate;
  else if (rateCode <= 11) sampleRate = RATES[rateCode]!;
  else if (rateCode === 12) sampleRate = r.bits(8) * 1000;
  else if (rateCode === 13) sampleRate = r.bits(16);
  else if (rateCode === 14) sampleRate = r.bits(16) * 10;
  else throw new BadAudio('a frame header is damaged (invalid sample rate)');
  r.skip(8); // CRC-8 of the header; the CRC-16 below covers it too
  const bitsPerSample = sizeCode === 0 ? info.bitsPerSample : SAMPLE_SIZES[sizeCode]!;
  if (bitsPerSample === 0) throw new BadAudio('a frame header is damaged (reserved sample size)');
  const channelCount = channelCode < 8 ? channelCode + 1 : channelCode <= 10 ? 2 : 0;
  if (channelCount === 0) throw new BadAudio('a frame header is damaged (reserved channel layout)');
  while (scratch.length < channelCount) scratch.push(new Float64Array(0));
  for (let c = 0; c < channelCount; c++) {
    if (scratch[c]!.length < blockSize) scratch[c] = new Float64Array(Math.max(blockSize, info.maxBlockSize));
    // The side channel carries one bit more than the others.
    const sideBit = (channelCode === 8 && c === 1) || (channelCode === 9 && c === 0) || (channelCode === 10 && c === 1) ? 1 : 0;
    decodeSubframe(r, scratch[c]!, blockSize, bitsPerSample + sideBit);
  }
  r.alignToByte();
  const crcAt = r.byte;
  const crc = r.bits(16);
  if (crc16(data, start, crcAt) !== crc) throw new BadAudio('a frame fails its checksum (damaged data)');
  const out = scratch.slice(0, channelCount);
  if (channelCode >= 8) {
    const [a, b] = out as [Float64Array, Float64Array];
    for (let i = 0; i < blockSize; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (channelCode === 8)
        b[i] = x - y; // left, side
      else if (channelCode === 9)
        a[i] = x + y; // side, right
      else {
        // mid, side
        const mid = x * 2 + (y - 2 * Math.floor(y / 2));
        a[i] = (mid + y) / 2;
        b[i] = (mid - y) / 2;
      }
    }
  }
  const firstSample = variableBlocks ? number : number * (info.minBlockSize === info.maxBlockSize ? info.maxBlockSize : blockSize);
  return { bytes: r.byte - start, sampleRate, bitsPerSample, blockSize, firstSample, channels: out };
}

function decodeSubframe(r: BitReader, out: Float64Array, blockSize: number, bps: number): void {
  if (r.bit1() !== 0) throw new BadAudio('a subframe header is damaged');
  const type = r.bits(6);
  let wasted = 0;
  if (r.bit1()) wasted = r.zerosThenOne() + 1;
  const size = bps - wasted;
  if (size < 1 || size > 33) throw new BadAudio('a subframe header is damaged (sample size)');
  if (type === 0) {
    out.fill(r.signed(size), 0, blockSize);
  } else if (type === 1) {
    for (let i = 0; i < blockSize; i++) out[i] = r.signed(size);
  } else if (type >= 8 && type <= 12) {
    const order = type - 8;
    if (order > blockSize) throw new BadAudio('a subframe is damaged (order past the block)');
    for (let i = 0; i < order; i++) out[i] = r.signed(size);
    residual(r, out, blockSize, order);
    restoreFixed(out, blockSize, order);
  } else if (type >= 32) {
    const order = type - 31;
    if (order > blockSize) throw new BadAudio('a subframe is damaged (order past the block)');
    for (let i = 0; i < order; i++) out[i] = r.signed(size);
    const precision = r.bits(4) + 1;
    if (precision === 16) throw new BadAudio('a subframe is damaged (coefficient precision)');
    const shift = r.signed(5);
    if (shift < 0) throw new BadAudio('a subframe is damaged (negative shift)');
    const coefs = new Float64Array(order);
    for (let i = 0; i < order; i++) coefs[i] = r.signed(precision);
    residual(r, out, blockSize, order);
    restoreLpc(out, blockSize, coefs, shift);
  } else {
    throw new BadAudio('a subframe header is damaged (reserved type)');
  }
  if (wasted) {
    const factor = 2 ** wasted;
    for (let i = 0; i < blockSize; i++) out[i] = out[i]! * factor;
  }
}

/** Rice-coded residuals into out[order..blockSize). */
function residual(r: BitReader, out: Float64Array, blockSize: number, order: number): void {
  const method = r.bits(2);
  if (method > 1) throw new BadAudio('a subframe is damaged (reserved residual coding)');
  const paramBits = method === 0 ? 4 : 5;
  const escape = method === 0 ? 15 : 31;
  const partitionOrder = r.bits(4);
  const partitions = 1 << partitionOrder;
  const perPartition = blockSize >> partitionOrder;
  if (perPartition << partitionOrder !== blockSize || perPartition < order) {
    throw new BadAudio('a subframe is damaged (residual partitions)');
  }
  let i = order;
  for (let p = 0; p < partitions; p++) {
    const k = r.bits(paramBits);
    const end = (p + 1) * perPartition;
    if (k === escape) {
      const raw = r.bits(5);
      for (; i < end; i++) out[i] = r.signed(raw);
    } else {
      r.rice(out, i, end, k);
      i = end;
    }
  }
}

/** s[i] += (Σ coefs[j]·s[i-1-j]) >> shift, in doubles: exact for any FLAC (33 + 15 + 5 bits < 53). */
function restoreLpc(s: Float64Array, n: number, coefs: Float64Array, shift: number): void {
  const order = coefs.length;
  const inverse = 2 ** -shift;
  if (order === 8) {
    const [c0, c1, c2, c3, c4, c5, c6, c7] = coefs as unknown as number[];
    for (let i = 8; i < n; i++) {
      const sum =
        c0! * s[i - 1]! +
        c1! * s[i - 2]! +
        c2! * s[i - 3]! +
        c3! * s[i - 4]! +
        c4! * s[i - 5]! +
        c5! * s[i - 6]! +
        c6! * s[i - 7]! +
        c7! * s[i - 8]!;
      s[i] = s[i]! + Math.floor(sum * inverse);
    }
    return;
  }
  for (let i = order; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < order; j++) sum += coefs[j]! * s[i - 1 - j]!;
    s[i] = s[i]! + Math.floor(sum * inverse);
  }
}

function restoreFixed(s: Float64Array, n: number, order: number): void {
  switch (order) {
    case 1:
      for (let i = 1; i < n; i++) s[i] = s[i]! + s[i - 1]!;
      break;
    case 2:
      for (let i = 2; i < n; i++) s[i] = s[i]! + 2 * s[i - 1]! - s[i - 2]!;
      break;
    case 3:
      for (let i = 3; i < n; i++) s[i] = s[i]! + 3 * s[i - 1]! - 3 * s[i - 2]! + s[i - 3]!;
      break;
    case 4:
      for (let i = 4; i < n; i++) s[i] = s[i]! + 4 * s[i - 1]! - 6 * s[i - 2]! + 4 * s[i - 3]! - s[i - 4]!;
      break;
  }
}

/** The next place at or after `from` that starts with a frame's sync code; Underflow if none is in `b`. */
function nextSync(b: Uint8Array, from: number): number {
  for (let i = from; i + 1 < b.length; i++) if (b[i] === 0xff && (b[i + 1]! & 0xfe) === 0xf8) return i;
  throw new Underflow();
}

export async function decodeFlacFile(source: ByteSource): Promise<PcmAudio> {
  let at = await afterId3(source);
  if ((await source.read(at, 4)).toString('latin1') !== 'fLaC') throw new BadAudio('it is not a FLAC stream');
  at += 4;
  let info: FlacStreamInfo | undefined;
  for (;;) {
    const header = await source.read(at, 4);
    if (header.length < 4) throw new BadAudio('its metadata blocks run past the end of the file');
    const length = header.readUIntBE(1, 3);
    if ((header[0]! & 0x7f) === 0) info = parseStreamInfo(await source.read(at + 4, Math.min(length, 34)));
    at += 4 + length;
    if (header[0]! & 0x80) break;
  }
  if (!info) throw new BadAudio('it has no STREAMINFO block');
  return decodeFlacFrames(source, at, info);
}

async function decodeFlacFrames(source: ByteSource, from: number, info: FlacStreamInfo): Promise<PcmAudio> {
  const collector = new MonoCollector(info.sampleRate, 0, info.totalSamples || Infinity);
  const scratch: Float64Array[] = [];
  const planar: Float32Array[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  let offset = 0; // the next frame's start within buffer
  let fileAt = from; // the file position just past buffer
  const damage = new DamageCount('frames');
  let resyncing = false; // looking for the next frame past a damaged one
  while (!collector.full) {
    if (offset >= buffer.length && fileAt >= source.size) break;
    let frame: FlacFrame;
    try {
      if (resyncing) offset = nextSync(buffer, offset);
      frame = decodeFlacFrame(buffer, offset, buffer.length, info, scratch);
    } catch (error) {
      if (error instanceof BadAudio) {
        // A damaged frame: counted once, then skipped up to the next frame that decodes.
        if (!resyncing) damage.failed(error);
        resyncing = true;
        offset++;
        continue;
      }
      if (!(error instanceof Underflow)) throw error;
      if (fileAt >= source.size) {
        if (resyncing) break; // no frame after the damage: the stream ends there
        throw new BadAudio('the file ends in the middle of a frame (a truncated copy?)');
      }
      const more = await source.read(fileAt, Math.max(CHUNK_BYTES, buffer.length - offset));
      fileAt += more.length;
      buffer = Buffer.concat([buffer.subarray(offset), more]);
      offset = 0;
      continue;
    }
    damage.passed();
    if (resyncing) {
      // Past the damage: the frames lost are heard as silence, so what follows keeps its time.
      const lost = Math.min(frame.firstSample - collector.length, 10 * info.sampleRate);
      if (lost > 0) collector.push([new Float32Array(lost)], lost);
      resyncing = false;
    }
    offset += frame.bytes;
    if (frame.sampleRate !== collector.sampleRate) break; // a change of rate midstream: take what came before
    const scale = 2 ** (1 - frame.bitsPerSample);
    for (let c = 0; c < frame.channels.length; c++) {
      if (!planar[c] || planar[c]!.length < frame.blockSize) planar[c] = new Float32Array(Math.max(frame.blockSize, 4096));
      const from64 = frame.channels[c]!;
      const to32 = planar[c]!;
      for (let i = 0; i < frame.blockSize; i++) to32[i] = from64[i]! * scale;
    }
    collector.push(planar.slice(0, frame.channels.length), frame.blockSize);
  }
  damage.check();
  if (!collector.full && info.totalSamples > collector.length) {
    throw new BadAudio(
      `the file ends after ${(collector.length / info.sampleRate).toFixed(1)} s of the ${(info.totalSamples / info.sampleRate).toFixed(1)} s it says it holds (a truncated copy?)`,
    );
  }
  return collector.finish();
}
