/**
 * What the player keeps across a restart: the queue, where it was in it, and the listener's
 * choices of sound and loop. Stored by the backend; the renderer saves it and reads it back.
 */
import { z } from 'zod';
import type { Track } from './library.js';
import { policyModeSchema } from './schemas.js';

/** A queue longer than this is cut to the part around the current track when it is saved. */
export const MAX_SAVED_QUEUE = 5000;

/** The longest blend of one song into the next, in seconds; 0 plays them back to back. */
export const MAX_CROSSFADE_SEC = 12;

/** Volume levelling from the files' ReplayGain tags: off, each song's own gain, or its album's. */
export const levellingSchema = z.enum(['off', 'track', 'album']);
export type Levelling = z.infer<typeof levellingSchema>;

export const DEFAULT_CROSSFADE_SEC = 0;
export const DEFAULT_LEVELLING: Levelling = 'track';

export const playerStateSchema = z
  .object({
    /** Track ids in queue order. */
    queue: z.array(z.number().int().positive()).max(MAX_SAVED_QUEUE),
    /** The current track's place in `queue`; -1 when nothing is current. */
    index: z.number().int().min(-1).max(MAX_SAVED_QUEUE),
    /** Seconds into the current track. */
    positionSec: z.number().min(0).max(1e6),
    volume: z.number().min(0).max(1),
    muted: z.boolean(),
    mode: policyModeSchema,
    handsFree: z.boolean(),
    switchNow: z.boolean(),
    // Optional: a state saved before these settings existed still reads back (with the defaults).
    crossfadeSec: z.number().min(0).max(MAX_CROSSFADE_SEC).optional(),
    levelling: levellingSchema.optional(),
    /** How long a song goes on once hands-free picked another: null to its end, 0 not at all (`switchNow` is its older on/off form). */
    switchWithinSec: z.number().int().min(0).max(600).nullable().optional(),
  })
  .strict();

export const savePlayerStateSchema = z.object({ state: playerStateSchema }).strict();

export type PlayerState = z.infer<typeof playerStateSchema>;

/** The saved state with its tracks read back; tracks gone from the library (or unreadable) are left out. */
export interface RestoredPlayerState extends Omit<PlayerState, 'queue'> {
  queue: Track[];
  /** How many queued tracks were left out. */
  dropped: number;
}
