/**
 * MPEG audio (MP3, and MP2/MP1 under an .mp3 name), decoded by mpg123 compiled to WASM
 * (mpg123-decoder). The frames are found here, header by header, from the first one past the ID3v2
 * tag, and fed to the decoder a batch at a time until the analysed minute is in: so random bytes
 * with an .mp3 name are refused instead of decoded as noise, and a file cut short mid-frame, or
 * short of the frame count its Xing/Info header gives, is said to be truncated.
 */
import { MPEGDecoder } from 'mpg123-decoder';
import { BadAudio, MonoCollector } from './analysisAudio.js';
import type { ByteSource } from './byteSource.js';
import { afterId3, CHUNK_BYTES } from './byteSource.js';
import type { PcmAudio } from './wav.js';

export interface MpegFrameHeader {
  length: number;
  samples: number;
  sampleRate: number;
  /** MPEG-1 Layer III frames start their side information at a different offset from MPEG-2's. */
  mpeg1: boolean;
  mono: boolean;
}

const BITRATES: Record<string, number[]> = {
  'v1 l1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  'v1 l2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  'v1 l3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  'v2 l1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  'v2 l2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES = [44100, 48000, 32000];

/** The frame header at `at`, or null where there is none (free-format frames count as none). */
export function parseMpegHeader(b: Uint8Array, at: number): MpegFrameHeader | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null;
  const versionBits = (b[at + 1]! >> 3) & 3; // 0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1
  const layerBits = (b[at + 1]! >> 1) & 3; // 1: III, 2: II, 3: I
  const bitrateIndex = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const mpeg1 = versionBits === 3;
  const layer = 4 - layerBits;
  const table = mpeg1 ? `v1 l${layer}` : layer === 1 ? 'v2 l1' : 'v2 l2';
  const bitrate = BITRATES[table]![bitrateIndex]! * 1000;
  const sampleRate = SAMPLE_RATES[rateIndex]! / (mpeg1 ? 1 : versionBits === 2 ? 2 : 4);
  const padding = (b[at + 2]! >> 1) & 1;
  const samples = layer === 1 ? 384 : layer === 3 && !mpeg1 ? 576 : 1152;
  const length =
    layer === 1 ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4 : Math.floor(((samples / 8) * bitrate) / sampleRate) + padding;
  return { length, samples, sampleRate, mpeg1, mono: b[at + 3]! >> 6 === 3 };
}

/** Where three frames in a row start, searching from `from`; -1 if nowhere in `b`. */
export function findFrames(b: Uint8Array, from: number): number {
  for (let at = from; at + 4 <= b.length; at++) {
    const first = parseMpegHeader(b, at);
    if (!first) continue;
    const second = parseMpegHeader(b, at + first.length);
    if (!second || second.sampleRate !== first.sampleRate) continue;
    const third = parseMpegHeader(b, at + first.length + second.length);
    // Two frames that end the file exactly will do.
    if ((third && third.sampleRate === first.sampleRate) || at + first.length + second.length === b.length) return at;
  }
  return -1;
}

/** The frame count from a Xing/Info or VBRI header in the first frame, where there is one. */
function headerFrameCount(frame: Uint8Array, header: MpegFrameHeader): number | null {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const side = header.mpeg1 ? (header.mono ? 17 : 32) : header.mono ? 9 : 17;
  const xing = 4 + side;
  const tag = b.toString('latin1', xing, xing + 4);
  if ((tag === 'Xing' || tag === 'Info') && b.length >= xing + 12 && b.readUInt32BE(xing + 4) & 1) return b.readUInt32BE(xing + 8);
  if (b.toString('latin1', 36, 40) === 'VBRI' && b.length >= 36 + 18) return b.readUInt32BE(36 + 14);
  return null;
}

/** What the first 64 KB of an MPEG audio stream say, for telling music from a file that only looks like it. */
export type MpegProbe =
  /** Frames follow one another; `promisedBytes` is the stream's size as its Xing/Info or VBRI header gives it. */
  | { kind: 'frames'; firstFrame: number; promisedBytes: number | null }
  /** A frame header where the audio starts, but the file ends before two whole frames do. */
  | { kind: 'cut' }
  /** No run of frames at all: not MPEG audio. */
  | { kind: 'none' };

