/**
 * Uncompressed audio in its two chunked containers: WAV (RIFF, RF64; integer PCM of 8 to 32 bits,
 * 32- and 64-bit float, plain or WAVE_FORMAT_EXTENSIBLE) and AIFF/AIFC (big-endian integers, 'sowt'
 * little-endian, 32/64-bit float). Chunk headers are read one by one and the sound data only as
 * far as the analysed minute goes, so a 2 GB file costs what a minute of it does.
 */
import { BadAudio, MonoCollector } from './analysisAudio.js';
import type { ByteSource } from './byteSource.js';
import type { PcmAudio } from './wav.js';

type Encoding =
  | 'uint8'
  | 'int8'
  | 'int16le'
  | 'int24le'
  | 'int32le'
  | 'int16be'
  | 'int24be'
  | 'int32be'
  | 'float32le'
  | 'float64le'
  | 'float32be'
  | 'float64be';

interface PcmLayout {
  channels: number;
  sampleRate: number;
  encoding: Encoding;
  bytesPerSample: number;
  /** Where the samples start and how many bytes the container says there are (null: to the end). */
  dataStart: number;
  dataBytes: number | null;
}

const READ_BYTES = 1 << 20;

export async function decodePcmFile(source: ByteSource, kind: 'wav' | 'aiff'): Promise<PcmAudio> {
  const layout = kind === 'wav' ? await wavLayout(source) : await aiffLayout(source);
  const { channels, bytesPerSample, encoding, dataStart } = layout;
  const frameBytes = channels * bytesPerSample;
  const available = source.size - dataStart;
  const declared = layout.dataBytes ?? available;
  const collector = new MonoCollector(layout.sampleRate);
  const wantedBytes = Math.min(declared, collector.wanted * frameBytes);
  if (wantedBytes > available) {
    throw new BadAudio(`the file ends ${declared - available} bytes before its sound data does (a truncated copy?)`);
  }
  const readBytes = Math.max(frameBytes, Math.floor(READ_BYTES / frameBytes) * frameBytes);
  const planar = Array.from({ length: channels }, () => new Float32Array(readBytes / frameBytes));
  for (let at = 0; at + frameBytes <= wantedBytes && !collector.full; at += readBytes) {
    const chunk = await source.read(dataStart + at, Math.min(readBytes, wantedBytes - at));
    const frames = Math.floor(chunk.length / frameBytes);
    for (let c = 0; c < channels; c++) readChannel(chunk, encoding, bytesPerSample, frameBytes, c, frames, planar[c]!);
    collector.push(planar, frames);
  }
  return collector.finish();
}

function readChannel(
  chunk: Buffer,
  encoding: Encoding,
  size: number,
  stride: number,
  channel: number,
  frames: number,
  out: Float32Array,
): void {
  let at = channel * size;
  switch (encoding) {
    case 'uint8':
      for (let i = 0; i < frames; i++, at += stride) out[i] = (chunk[at]! - 128) / 128;
      break;
    case 'int8':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readInt8(at) / 128;
      break;
    case 'int16le':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readInt16LE(at) / 32768;
      break;
    case 'int16be':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readInt16BE(at) / 32768;
      break;
    case 'int24le':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readIntLE(at, 3) / 8388608;
      break;
    case 'int24be':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readIntBE(at, 3) / 8388608;
      break;
    case 'int32le':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readInt32LE(at) / 2147483648;
      break;
    case 'int32be':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readInt32BE(at) / 2147483648;
      break;
    case 'float32le':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readFloatLE(at);
      break;
    case 'float32be':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readFloatBE(at);
      break;
    case 'float64le':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readDoubleLE(at);
      break;
    case 'float64be':
      for (let i = 0; i < frames; i++, at += stride) out[i] = chunk.readDoubleBE(at);
      break;
  }
}

function checkLayout(channels: number, bits: number): void {
  if (channels < 1 || channels > 64) throw new BadAudio(`it says it has ${channels} channels`);
  if (bits < 1 || bits > 64) throw new BadAudio(`it says its samples have ${bits} bits`);
}

