/**
 * AAC, decoded by Symphonia's AAC-LC decoder (Rust, MPL-2.0) through node-web-audio-api's
 * decodeAudioData: no decoder with a permissive licence exists for Node as JavaScript or WASM. The
 * frames (from an MP4 track, or from a raw ADTS .aac file) are handed over as an ADTS stream of the
 * analysed minute only, never as the file. HE-AAC decodes as its AAC-LC core, at half its rate:
 * still above the analysis rate.
 */
import { createRequire } from 'node:module';
import { BadAudio } from './analysisAudio.js';
import { afterId3, type ByteSource } from './byteSource.js';
import { UnsupportedCodec } from './mp4Demuxer.js';

const require = createRequire(import.meta.url);

interface WebAudioBuffer {
  readonly sampleRate: number;
  readonly numberOfChannels: number;
  readonly length: number;
  getChannelData(channel: number): Float32Array;
}
interface WebAudio {
  OfflineAudioContext: new (options: { numberOfChannels: number; length: number; sampleRate: number }) => {
    decodeAudioData(data: ArrayBuffer): Promise<WebAudioBuffer>;
  };
}

let webAudio: WebAudio | Error | undefined;

/** node-web-audio-api, loaded the first time it is needed; an Error where its native code will not load here. */
export function loadAacBackend(): WebAudio | Error {
  if (webAudio === undefined) {
    try {
      webAudio = require('node-web-audio-api') as WebAudio;
    } catch (error) {
      webAudio = error instanceof Error ? error : new Error(String(error));
    }
  }
  return webAudio;
}

export const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export interface AacConfig {
  /** The AAC-LC-compatible core that ADTS can carry: object type 1 to 4. */
  objectType: number;
  rateIndex: number;
  sampleRate: number;
  channelConfig: number;
}

