/** MP4/M4A sound tracks: AAC (through Symphonia, see aacDecoder.ts) and Apple Lossless (decoded here). */
import { decodeAdts, parseEsds, toAdts } from './aacDecoder.js';
import { AlacDecoder, parseAlacConfig } from './alacDecoder.js';
import { ANALYSIS_SECONDS, BadAudio, DamageCount, MonoCollector } from './analysisAudio.js';
import { Underflow } from './bitReader.js';
import type { ByteSource } from './byteSource.js';
import { readMp4Samples, UnsupportedCodec, type Mp4AudioTrack } from './mp4Demuxer.js';
import type { PcmAudio } from './wav.js';

/** A collector at `rate` that drops the edit list's encoder delay and stops where the edit list ends. */
function collectorFor(track: Mp4AudioTrack, rate: number): MonoCollector {
  const toFrames = rate / track.timescale;
  return new MonoCollector(rate, track.skip * toFrames, track.duration === null ? Infinity : track.duration * toFrames);
}

export async function decodeMp4File(source: ByteSource): Promise<PcmAudio> {
  const { track, samples } = await readMp4Samples(source, ANALYSIS_SECONDS);
  if (track.codec === 'mp4a') {
    const esds = track.config.get('esds');
    if (!esds) throw new BadAudio("its AAC track has no decoder configuration ('esds' box)");
    const config = parseEsds(esds);
    const channels = await decodeAdts(toAdts(config, samples), config.sampleRate);
    const collector = collectorFor(track, config.sampleRate);
    collector.push(channels);
    return collector.finish();
  }
  if (track.codec === 'alac') {
    const cookie = track.config.get('alac');
    if (!cookie) throw new BadAudio("its Apple Lossless track has no decoder configuration ('alac' box)");
    const config = parseAlacConfig(cookie);
    const decoder = new AlacDecoder(config);
    const collector = collectorFor(track, config.sampleRate || track.sampleRate);
    const scale = 2 ** (1 - config.bitDepth);
    const planar = decoder.out.map(() => new Float32Array(config.frameLength));
    const damage = new DamageCount('frames');
    for (const sample of samples) {
      let frames: number;
      try {
        frames = decoder.decode(sample);
        damage.passed();
      } catch (error) {
        if (!(error instanceof BadAudio || error instanceof Underflow)) throw error;
        // A damaged frame: counted, and heard as a frame of silence.
        damage.failed(error instanceof Underflow ? new BadAudio('a frame ends before its data does') : error);
        for (const p of planar) p.fill(0);
        collector.push(planar, config.frameLength);
        continue;
      }
      for (let c = 0; c < planar.length; c++) {
        const from = decoder.out[c]!;
        const to = planar[c]!;
        for (let i = 0; i < frames; i++) to[i] = from[i]! * scale;
      }
      collector.push(planar, frames);
      if (collector.full) break;
    }
    damage.check();
    return collector.finish();
  }
  throw new UnsupportedCodec(`MP4 audio in the '${track.codec}' codec`);
}