async function wavLayout(source: ByteSource): Promise<PcmLayout> {
  const riff = await source.read(0, 12);
  const magic = riff.toString('latin1', 0, 4);
  if (riff.length < 12 || (magic !== 'RIFF' && magic !== 'RF64') || riff.toString('latin1', 8, 12) !== 'WAVE') {
    throw new BadAudio('it is not a RIFF/WAVE file');
  }
  let format: { code: number; channels: number; sampleRate: number; bits: number } | undefined;
  let ds64DataBytes: number | undefined;
  for (let at = 12; at + 8 <= source.size;) {
    const header = await source.read(at, 8);
    if (header.length < 8) break;
    const id = header.toString('latin1', 0, 4);
    const size = header.readUInt32LE(4);
    if (id === 'fmt ') {
      const body = await source.read(at + 8, Math.min(size, 40));
      if (body.length < 16) throw new BadAudio('its format chunk is cut short');
      let code = body.readUInt16LE(0);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (code === 0xfffe && body.length >= 26) code = body.readUInt16LE(24);
      format = { code, channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'ds64') {
      const body = await source.read(at + 8, 16);
      if (body.length >= 16) ds64DataBytes = Number(body.readBigUInt64LE(8));
    } else if (id === 'data') {
      if (!format) throw new BadAudio('its sound data comes before its format chunk');
      const { code, channels, sampleRate, bits } = format;
      checkLayout(channels, bits);
      const bytesPerSample = Math.ceil(bits / 8);
      const encodings: Record<string, Encoding> = {
        '1/1': 'uint8',
        '1/2': 'int16le',
        '1/3': 'int24le',
        '1/4': 'int32le',
        '3/4': 'float32le',
        '3/8': 'float64le',
      };
      const encoding = encodings[`${code}/${bytesPerSample}`];
      if (!encoding) throw new BadAudio(`its encoding (WAVE format ${code}, ${bits} bits) is not plain PCM or float`);
      const dataBytes = magic === 'RF64' && size === 0xffffffff ? (ds64DataBytes ?? null) : size === 0 || size === 0xffffffff ? null : size;
      return { channels, sampleRate, encoding, bytesPerSample, dataStart: at + 8, dataBytes };
    }
    at += 8 + size + (size % 2);
  }
  throw new BadAudio(format ? 'it has no sound data (no data chunk)' : 'it has no format chunk');
}

/** The 80-bit IEEE 754 extended float AIFF keeps its sample rate in. */
function extended(b: Buffer, at: number): number {
  const exponent = (b.readUInt16BE(at) & 0x7fff) - 16383;
  const mantissa = b.readUInt32BE(at + 2) * 2 ** 32 + b.readUInt32BE(at + 6);
  const value = mantissa * 2 ** (exponent - 63);
  return b[at]! & 0x80 ? -value : value;
}

async function aiffLayout(source: ByteSource): Promise<PcmLayout> {
  const form = await source.read(0, 12);
  const type = form.toString('latin1', 8, 12);
  if (form.length < 12 || form.toString('latin1', 0, 4) !== 'FORM' || (type !== 'AIFF' && type !== 'AIFC')) {
    throw new BadAudio('it is not an AIFF file');
  }
  let comm: { channels: number; frames: number; bits: number; sampleRate: number; compression: string } | undefined;
  for (let at = 12; at + 8 <= source.size;) {
    const header = await source.read(at, 8);
    if (header.length < 8) break;
    const id = header.toString('latin1', 0, 4);
    const size = header.readUInt32BE(4);
    if (id === 'COMM') {
      const body = await source.read(at + 8, Math.min(size, 64));
      if (body.length < 18) throw new BadAudio('its COMM chunk is cut short');
      comm = {
        channels: body.readUInt16BE(0),
        frames: body.readUInt32BE(2),
        bits: body.readUInt16BE(6),
        sampleRate: Math.round(extended(body, 8)),
        compression: type === 'AIFC' && body.length >= 22 ? body.toString('latin1', 18, 22) : 'NONE',
      };
    } else if (id === 'SSND') {
      if (!comm) throw new BadAudio('its sound data comes before its COMM chunk');
      const { channels, bits, sampleRate, frames, compression } = comm;
      checkLayout(channels, bits);
      const offset = (await source.read(at + 8, 4)).readUInt32BE(0);
      let bytesPerSample = Math.ceil(bits / 8);
      let encoding: Encoding | undefined;
      const c = compression.toLowerCase();
      if (c === 'none' || c === 'twos') encoding = (['int8', 'int16be', 'int24be', 'int32be'] as const)[bytesPerSample - 1];
      else if (c === 'sowt') encoding = (['int16le', 'int16le', 'int24le', 'int32le'] as const)[bytesPerSample - 1];
      else if (c === 'in24') [encoding, bytesPerSample] = ['int24be', 3];
      else if (c === 'in32') [encoding, bytesPerSample] = ['int32be', 4];
      else if (c === 'fl32') [encoding, bytesPerSample] = ['float32be', 4];
      else if (c === 'fl64') [encoding, bytesPerSample] = ['float64be', 8];
      if (!encoding) throw new BadAudio(`its compression ('${compression}') is not one this reads`);
      return { channels, sampleRate, encoding, bytesPerSample, dataStart: at + 16 + offset, dataBytes: frames * channels * bytesPerSample };
    }
    at += 8 + size + (size % 2);
  }
  throw new BadAudio(comm ? 'it has no sound data (no SSND chunk)' : 'it has no COMM chunk');
}
