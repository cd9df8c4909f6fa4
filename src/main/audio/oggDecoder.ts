/**
 * Ogg (.ogg, .oga, .opus): the pages are read here a chunk at a time, checked against their CRC,
 * and the first logical stream's packets go to its codec, told apart by its first packet: Vorbis
 * to libvorbis in WASM (@wasm-audio-decoders/ogg-vorbis), Opus to libopus in WASM (opus-decoder),
 * FLAC to this project's own FLAC frame decoder. Reading stops once the analysed minute is in.
 */
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { OpusDecoder } from 'opus-decoder';
import { BadAudio, DamageCount, MonoCollector } from './analysisAudio.js';
import type { ByteSource } from './byteSource.js';
import { CHUNK_BYTES } from './byteSource.js';
import { decodeFlacFrame, parseStreamInfo } from './flacDecoder.js';
import { UnsupportedCodec } from './mp4Demuxer.js';
import type { PcmAudio } from './wav.js';

export interface OggPage {
  /** The whole page, header included, as it is in the file. */
  raw: Buffer;
  serial: number;
  granule: bigint;
  continued: boolean;
  first: boolean;
  last: boolean;
  /** The page's packets; the first may continue a packet begun on an earlier page, the last may go on to the next. */
  segments: Buffer[];
  /** Whether the last of `segments` is a packet's end (its lacing value was under 255). */
  endsPacket: boolean;
  /** The page failed its CRC. */
  damaged: boolean;
  /** Pages were skipped (damaged, or no page where one should be) just before this one. */
  afterGap: boolean;
}

const CRC32 = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    // The CRC field itself (bytes 22 to 25) counts as zeros.
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC32[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

/** Reads an Ogg stream's pages from the front, a chunk of the file at a time. */
export class OggPageReader {
  private buffer = Buffer.alloc(0);
  private bufferAt = 0;
  private at = 0;

  constructor(private readonly source: ByteSource) {}

  /** Makes sure bytes [at, at + length) are in the buffer; false where the file ends first. */
  private async fill(length: number): Promise<boolean> {
    const end = this.bufferAt + this.buffer.length;
    if (this.at + length <= end) return true;
    if (end >= this.source.size) return false;
    const more = await this.source.read(end, Math.max(CHUNK_BYTES, this.at + length - end));
    this.buffer = Buffer.concat([this.buffer.subarray(this.at - this.bufferAt), more]);
    this.bufferAt = this.at;
    return this.at + length <= this.bufferAt + this.buffer.length;
  }

  /** The next page, or null at the end of the file. Bytes that are no page are skipped, and said to be. */
  async next(): Promise<OggPage | null> {
    let afterGap = false;
    for (;;) {
      if (!(await this.fill(27))) {
        if (this.at < this.source.size && !afterGap) throw new BadAudio('the file ends in the middle of a page (a truncated copy?)');
        return null;
      }
      const local = this.at - this.bufferAt;
      if (this.buffer.toString('latin1', local, local + 4) === 'OggS' && this.buffer[local + 4] === 0) break;
      if (this.at === 0) throw new BadAudio('it is not an Ogg file');
      // Lost: find the next capture pattern, a megabyte at most ahead.
      const found = this.buffer.indexOf('OggS', local + 1, 'latin1');
      if (found < 0) {
        if (this.bufferAt + this.buffer.length >= this.source.size || this.at - this.bufferAt > 1 << 20) return null;
        this.at = this.bufferAt + Math.max(local, this.buffer.length - 3);
        if (!(await this.fill(CHUNK_BYTES))) await this.fill(this.source.size - this.at);
      } else this.at = this.bufferAt + found;
      afterGap = true;
    }
    let local = this.at - this.bufferAt;
    const count = this.buffer[local + 26]!;
    if (!(await this.fill(27 + count))) throw new BadAudio('the file ends in the middle of a page (a truncated copy?)');
    local = this.at - this.bufferAt;
    const lacing = this.buffer.subarray(local + 27, local + 27 + count);
    const bodyLength = lacing.reduce((a, v) => a + v, 0);
    const length = 27 + count + bodyLength;
    if (!(await this.fill(length))) throw new BadAudio('the file ends in the middle of a page (a truncated copy?)');
    local = this.at - this.bufferAt;
    const raw = this.buffer.subarray(local, local + length);
    const damaged = oggCrc(raw) !== raw.readUInt32LE(22);
    const segments: Buffer[] = [];
    let bodyAt = 27 + count;
    let packetStart = bodyAt;
    for (let i = 0; i < count; i++) {
      bodyAt += raw[27 + i]!;
      if (raw[27 + i]! < 255) {
        segments.push(raw.subarray(packetStart, bodyAt));
        packetStart = bodyAt;
      }
    }
    const endsPacket = count === 0 || raw[27 + count - 1]! < 255;
    if (!endsPacket) segments.push(raw.subarray(packetStart, bodyAt));
    const flags = raw[5]!;
    // A damaged page's length may be wrong too: step past its header only, and look for the next.
    this.at += damaged ? 4 : length;
    return {
      raw,
      serial: raw.readUInt32LE(14),
      granule: raw.readBigInt64LE(6),
      continued: (flags & 1) !== 0,
      first: (flags & 2) !== 0,
      last: (flags & 4) !== 0,
      segments,
      endsPacket,
      damaged,
      afterGap,
    };
  }
}

/** Joins a logical stream's pages into packets. */
class Packetizer {
  private partial: Buffer[] = [];

  /** The packets this page completes. */
  push(page: OggPage): Buffer[] {
    const out: Buffer[] = [];
    page.segments.forEach((segment, i) => {
      const complete = i < page.segments.length - 1 || page.endsPacket;
      if (i === 0 && page.afterGap) {
        // What came before is lost: so is the packet this page would have finished.
        this.partial = [];
        if (page.continued) return;
      }
      if (i === 0 && !page.continued) this.partial = [];
      this.partial.push(segment);
      if (complete) {
        out.push(this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial));
        this.partial = [];
      }
    });
    return out;
  }
}

