/**
 * The audio track of an MP4/M4A file, read by offsets: the box headers are walked to find `moov`
 * (wherever it is: before or after `mdat`), only the boxes that describe the sound track are read
 * from it (not the cover art in `udta`), and of the sample tables only the entries for the analysed
 * minute. The samples themselves are then read from `mdat` by their offsets, run by run.
 */
import { BadAudio } from './analysisAudio.js';
import type { ByteSource } from './byteSource.js';

/** The track uses a codec this does not decode (another decoder may). */
export class UnsupportedCodec extends Error {}

export interface Mp4AudioTrack {
  /** The sample entry's four-character code: 'mp4a', 'alac', … */
  codec: string;
  /** Its child boxes, by type: 'esds' holds an AAC decoder config, 'alac' the ALAC magic cookie. */
  config: Map<string, Buffer>;
  channels: number;
  sampleRate: number;
  /** The media's time units per second, and each sample's duration in them. */
  timescale: number;
  /** Units of the media's timeline to drop at the start (an edit list's media time: encoder delay). */
  skip: number;
  /** The edit list's length of the track in the media's units, where there is one. */
  duration: number | null;
}

export interface Mp4Samples {
  track: Mp4AudioTrack;
  /** The first samples of the track, their bytes in order. */
  samples: Buffer[];
}

interface Box {
  type: string;
  /** Where the box's contents start and end in the file. */
  start: number;
  end: number;
}

async function readBoxHeader(source: ByteSource, at: number, end: number): Promise<Box | null> {
  if (at + 8 > end) return null;
  const header = await source.read(at, 16);
  if (header.length < 8) return null;
  let size = header.readUInt32BE(0);
  const type = header.toString('latin1', 4, 8);
  let headerSize = 8;
  if (size === 1) {
    if (header.length < 16) return null;
    size = Number(header.readBigUInt64BE(8));
    headerSize = 16;
  } else if (size === 0) size = end - at;
  if (size < headerSize) throw new BadAudio(`a box at byte ${at} is broken`);
  return { type, start: at + headerSize, end: at + size };
}

async function children(source: ByteSource, parent: { start: number; end: number }, skip = 0): Promise<Box[]> {
  const boxes: Box[] = [];
  for (let at = parent.start + skip; ;) {
    const box = await readBoxHeader(source, at, parent.end);
    if (!box) break;
    if (box.end > parent.end) throw new BadAudio(`the '${box.type}' box runs past its parent`);
    boxes.push(box);
    at = box.end;
  }
  return boxes;
}

async function body(source: ByteSource, box: Box, limit = Infinity): Promise<Buffer> {
  const length = Math.min(box.end - box.start, limit);
  const data = await source.read(box.start, length);
  if (data.length < length) throw new BadAudio(`the file ends inside the '${box.type}' box (a truncated copy?)`);
  return data;
}

const find = (boxes: Box[], type: string) => boxes.find((b) => b.type === type);

function need(box: Box | undefined, what: string): Box {
  if (!box) throw new BadAudio(`its sound track has no '${what}' box`);
  return box;
}

export async function readMp4Samples(source: ByteSource, seconds: number): Promise<Mp4Samples> {
  // The top level, walked leniently: a truncated file's last box runs past its end.
  const top: Box[] = [];
  for (let at = 0; ;) {
    const box = await readBoxHeader(source, at, source.size).catch(() => null);
    if (!box || !/^[\x20-\x7e]{4}$/.test(box.type)) break;
    top.push(box);
    if (box.type === 'moov') break;
    at = box.end;
  }
  if (top[0]?.type !== 'ftyp' && !find(top, 'moov')) throw new BadAudio('it is not an MP4 file (no ftyp or moov box)');
  const moov = find(top, 'moov');
  if (!moov) throw new BadAudio('it has no moov box (a truncated copy?)');
  if (moov.end > source.size) throw new BadAudio('the file ends inside the moov box (a truncated copy?)');
  const moovBoxes = await children(source, moov);
  if (find(moovBoxes, 'mvex')) throw new UnsupportedCodec('fragmented MP4 (its samples are in moof boxes)');
  const mvhd = await body(source, need(find(moovBoxes, 'mvhd'), 'mvhd'), 32);
  const movieTimescale = mvhd[0] === 1 ? mvhd.readUInt32BE(20) : mvhd.readUInt32BE(12);

  for (const trak of moovBoxes.filter((b) => b.type === 'trak')) {
    const trakBoxes = await children(source, trak);
    const mdia = find(trakBoxes, 'mdia');
    if (!mdia) continue;
    const mdiaBoxes = await children(source, mdia);
    const hdlr = find(mdiaBoxes, 'hdlr');
    if (!hdlr || (await body(source, hdlr, 12)).toString('latin1', 8, 12) !== 'soun') continue;
    const mdhd = await body(source, need(find(mdiaBoxes, 'mdhd'), 'mdhd'), 32);
    const timescale = mdhd[0] === 1 ? mdhd.readUInt32BE(20) : mdhd.readUInt32BE(12);
    const minf = need(find(mdiaBoxes, 'minf'), 'minf');
    const stbl = need(find(await children(source, minf), 'stbl'), 'stbl');
    const stblBoxes = await children(source, stbl);
    const track = await describeTrack(source, need(find(stblBoxes, 'stsd'), 'stsd'), timescale);
    const edts = find(trakBoxes, 'edts');
    if (edts) await readEditList(source, edts, track, movieTimescale);
    if (timescale === 0) throw new BadAudio('its sound track has no time scale');
    const samples = await readSamples(source, stblBoxes, Math.ceil(track.skip + seconds * timescale));
    return { track, samples };
  }
  throw new BadAudio('it has no sound track');
}

