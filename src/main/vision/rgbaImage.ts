/** Images as the vision code passes them around: raw RGBA bytes plus their size. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes. */
  data: Uint8Array;
}