export async function decodeOggFile(source: ByteSource): Promise<PcmAudio> {
  const reader = new OggPageReader(source);
  const firstPage = await reader.next();
  if (!firstPage || !firstPage.first || firstPage.damaged) throw new BadAudio('it is not an Ogg file (or its first page is damaged)');
  const head = firstPage.segments[0] ?? Buffer.alloc(0);
  const damage = new DamageCount('pages');
  const pages = (async function* () {
    yield firstPage;
    let gap = false;
    for (;;) {
      const page = await reader.next();
      if (!page) return;
      if (page.damaged || (page.afterGap && !gap)) damage.failed(new BadAudio(`a page near byte ${source.bytesRead} is damaged`));
      if (page.damaged) {
        gap = true;
        continue;
      }
      damage.passed();
      if (page.serial !== firstPage.serial) continue; // another stream multiplexed in
      yield gap ? { ...page, afterGap: true } : page;
      gap = false;
      if (page.last) return;
    }
  })();
  const decode =
    head.toString('latin1', 0, 7) === '\x01vorbis'
      ? decodeVorbis
      : head.toString('latin1', 0, 8) === 'OpusHead'
        ? decodeOpus
        : head.toString('latin1', 0, 5) === '\x7fFLAC'
          ? decodeOggFlac
          : null;
  if (decode) {
    const pcm = await decode(head, pages);
    damage.check();
    return pcm;
  }
  throw new UnsupportedCodec(`Ogg audio in another codec (its first packet starts ${JSON.stringify(head.toString('latin1', 0, 8))})`);
}

async function decodeVorbis(head: Buffer, pages: AsyncGenerator<OggPage>): Promise<PcmAudio> {
  if (head.length < 30) throw new BadAudio('its Vorbis identification header is cut short');
  const sampleRate = head.readUInt32LE(12);
  const collector = new MonoCollector(sampleRate);
  const decoder = new OggVorbisDecoder();
  await decoder.ready;
  try {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const decoded = await decoder.decode(Buffer.concat(batch));
      batch = [];
      batchBytes = 0;
      if (decoded.errors.length > 0 && decoded.samplesDecoded === 0) {
        throw new BadAudio(`its Vorbis packets do not decode (${decoded.errors[0]!.message})`);
      }
      collector.push(decoded.channelData, decoded.samplesDecoded);
    };
    for await (const page of pages) {
      batch.push(page.raw);
      batchBytes += page.raw.length;
      if (batchBytes >= CHUNK_BYTES) await flush();
      if (collector.full) break;
    }
    await flush();
    if (!collector.full) {
      const rest = await decoder.flush();
      collector.push(rest.channelData, rest.samplesDecoded);
    }
    return collector.finish();
  } finally {
    decoder.free();
  }
}

