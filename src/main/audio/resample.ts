/**
 * Sample-rate conversion for the analysis audio: a Kaiser-windowed sinc, evaluated as a polyphase
 * filter. A plain linear interpolation would fold everything between the new Nyquist frequency and
 * the old one (cymbals, hi-hats, the air of a 44.1 kHz recording) back into the analysed band,
 * which is where brightness and onset features look; the sinc low-passes at the lower of the two
 * Nyquist frequencies first. 16 zero crossings a side and β = 6 give about 60 dB of stopband; the
 * transition band straddles the cut-off, so what little aliases lands in the top 1.3 kHz only.
 */

const ZERO_CROSSINGS = 16;
const KAISER_BETA = 6;
/** Above this many distinct phases the kernel is computed per sample rather than tabled. */
const MAX_TABLED_PHASES = 16384;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** Fills `out` with the taps for an output sample that falls `frac` (0 ≤ frac < 1) past an input sample. */
function kernel(out: Float32Array, offset: number, frac: number, half: number, scale: number, i0Beta: number): void {
  let sum = 0;
  for (let k = 0; k < 2 * half; k++) {
    const x = k - half + 1 - frac; // distance from the output instant to input tap k, in input samples
    const r = x / half;
    let h = 0;
    if (r > -1 && r < 1) {
      const s = scale * x;
      const sinc = s === 0 ? 1 : Math.sin(Math.PI * s) / (Math.PI * s);
      h = scale * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta);
    }
    out[offset + k] = h;
    sum += h;
  }
  // Unity gain at DC for every phase, so a constant stays constant.
  if (sum !== 0) for (let k = 0; k < 2 * half; k++) out[offset + k] = out[offset + k]! / sum;
}

/** `input` at `fromRate` as audio at `toRate`; the same array when the rates agree. */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new RangeError(`cannot resample from ${fromRate} Hz to ${toRate} Hz`);
  }
  if (fromRate === toRate) return input;
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const scale = Math.min(1, toRate / fromRate); // cut-off, as a fraction of the input's Nyquist frequency
  const half = Math.ceil(ZERO_CROSSINGS / scale); // taps on each side, in input samples
  const taps = 2 * half;
  const i0Beta = besselI0(KAISER_BETA);
  const outLength = Math.floor((input.length * up) / down);
  const output = new Float32Array(outLength);
  const tabled = up <= MAX_TABLED_PHASES;
  const table = new Float32Array(tabled ? up * taps : taps);
  if (tabled) for (let p = 0; p < up; p++) kernel(table, p * taps, p / up, half, scale, i0Beta);
  const last = input.length - 1;
  let base = 0; // the input sample at or before output n
  let phase = 0; // how far past it, in units of 1/up input samples
  for (let n = 0; n < outLength; n++) {
    let offset = 0;
    if (tabled) offset = phase * taps;
    else kernel(table, 0, phase / up, half, scale, i0Beta);
    const first = base - half + 1;
    let acc = 0;
    if (first >= 0 && first + taps - 1 <= last) {
      for (let k = 0; k < taps; k++) acc += input[first + k]! * table[offset + k]!;
    } else {
      for (let k = 0; k < taps; k++) {
        const i = first + k;
        if (i >= 0 && i <= last) acc += input[i]! * table[offset + k]!;
      }
    }
    output[n] = acc;
    phase += down;
    while (phase >= up) {
      phase -= up;
      base++;
    }
  }
  return output;
}