/** An MP4 'esds' box's AudioSpecificConfig, reduced to what an ADTS header can say. */
export function parseEsds(esds: Buffer): AacConfig {
  let at = 4; // version and flags
  const descriptor = (): { tag: number; end: number } => {
    const tag = esds[at++]!;
    let length = 0;
    for (let i = 0; i < 4; i++) {
      const b = esds[at++]!;
      length = length * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return { tag, end: at + length };
  };
  let es = descriptor();
  if (es.tag !== 0x03) throw new BadAudio('its AAC configuration is damaged (no ES descriptor)');
  at += 2;
  const flags = esds[at++]!;
  if (flags & 0x80) at += 2;
  if (flags & 0x40) at += 1 + esds[at]!;
  if (flags & 0x20) at += 2;
  es = descriptor();
  if (es.tag !== 0x04) throw new BadAudio('its AAC configuration is damaged (no decoder config)');
  const objectTypeIndication = esds[at]!;
  if (objectTypeIndication === 0x69 || objectTypeIndication === 0x6b) throw new UnsupportedCodec('MP3 inside MP4');
  if (objectTypeIndication !== 0x40 && (objectTypeIndication < 0x66 || objectTypeIndication > 0x68)) {
    throw new UnsupportedCodec(`MP4 audio of object type 0x${objectTypeIndication.toString(16)}`);
  }
  at += 13;
  const specific = descriptor();
  if (specific.tag !== 0x05 || specific.end > esds.length) throw new BadAudio('its AAC configuration is damaged (no AudioSpecificConfig)');
  return parseAudioSpecificConfig(esds.subarray(at, specific.end), objectTypeIndication);
}

function parseAudioSpecificConfig(asc: Buffer, objectTypeIndication: number): AacConfig {
  let bit = 0;
  const bits = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = v * 2 + (((asc[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
    return v;
  };
  const objectType = () => {
    const t = bits(5);
    return t === 31 ? 32 + bits(6) : t;
  };
  const rate = () => {
    const index = bits(4);
    return index === 15 ? { index, rate: bits(24) } : { index, rate: ADTS_RATES[index] ?? 0 };
  };
  if (asc.length < 2) {
    // MPEG-2 AAC object types with no specific config: Main, LC, SSR.
    throw new BadAudio('its AAC configuration is empty');
  }
  let type = objectType();
  const { index, rate: sampleRate } = rate();
  const channelConfig = bits(4);
  if (type === 5 || type === 29) {
    // Explicit SBR/PS: the extension's rate, then the core's object type. Decode the core.
    rate();
    type = objectType();
  }
  if (objectTypeIndication >= 0x66 && objectTypeIndication <= 0x68) type = objectTypeIndication - 0x65;
  if (type < 1 || type > 4) throw new UnsupportedCodec(`AAC of object type ${type}`);
  if (index === 15 || sampleRate === 0) throw new UnsupportedCodec(`AAC at ${sampleRate} Hz (not an ADTS rate)`);
  if (channelConfig === 0 || channelConfig > 7) throw new UnsupportedCodec(`AAC with channel configuration ${channelConfig}`);
  return { objectType: type, rateIndex: index, sampleRate, channelConfig };
}

function adtsHeader(config: AacConfig, payload: number): Buffer {
  const length = payload + 7;
  if (length > 0x1fff) throw new BadAudio('an AAC frame is larger than any AAC frame can be (damaged data)');
  const h = Buffer.alloc(7);
  h[0] = 0xff;
  h[1] = 0xf1; // MPEG-4, layer 0, no CRC
  h[2] = ((config.objectType - 1) << 6) | (config.rateIndex << 2) | (config.channelConfig >> 2);
  h[3] = ((config.channelConfig & 3) << 6) | (length >> 11);
  h[4] = (length >> 3) & 0xff;
  h[5] = ((length & 7) << 5) | 0x1f; // buffer fullness 0x7FF: variable bit rate
  h[6] = 0xfc;
  return h;
}

/** Raw AAC frames (MP4 samples) as one ADTS stream. */
export function toAdts(config: AacConfig, frames: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const frame of frames) parts.push(adtsHeader(config, frame.length), frame);
  return Buffer.concat(parts);
}

/** Decodes an ADTS stream held in memory; planar channels at the stream's own rate. */
export async function decodeAdts(adts: Buffer, sampleRate: number): Promise<Float32Array[]> {
  const backend = loadAacBackend();
  if (backend instanceof Error) {
    throw new UnsupportedCodec(`AAC (its decoder, node-web-audio-api, does not load here: ${backend.message})`);
  }
  const context = new backend.OfflineAudioContext({ numberOfChannels: 1, length: 1, sampleRate });
  const copy = new Uint8Array(adts.length);
  copy.set(adts);
  let audio: WebAudioBuffer;
  try {
    audio = await context.decodeAudioData(copy.buffer);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Failed to execute 'decodeAudioData': /, '');
    // Symphonia decodes AAC-LC in mono and stereo; more channels (5.1) it calls "unsupported".
    if (/unsupported/i.test(reason)) throw new UnsupportedCodec(`AAC of a kind its decoder does not read (${reason})`);
    throw new BadAudio(`its AAC frames do not decode (${reason})`);
  }
  return Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
}

export interface AdtsFrameHeader {
  length: number;
  config: AacConfig;
  /** Raw data blocks of 1024 samples each. */
  blocks: number;
}

export function parseAdtsHeader(b: Uint8Array, at: number): AdtsFrameHeader | null {
  if (at + 7 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xf6) !== 0xf0) return null;
  const objectType = (b[at + 2]! >> 6) + 1;
  const rateIndex = (b[at + 2]! >> 2) & 15;
  const channelConfig = ((b[at + 2]! & 1) << 2) | (b[at + 3]! >> 6);
  const length = ((b[at + 3]! & 3) << 11) | (b[at + 4]! << 3) | (b[at + 5]! >> 5);
  const sampleRate = ADTS_RATES[rateIndex];
  if (!sampleRate || length < 7 + (b[at + 1]! & 1 ? 0 : 2)) return null;
  return { length, blocks: (b[at + 6]! & 3) + 1, config: { objectType, rateIndex, sampleRate, channelConfig } };
}

/**
 * Whether a raw AAC stream starts (after any ID3v2 tag) with three ADTS frames in a row, or two that
 * end the file: 'cut' where a frame starts it but the file ends first. Reads 8 KB; for telling music
 * from random bytes, which music-metadata takes for ADTS as often as not.
 */
export async function probeAdtsStream(source: ByteSource): Promise<'frames' | 'cut' | 'none'> {
  const start = await afterId3(source);
  const head = await source.read(start, 3 * 0x2000);
  const ends = start + head.length >= source.size;
  let at = 0;
  let rateIndex = -1;
  for (let frame = 0; frame < 3; frame++) {
    // The file is over where the next frame would start: whole frames up to here, or none.
    if (ends && at === head.length) return frame >= 2 ? 'frames' : frame === 1 || start > 0 ? 'cut' : 'none';
    const header = parseAdtsHeader(head, at);
    if (!header || (rateIndex >= 0 && header.config.rateIndex !== rateIndex)) return 'none';
    if (at + header.length > head.length) return ends ? 'cut' : 'none';
    rateIndex = header.config.rateIndex;
    at += header.length;
  }
  return 'frames';
}

/**
 * The ADTS frames of a raw .aac file that cover `seconds`, read from the front; the stream must start
 * (after any ID3v2 tag) with frames whose headers agree with each other.
 */
export async function readAdtsFile(source: ByteSource, start: number, seconds: number): Promise<{ adts: Buffer; config: AacConfig }> {
  const head = await source.read(start, 64 * 1024);
  const first = parseAdtsHeader(head, 0);
  if (!first) throw new BadAudio('no ADTS frame starts the stream');
  const second = parseAdtsHeader(head, first.length);
  if (head.length > first.length && (!second || second.config.rateIndex !== first.config.rateIndex)) {
    throw new BadAudio('its first ADTS frames do not follow one another (damaged, or not AAC)');
  }
  const { sampleRate } = first.config;
  const wantedBlocks = Math.ceil((seconds * sampleRate) / 1024) + 2;
  const parts: Buffer[] = [];
  let blocks = 0;
  let at = start;
  let buffer = head;
  let bufferAt = start;
  while (blocks < wantedBlocks && at < source.size) {
    const bufferEnd = bufferAt + buffer.length;
    // Refill when the longest possible frame might not be in the buffer (and the file goes on).
    if (at + 0x2000 > bufferEnd && bufferEnd < source.size) {
      buffer = await source.read(at, 256 * 1024);
      bufferAt = at;
    }
    const header = parseAdtsHeader(buffer, at - bufferAt);
    if (!header) throw new BadAudio(`no ADTS frame where one should be, at byte ${at} (damaged data)`);
    if (at + header.length > source.size) throw new BadAudio('the file ends in the middle of a frame (a truncated copy?)');
    parts.push(buffer.subarray(at - bufferAt, at - bufferAt + header.length));
    blocks += header.blocks;
    at += header.length;
  }
  return { adts: Buffer.concat(parts), config: first.config };
}