/** Opus always runs at 48 kHz inside; decoded at 24 kHz it is still above the analysis rate, for half the work. */
const OPUS_DECODE_RATE = 24000;

async function decodeOpus(head: Buffer, pages: AsyncGenerator<OggPage>): Promise<PcmAudio> {
  if (head.length < 19) throw new BadAudio('its OpusHead is cut short');
  const channels = head[9]!;
  const preSkip = head.readUInt16LE(10);
  const family = head[18]!;
  if (channels === 0) throw new BadAudio('its OpusHead gives no channels');
  const options: ConstructorParameters<typeof OpusDecoder<24000>>[0] = { sampleRate: OPUS_DECODE_RATE, channels, preSkip: 0 };
  if (family !== 0) {
    if (head.length < 21 + channels) throw new BadAudio('its OpusHead channel mapping is cut short');
    options.streamCount = head[19]!;
    options.coupledStreamCount = head[20]!;
    options.channelMappingTable = Array.from(head.subarray(21, 21 + channels));
  } else if (channels > 2) {
    throw new BadAudio('its OpusHead gives more than two channels with no channel mapping');
  }
  const scale = OPUS_DECODE_RATE / 48000;
  const collector = new MonoCollector(OPUS_DECODE_RATE, preSkip * scale);
  const decoder = new OpusDecoder<24000>(options);
  await decoder.ready;
  try {
    const packetizer = new Packetizer();
    let headers = 0;
    for await (const page of pages) {
      const packets = packetizer.push(page);
      const audio = headers < 2 ? packets.slice(2 - headers) : packets;
      headers = Math.min(2, headers + packets.length);
      if (audio.length > 0) {
        const decoded = decoder.decodeFrames(audio);
        if (decoded.errors.length > audio.length / 2) throw new BadAudio(`its Opus packets do not decode (${decoded.errors[0]!.message})`);
        collector.push(decoded.channelData, decoded.samplesDecoded);
      }
      // The last page's granule position says where the audio ends (the encoder pads the last packet).
      if (page.last && page.granule > 0n) collector.limit(Math.max(0, Number(page.granule) - preSkip) * scale);
      if (collector.full) break;
    }
    return collector.finish();
  } finally {
    decoder.free();
  }
}

async function decodeOggFlac(head: Buffer, pages: AsyncGenerator<OggPage>): Promise<PcmAudio> {
  // 0x7F 'FLAC', version (2 bytes), header packet count (2), 'fLaC', then STREAMINFO with its block header.
  if (head.length < 13 + 4 + 34 || head.toString('latin1', 9, 13) !== 'fLaC') throw new BadAudio('its Ogg FLAC header is damaged');
  const info = parseStreamInfo(head.subarray(17, 17 + 34));
  const collector = new MonoCollector(info.sampleRate, 0, info.totalSamples || Infinity);
  const packetizer = new Packetizer();
  const scratch: Float64Array[] = [];
  let firstPacket = true;
  for await (const page of pages) {
    for (const packet of packetizer.push(page)) {
      if (firstPacket || (packet[0]! & 0xff) !== 0xff) {
        firstPacket = false;
        continue; // the header packet, and the metadata blocks
      }
      const frame = decodeFlacFrame(packet, 0, packet.length, info, scratch);
      const scale = 2 ** (1 - frame.bitsPerSample);
      collector.push(
        frame.channels.map((c) => Float32Array.from(c.subarray(0, frame.blockSize), (v) => v * scale)),
        frame.blockSize,
      );
    }
    if (collector.full) break;
  }
  return collector.finish();
}