async function describeTrack(source: ByteSource, stsd: Box, timescale: number): Promise<Mp4AudioTrack> {
  const entries = await children(source, stsd, 8);
  const entry = entries[0];
  if (!entry) throw new BadAudio('its sound track has no sample description');
  const head = await body(source, entry, 64);
  if (head.length < 28) throw new BadAudio('its sample description is cut short');
  const version = head.readUInt16BE(8);
  const channels = head.readUInt16BE(16);
  const sampleRate = head.readUInt32BE(24) >>> 16;
  // QuickTime sound descriptions of version 1 and 2 carry more fields before the child boxes.
  const fields = 28 + (version === 1 ? 16 : version === 2 ? 36 : 0);
  const config = new Map<string, Buffer>();
  const collect = async (boxes: Box[]) => {
    for (const box of boxes) {
      if (box.type === 'wave') await collect(await children(source, box));
      else if (!config.has(box.type)) config.set(box.type, await body(source, box, 1 << 16));
    }
  };
  await collect(await children(source, { start: entry.start, end: entry.end }, fields).catch(() => []));
  return { codec: entry.type, config, channels, sampleRate: sampleRate || timescale, timescale, skip: 0, duration: null };
}

async function readEditList(source: ByteSource, edts: Box, track: Mp4AudioTrack, movieTimescale: number): Promise<void> {
  const elst = find(await children(source, edts), 'elst');
  if (!elst) return;
  const data = await body(source, elst, 4 + 4 + 20 * 8);
  const version = data[0];
  const count = data.readUInt32BE(4);
  const entrySize = version === 1 ? 20 : 12;
  for (let i = 0, at = 8; i < count && at + entrySize <= data.length; i++, at += entrySize) {
    const segment = version === 1 ? Number(data.readBigUInt64BE(at)) : data.readUInt32BE(at);
    const mediaTime = version === 1 ? Number(data.readBigInt64BE(at + 8)) : data.readInt32BE(at + 4);
    if (mediaTime < 0) continue; // an empty edit: a pause before the track starts
    track.skip = mediaTime;
    if (segment > 0 && movieTimescale > 0) track.duration = (segment / movieTimescale) * track.timescale;
    return;
  }
}

