/**
 * Volume levelling: the gain a track's ReplayGain tags ask for, as a factor on its amplitude. The
 * tags say how far each song (or its whole album) sits from a common loudness, so songs from
 * different records play about equally loud.
 */
import type { ReplayGain } from '../../shared/library.js';
import type { Levelling } from '../../shared/playerState.js';

export function levellingGain(replayGain: ReplayGain | null | undefined, mode: Levelling): number {
  if (mode === 'off' || !replayGain) return 1;
  const { trackGainDb, trackPeak, albumGainDb, albumPeak } = replayGain;
  // Each mode falls back on the other's gain: some taggers write only one of the two.
  const [gainDb, peak] =
    mode === 'album' && albumGainDb !== null ? [albumGainDb, albumPeak ?? trackPeak] : [trackGainDb ?? albumGainDb, trackPeak ?? albumPeak];
  if (gainDb === null) return 1;
  const gain = 10 ** (gainDb / 20);
  // A boost that would push the loudest sample past full scale is held back, or it would clip.
  return peak !== null && peak > 0 ? Math.min(gain, 1 / peak) : gain;
}
