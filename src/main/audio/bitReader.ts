/** Most-significant-bit-first reading of a byte array, as FLAC and ALAC pack their frames. */

/** Thrown when a read runs past the bytes at hand: the frame continues in bytes not read yet. */
export class Underflow extends Error {
  constructor() {
    super('the data ends in the middle of a frame');
  }
}

export class BitReader {
  /** The next byte to take bits from, and how many of its bits (from the top) are already taken. */
  byte: number;
  bit = 0;

  constructor(
    readonly data: Uint8Array,
    start = 0,
    private readonly end = data.length,
  ) {
    this.byte = start;
  }

  get bitsLeft(): number {
    return (this.end - this.byte) * 8 - this.bit;
  }

  /** The 32 bits from the current byte on (zeros past the end). */
  private word(): number {
    const d = this.data;
    const p = this.byte;
    if (p + 4 <= this.end) return ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
    let w = 0;
    for (let i = 0; i < 4; i++) w = w * 256 + (p + i < this.end ? d[p + i]! : 0);
    return w;
  }

  /** An unsigned value of up to 48 bits. */
  bits(n: number): number {
    if (n === 0) return 0;
    if (n > this.bitsLeft) throw new Underflow();
    if (n > 24) {
      const high = this.bits(n - 16);
      return high * 65536 + this.bits(16);
    }
    const value = ((this.word() << this.bit) >>> 0) >>> (32 - n);
    const total = this.bit + n;
    this.byte += total >> 3;
    this.bit = total & 7;
    return value;
  }

  /** A two's-complement value of up to 33 bits (a FLAC side channel of 32-bit audio). */
  signed(n: number): number {
    if (n === 0) return 0;
    const value = this.bits(n);
    return value >= 2 ** (n - 1) ? value - 2 ** n : value;
  }

  bit1(): number {
    if (this.byte >= this.end) throw new Underflow();
    const value = (this.data[this.byte]! >> (7 - this.bit)) & 1;
    if (++this.bit === 8) {
      this.bit = 0;
      this.byte++;
    }
    return value;
  }

  /** The count of 0 bits before the next 1 bit, which is consumed too. */
  zerosThenOne(): number {
    const data = this.data;
    let count = 0;
    for (;;) {
      if (this.byte >= this.end) throw new Underflow();
      const rest = (data[this.byte]! << this.bit) & 0xff;
      if (rest === 0) {
        count += 8 - this.bit;
        this.bit = 0;
        this.byte++;
        continue;
      }
      const zeros = Math.clz32(rest) - 24;
      count += zeros;
      this.bit += zeros + 1;
      if (this.bit >= 8) {
        this.bit -= 8;
        this.byte++;
      }
      return count;
    }
  }

  /**
   * Rice-coded values with parameter `k`, zigzag-decoded to signed, into out[from, to):
   * FLAC's residuals, where a decoder spends most of its time.
   */
  rice(out: Float64Array, from: number, to: number, k: number): void {
    const scale = 2 ** k;
    for (let i = from; i < to; i++) {
      const q = this.zerosThenOne();
      let v = q * scale;
      if (k > 24) {
        v += this.bits(k);
      } else if (k > 0) {
        if (k > this.bitsLeft) throw new Underflow();
        v += ((this.word() << this.bit) >>> 0) >>> (32 - k);
        const total = this.bit + k;
        this.byte += total >> 3;
        this.bit = total & 7;
      }
      out[i] = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    }
  }

  /** Up to `limit` (at most 24) 1 bits, stopping after (and consuming) the first 0 bit: ALAC's unary prefix. */
  onesUpTo(limit: number): number {
    const available = Math.min(limit, this.bitsLeft);
    const w = (this.word() << this.bit) >>> 0;
    const ones = Math.min(Math.clz32(~w), available);
    if (ones < limit && ones >= this.bitsLeft) throw new Underflow();
    this.skip(ones < limit ? ones + 1 : ones);
    return ones;
  }

  /** The next 32 bits, of which the first 25 at least are the stream's (zeros past the end). */
  peek32(): number {
    return (this.word() << this.bit) >>> 0;
  }

  /** The next `n` (at most 24) bits without consuming them, padded with zeros past the end. */
  peek(n: number): number {
    if (n === 0) return 0;
    return ((this.word() << this.bit) >>> 0) >>> (32 - n);
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new Underflow();
    const total = this.bit + n;
    this.byte += Math.floor(total / 8);
    this.bit = total % 8;
  }

  alignToByte(): void {
    if (this.bit !== 0) {
      this.bit = 0;
      this.byte++;
    }
  }
}