/** The bytes of the samples that cover the first `units` of the track's timeline. */
async function readSamples(source: ByteSource, stbl: Box[], units: number): Promise<Buffer[]> {
  // How many samples cover the time wanted: stts is a run-length list of (count, duration).
  const stts = await body(source, need(find(stbl, 'stts'), 'stts'));
  let wanted = 0;
  for (let at = 8, covered = 0, n = stts.readUInt32BE(4); n > 0 && at + 8 <= stts.length && covered < units; n--, at += 8) {
    const count = stts.readUInt32BE(at);
    const delta = stts.readUInt32BE(at + 4);
    const take = delta === 0 ? count : Math.min(count, Math.ceil((units - covered) / delta));
    wanted += take;
    covered += take * delta;
  }
  wanted += 2; // a frame or two of slack for the decoder's own delay
  const sizes = await sampleSizes(source, stbl, wanted);
  wanted = sizes.length;

  // Which chunk each sample is in: stsc maps runs of chunks to their samples per chunk.
  const stsc = await body(source, need(find(stbl, 'stsc'), 'stsc'));
  const runs: { firstChunk: number; perChunk: number }[] = [];
  for (let at = 8, n = stsc.readUInt32BE(4); n > 0 && at + 12 <= stsc.length; n--, at += 12) {
    runs.push({ firstChunk: stsc.readUInt32BE(at), perChunk: stsc.readUInt32BE(at + 4) });
  }
  const chunkOffsets = await offsets(source, stbl, runs, wanted);
  const located: { at: number; size: number }[] = [];
  let sample = 0;
  for (let chunk = 1, run = 0; sample < wanted && chunk <= chunkOffsets.length; chunk++) {
    while (run + 1 < runs.length && runs[run + 1]!.firstChunk <= chunk) run++;
    const perChunk = runs[run]?.perChunk ?? 0;
    let at = chunkOffsets[chunk - 1]!;
    for (let i = 0; i < perChunk && sample < wanted; i++, sample++) {
      located.push({ at, size: sizes[sample]! });
      at += sizes[sample]!;
    }
  }
  if (located.length === 0) throw new BadAudio('its sound track has no samples');

  // Read contiguous runs of samples together, a megabyte at most at a time.
  const out: Buffer[] = [];
  for (let i = 0; i < located.length;) {
    let j = i + 1;
    let end = located[i]!.at + located[i]!.size;
    while (j < located.length && located[j]!.at === end && end - located[i]!.at < 1 << 20) end += located[j++]!.size;
    const start = located[i]!.at;
    const bytes = await source.read(start, end - start);
    if (bytes.length < end - start) {
      if (out.length === 0) throw new BadAudio('the file ends before its sound data does (a truncated copy?)');
      throw new BadAudio(`the file ends inside its sound data (a truncated copy?)`);
    }
    for (; i < j; i++) out.push(bytes.subarray(located[i]!.at - start, located[i]!.at - start + located[i]!.size));
  }
  return out;
}

async function sampleSizes(source: ByteSource, stbl: Box[], wanted: number): Promise<number[]> {
  const stsz = find(stbl, 'stsz');
  if (stsz) {
    const head = await body(source, stsz, 12);
    const fixed = head.readUInt32BE(4);
    const count = Math.min(head.readUInt32BE(8), wanted);
    if (fixed !== 0) return new Array<number>(count).fill(fixed);
    const table = await source.read(stsz.start + 12, Math.min(count * 4, stsz.end - stsz.start - 12));
    const sizes: number[] = [];
    for (let at = 0; at + 4 <= table.length; at += 4) sizes.push(table.readUInt32BE(at));
    return sizes;
  }
  const stz2 = need(find(stbl, 'stz2'), 'stsz');
  const head = await body(source, stz2, 12);
  const field = head[7]!;
  const count = Math.min(head.readUInt32BE(8), wanted);
  if (field !== 4 && field !== 8 && field !== 16) throw new BadAudio('its compact sample size table is broken');
  const table = await source.read(stz2.start + 12, Math.ceil((count * field) / 8));
  const sizes: number[] = [];
  for (let i = 0; i < count && (i * field) / 8 < table.length; i++) {
    if (field === 16) sizes.push(table.readUInt16BE(i * 2));
    else if (field === 8) sizes.push(table[i]!);
    else sizes.push(i % 2 === 0 ? table[i >> 1]! >> 4 : table[i >> 1]! & 15);
  }
  return sizes;
}

/** The file offsets of as many chunks as hold the first `wanted` samples. */
async function offsets(
  source: ByteSource,
  stbl: Box[],
  runs: { firstChunk: number; perChunk: number }[],
  wanted: number,
): Promise<number[]> {
  let chunks = 0;
  for (let samples = 0, run = 0; samples < wanted; chunks++) {
    while (run + 1 < runs.length && runs[run + 1]!.firstChunk <= chunks + 1) run++;
    const perChunk = runs[run]?.perChunk ?? 0;
    if (perChunk === 0) break;
    samples += perChunk;
  }
  const stco = find(stbl, 'stco');
  const co64 = find(stbl, 'co64');
  const box = need(stco ?? co64, 'stco');
  const width = stco ? 4 : 8;
  const count = Math.min((await body(source, box, 8)).readUInt32BE(4), chunks);
  const table = await source.read(box.start + 8, count * width);
  const out: number[] = [];
  for (let at = 0; at + width <= table.length; at += width)
    out.push(width === 4 ? table.readUInt32BE(at) : Number(table.readBigUInt64BE(at)));
  return out;
}
