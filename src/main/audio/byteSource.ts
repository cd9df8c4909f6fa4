/** An audio file read by offsets, with a tally of the bytes taken from disk. */
import { open, type FileHandle } from 'node:fs/promises';

/** How much a decoder asks for at a time as it walks a stream from front to back. */
export const CHUNK_BYTES = 64 * 1024;

export class ByteSource {
  /** Bytes read from the file so far. */
  bytesRead = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly onRead: ((bytes: number) => void) | undefined,
  ) {}

  static async open(path: string, onRead?: (bytes: number) => void): Promise<ByteSource> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new ByteSource(handle, size, onRead);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Up to `length` bytes from `at`: fewer where the file ends first. */
  async read(at: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.size - at));
    const buffer = Buffer.alloc(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.handle.read(buffer, filled, wanted - filled, at + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.bytesRead += filled;
    this.onRead?.(filled);
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Where the audio starts: after any ID3v2 tags in front (MP3 always may have them; some taggers add them to FLAC). */
export async function afterId3(source: ByteSource): Promise<number> {
  let at = 0;
  for (;;) {
    const head = await source.read(at, 10);
    if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3') return at;
    const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
    at += 10 + size + (head[5]! & 0x10 ? 10 : 0);
  }
}