/** The stream's byte count from a Xing/Info (flag 2) or VBRI header in the first frame, where there is one. */
function headerByteCount(frame: Uint8Array, header: MpegFrameHeader): number | null {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const side = header.mpeg1 ? (header.mono ? 17 : 32) : header.mono ? 9 : 17;
  const xing = 4 + side;
  const tag = b.toString('latin1', xing, xing + 4);
  if ((tag === 'Xing' || tag === 'Info') && b.length >= xing + 8) {
    const flags = b.readUInt32BE(xing + 4);
    if (!(flags & 2)) return null;
    const at = xing + 8 + (flags & 1 ? 4 : 0);
    return b.length >= at + 4 ? b.readUInt32BE(at) : null;
  }
  if (b.toString('latin1', 36, 40) === 'VBRI' && b.length >= 36 + 14) return b.readUInt32BE(36 + 10);
  return null;
}

/** Looks at the stream's start without decoding it: cheap enough for every file a scan reads. */
export async function probeMpegStream(source: ByteSource): Promise<MpegProbe> {
  const start = await afterId3(source);
  const buffer = await source.read(start, CHUNK_BYTES);
  const first = findFrames(buffer, 0);
  if (first >= 0) {
    const header = parseMpegHeader(buffer, first)!;
    return {
      kind: 'frames',
      firstFrame: start + first,
      promisedBytes: headerByteCount(buffer.subarray(first, first + header.length), header),
    };
  }
  // A header right where the audio should start, and the file over before the frames are: cut short.
  if (start + buffer.length >= source.size) {
    for (let at = 0; at < Math.min(buffer.length, 4); at++) if (parseMpegHeader(buffer, at)) return { kind: 'cut' };
    if (start > 0 && buffer.length < 4) return { kind: 'cut' }; // tags, and nothing after them
  }
  return { kind: 'none' };
}

export async function decodeMp3File(source: ByteSource): Promise<PcmAudio> {
  const start = await afterId3(source);
  let buffer = await source.read(start, CHUNK_BYTES);
  let bufferAt = start;
  const first = findFrames(buffer, 0);
  if (first < 0) throw new BadAudio('no MPEG audio frames were found in its first 64 KB');
  const header = parseMpegHeader(buffer, first)!;
  const promised = headerFrameCount(buffer.subarray(first, first + header.length), header);

  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const collector = new MonoCollector(header.sampleRate);
    let at = start + first; // where the next frame starts in the file
    let frames = 0;
    const feed = (from: number, to: number) => {
      if (to <= from) return;
      const decoded = decoder.decode(buffer.subarray(from - bufferAt, to - bufferAt));
      collector.push(header.mono ? decoded.channelData.slice(0, 1) : decoded.channelData, decoded.samplesDecoded);
    };
    while (!collector.full) {
      const eof = bufferAt + buffer.length >= source.size;
      // Take the whole frames now in the buffer, and hand them to the decoder together.
      let batchStart = at;
      let stop: 'more' | 'end' | 'truncated' = 'more';
      for (;;) {
        const local = at - bufferAt;
        if (local + 4 > buffer.length) {
          stop = eof ? 'end' : 'more';
          break;
        }
        const frame = parseMpegHeader(buffer, local);
        if (frame && frame.sampleRate === header.sampleRate) {
          if (local + frame.length > buffer.length) {
            stop = eof ? 'truncated' : 'more';
            break;
          }
          at += frame.length;
          frames++;
          continue;
        }
        // Not a frame: junk between frames (skipped, not fed), or the tags at the end.
        const next = findFrames(buffer, local + 1);
        if (next >= 0) {
          feed(batchStart, at);
          at = bufferAt + next;
          batchStart = at;
          continue;
        }
        stop = eof ? 'end' : 'more';
        break;
      }
      feed(batchStart, at);
      if (collector.full || stop === 'end') break;
      if (stop === 'truncated') throw new BadAudio('the file ends in the middle of a frame (a truncated copy?)');
      const keep = buffer.subarray(at - bufferAt);
      if (keep.length > 1 << 20) break; // a megabyte with no frame in it: the audio has ended
      const more = await source.read(bufferAt + buffer.length, CHUNK_BYTES);
      buffer = Buffer.concat([keep, more]);
      bufferAt = at;
    }
    if (!collector.full && promised !== null && frames + 1 < promised) {
      throw new BadAudio(`the file ends after ${frames} of the ${promised} frames its header promises (a truncated copy?)`);
    }
    return collector.finish();
  } finally {
    decoder.free();
  }
}
