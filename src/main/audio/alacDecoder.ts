/**
 * Apple Lossless (ALAC) frames, decoded here in TypeScript after the algorithm Apple published
 * with its reference decoder (Apache-2.0): an adaptive Golomb-Rice entropy coder, an adaptive FIR
 * predictor per channel, and a weighted stereo decorrelation.
 */
import { BadAudio } from './analysisAudio.js';
import { BitReader } from './bitReader.js';

export interface AlacConfig {
  frameLength: number;
  bitDepth: number;
  /** The entropy coder's tuning: history multiplier, initial history, Rice parameter limit. */
  pb: number;
  mb: number;
  kb: number;
  channels: number;
  sampleRate: number;
}

/** The 24-byte ALACSpecificConfig, found in MP4 inside the 'alac' box (after its version and flags). */
export function parseAlacConfig(box: Uint8Array): AlacConfig {
  // The box's body may or may not start with the four bytes of version and flags.
  const bytes = Buffer.from(box.buffer, box.byteOffset, box.byteLength);
  const at = bytes.length >= 28 ? 4 : 0;
  if (bytes.length < at + 24) throw new BadAudio('its ALAC configuration is cut short');
  const config = {
    frameLength: bytes.readUInt32BE(at),
    bitDepth: bytes[at + 5]!,
    pb: bytes[at + 6]!,
    mb: bytes[at + 7]!,
    kb: bytes[at + 8]!,
    channels: bytes[at + 9]!,
    sampleRate: bytes.readUInt32BE(at + 20),
  };
  if (config.frameLength === 0 || config.frameLength > 1 << 20) throw new BadAudio('its ALAC frame length is out of range');
  if (![16, 20, 24, 32].includes(config.bitDepth)) throw new BadAudio(`its ALAC bit depth (${config.bitDepth}) is not 16, 20, 24 or 32`);
  if (config.channels < 1 || config.channels > 8) throw new BadAudio(`its ALAC channel count (${config.channels}) is out of range`);
  return config;
}

const ID_SCE = 0;
const ID_CPE = 1;
const ID_LFE = 3;
const ID_END = 7;

