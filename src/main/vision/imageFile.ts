/** Decodes an image file into RGBA with sharp, with errors a person can act on. */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { RgbaImage } from './rgbaImage.js';

export class ImageFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageFileError';
  }
}

export async function readImageFile(path: string): Promise<RgbaImage> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ImageFileError(`${path} is not a file`);
  } catch (error) {
    if (error instanceof ImageFileError) throw error;
    throw new ImageFileError(
      `cannot open ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  try {
    // failOn 'truncated' so a cut-off JPEG is an error instead of a half-grey picture.
    const { data, info } = await sharp(path, { failOn: 'truncated' }).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    throw new ImageFileError(`cannot decode ${path} as an image: ${(error as Error).message}`);
  }
}
