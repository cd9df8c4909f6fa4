/** The audio the mood estimate reads: a minute of a WAV, however long the file is, at the analysis rate. */
import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_SAMPLE_RATE, ANALYSIS_SECONDS, decodeForAnalysis } from '../../../src/main/audio/decodeAudio.js';
import { decodeWav, encodeWav, wavHeader } from '../../../src/main/audio/wav.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-decode-'));

describe('decoding WAV for the mood estimate', () => {
  it('reads a 1.9 GiB file by its first minute only', async () => {
    // A sparse file: the header says 1.9 GiB of 16-bit stereo at 44.1 kHz; the disk holds almost nothing.
    const path = join(dir, 'huge.wav');
    const dataBytes = Math.round(1.9 * 1024 ** 3) & ~3; // whole frames
    const header = wavHeader(44100, 2, dataBytes);
    const fd = openSync(path, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, 44 + dataBytes);
    closeSync(fd);
    let read = 0;
    const pcm = await decodeForAnalysis(path, { onRead: (bytes) => (read += bytes) });
    // A minute of it and the chunk headers: 10 MB, not 1.9 GiB.
    expect(read).toBeGreaterThanOrEqual(ANALYSIS_SECONDS * 44100 * 4);
    expect(read).toBeLessThan(ANALYSIS_SECONDS * 44100 * 4 + 1024);
    expect(pcm.sampleRate).toBe(ANALYSIS_SAMPLE_RATE);
    expect(pcm.samples.length).toBe(ANALYSIS_SECONDS * ANALYSIS_SAMPLE_RATE);
  });

  it('gives the same samples as decoding the whole of a short file', async () => {
    const samples = Float32Array.from({ length: 22050 * 3 }, (_, i) => Math.sin(i / 10) * 0.5);
    const path = join(dir, 'short.wav');
    writeFileSync(path, encodeWav({ sampleRate: 22050, samples }));
    const whole = decodeWav(encodeWav({ sampleRate: 22050, samples }));
    expect(Array.from((await decodeForAnalysis(path)).samples)).toEqual(Array.from(whole.samples));
  });
});