function signExtend(value: number, bits: number): number {
  if (bits >= 32) return value | 0;
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

/** The next scalar of the adaptive Golomb code, with Rice parameter k. */
function decodeScalar(r: BitReader, k: number, bps: number): number {
  const w = r.peek32();
  const ones = Math.clz32(~w);
  if (ones > 8) {
    // The escape: nine 1 bits, then the value in plain bits.
    r.skip(9);
    return r.bits(bps);
  }
  if (k === 1) {
    r.skip(ones + 1);
    return ones;
  }
  if (ones + 1 + k > 25) {
    r.skip(ones + 1);
    return slowTail(r, ones, k);
  }
  const extra = ((w << (ones + 1)) >>> 0) >>> (32 - k);
  const x = ones * 2 ** k - ones;
  if (extra > 1) {
    r.skip(ones + 1 + k);
    return x + extra - 1;
  }
  r.skip(ones + k);
  return x;
}

function slowTail(r: BitReader, ones: number, k: number): number {
  const extra = r.peek(k);
  const x = ones * 2 ** k - ones;
  if (extra > 1) {
    r.skip(k);
    return x + extra - 1;
  }
  r.skip(k - 1);
  return x;
}

function log2(x: number): number {
  return 31 - Math.clz32(x | 1);
}

function riceDecompress(r: BitReader, out: Int32Array, count: number, bps: number, historyMult: number, config: AlacConfig): void {
  let history = config.mb;
  let signModifier = 0;
  for (let i = 0; i < count; i++) {
    const k = Math.min(log2((history >>> 9) + 3), config.kb);
    let x = decodeScalar(r, k, bps) + signModifier;
    signModifier = 0;
    x = x >>> 0;
    out[i] = (x >>> 1) ^ -(x & 1);
    if (x > 0xffff) history = 0xffff;
    else history = (history + x * historyMult - ((history * historyMult) >>> 9)) >>> 0;
    // A run of zeros is coded as its length.
    if (history < 128 && i + 1 < count) {
      const kz = Math.min(7 - log2(history) + ((history + 16) >>> 6), config.kb);
      const block = decodeScalar(r, kz, 16);
      if (block > 0) {
        if (block >= count - i) throw new BadAudio('an ALAC frame is damaged (a run of zeros past its end)');
        out.fill(0, i + 1, i + 1 + block);
        i += block;
      }
      if (block <= 0xffff) signModifier = 1;
      history = 0;
    }
  }
}

function lpcPredict(error: Int32Array, out: Int32Array, count: number, bps: number, coefs: Int32Array, order: number, quant: number): void {
  out[0] = error[0]!;
  if (count <= 1) return;
  if (order === 0) {
    out.set(error.subarray(1, count), 1);
    return;
  }
  if (order === 31) {
    for (let i = 1; i < count; i++) out[i] = signExtend(out[i - 1]! + error[i]!, bps);
    return;
  }
  let i = 1;
  for (; i <= order && i < count; i++) out[i] = signExtend(out[i - 1]! + error[i]!, bps);
  const shift = 32 - bps;
  const mask = 2 ** quant - 1;
  const round = quant > 0 ? 1 << (quant - 1) : 0;
  for (; i < count; i++) {
    const base = i - order; // coefs[j] weighs out[base + j] against d = out[base - 1]
    const d = out[base - 1]!;
    let sum = 0;
    for (let j = 0; j < order; j++) sum = (sum + Math.imul(out[base + j]! - d, coefs[j]!)) | 0;
    // (sum + round) >> quant, without overflowing 32 bits.
    const predicted = (sum >> quant) + (((sum & mask) + round) >> quant);
    let e = error[i]!;
    out[i] = ((predicted + d + e) << shift) >> shift;
    // Adapt the coefficients towards the sign of the error.
    if (e > 0) {
      for (let j = 0; j < order && e > 0; j++) {
        const v = (d - out[base + j]!) | 0;
        if (v > 0) {
          coefs[j] = coefs[j]! - 1;
          e = (e - (v >> quant) * (j + 1)) | 0;
        } else if (v < 0) {
          coefs[j] = coefs[j]! + 1;
          e = (e - (-v >> quant) * (j + 1)) | 0;
        }
      }
    } else if (e < 0) {
      for (let j = 0; j < order && e < 0; j++) {
        const v = (d - out[base + j]!) | 0;
        if (v > 0) {
          coefs[j] = coefs[j]! + 1;
          e = (e - (-v >> quant) * (j + 1)) | 0;
        } else if (v < 0) {
          coefs[j] = coefs[j]! - 1;
          e = (e - (v >> quant) * (j + 1)) | 0;
        }
      }
    }
  }
}

/**
 * Decodes one ALAC frame (one MP4 sample) into `out`, one Int32Array per channel, and returns its
 * number of frames. Sample values are integers of `config.bitDepth` bits.
 */
export class AlacDecoder {
  private readonly error: Int32Array[];
  private readonly extra: Int32Array[];
  readonly out: Int32Array[];

  constructor(readonly config: AlacConfig) {
    const n = config.frameLength;
    this.error = [new Int32Array(n), new Int32Array(n)];
    this.extra = [new Int32Array(n), new Int32Array(n)];
    this.out = Array.from({ length: config.channels }, () => new Int32Array(n));
  }

  decode(frame: Uint8Array): number {
    const r = new BitReader(frame);
    let channel = 0;
    let frames = 0;
    for (;;) {
      const element = r.bits(3);
      if (element === ID_END) break;
      if (element !== ID_SCE && element !== ID_CPE && element !== ID_LFE) {
        throw new BadAudio(`an ALAC frame is damaged (element ${element})`);
      }
      const pair = element === ID_CPE ? 2 : 1;
      if (channel + pair > this.config.channels) throw new BadAudio('an ALAC frame has more channels than its configuration');
      frames = this.decodeElement(r, channel, pair);
      channel += pair;
    }
    return frames;
  }

  private decodeElement(r: BitReader, first: number, channels: number): number {
    const { config } = this;
    r.skip(4); // element instance tag
    r.skip(12); // unused
    const hasSize = r.bit1();
    const extraBits = r.bits(2) * 8;
    const uncompressed = r.bit1();
    const count = hasSize ? r.bits(32) : config.frameLength;
    if (count > config.frameLength || count === 0) throw new BadAudio('an ALAC frame is damaged (its length)');
    const bps = config.bitDepth - extraBits + channels - 1;
    if (bps > 32 || bps < 1) throw new BadAudio('an ALAC frame is damaged (its sample size)');
    const out = [this.out[first]!, this.out[first + channels - 1]!];
    let shift = 0;
    let weight = 0;
    let extra = 0;
    if (!uncompressed) {
      shift = r.bits(8);
      weight = r.bits(8);
      const params: { type: number; quant: number; mult: number; order: number; coefs: Int32Array }[] = [];
      for (let c = 0; c < channels; c++) {
        const type = r.bits(4);
        const quant = r.bits(4);
        const mult = r.bits(3);
        const order = r.bits(5);
        if (quant === 0 || order >= config.frameLength) throw new BadAudio('an ALAC frame is damaged (its predictor)');
        const coefs = new Int32Array(order);
        // The stream gives the coefficients newest sample first.
        for (let i = order - 1; i >= 0; i--) coefs[i] = r.signed(16);
        params.push({ type, quant, mult, order, coefs });
      }
      if (extraBits) {
        extra = extraBits;
        for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) this.extra[c]![i] = r.bits(extraBits);
      }
      for (let c = 0; c < channels; c++) {
        const p = params[c]!;
        riceDecompress(r, this.error[c]!, count, bps, (p.mult * config.pb) >> 2, config);
        // Type 15 runs a first-order pass before the adaptive filter; the reference encoder never uses it.
        if (p.type === 15) lpcPredict(this.error[c]!, this.error[c]!, count, bps, new Int32Array(0), 31, 0);
        lpcPredict(this.error[c]!, out[c]!, count, bps, p.coefs, p.order, p.quant);
      }
    } else {
      for (let i = 0; i < count; i++) for (let c = 0; c < channels; c++) out[c]![i] = r.signed(config.bitDepth);
    }
    if (channels === 2 && weight !== 0) {
      if (shift > 31) throw new BadAudio('an ALAC frame is damaged (its stereo shift)');
      const [u, v] = out as [Int32Array, Int32Array];
      for (let i = 0; i < count; i++) {
        const right = (u[i]! - (Math.imul(v[i]!, weight) >> shift)) | 0;
        u[i] = (v[i]! + right) | 0;
        v[i] = right;
      }
    }
    if (extra) {
      for (let c = 0; c < channels; c++) {
        const o = out[c]!;
        const e = this.extra[c]!;
        for (let i = 0; i < count; i++) o[i] = (o[i]! << extra) | e[i]!;
      }
    }
    return count;
  }
}
