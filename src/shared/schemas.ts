/**
 * Payload schemas for every API call. The Node side validates each request against these
 * before any service sees it, whichever transport carried it.
 */
import { z } from 'zod';
import { EXPRESSION_STATES, EXPRESSIONS, type ExpressionState } from './expressions.js';
import { MOODS } from './mood.js';
import { CALIBRATION_POSES, EXPRESSION_MODEL_CHOICES, MAX_FRAME_HEIGHT, MAX_FRAME_WIDTH } from './vision.js';

const frameSize = {
  frameId: z.number().int().nonnegative(),
  width: z.number().int().min(16).max(MAX_FRAME_WIDTH),
  height: z.number().int().min(16).max(MAX_FRAME_HEIGHT),
};

/**
 * A frame from the camera, already downscaled by the renderer: RGBA from a canvas, or the camera's
 * own planar YUV (4:2:0), which the renderer copies without converting and the backend turns into RGB.
 */
export const videoFrameSchema = z
  .discriminatedUnion('format', [
    z
      .object({
        ...frameSize,
        format: z.literal('rgba'),
        /** width * height * 4 bytes, RGBA, row-major. */
        rgba: z.instanceof(Uint8Array),
      })
      .strict(),
    z
      .object({
        ...frameSize,
        format: z.literal('i420'),
        /** The Y plane (width * height), then U and V (each width/2 * height/2), row-major, no padding. */
        i420: z.instanceof(Uint8Array),
        /** How the camera encoded its colours (WebCodecs' VideoColorSpace, unknown read as BT.601 limited range). */
        matrix: z.enum(['bt601', 'bt709']),
        fullRange: z.boolean(),
      })
      .strict(),
  ])
  .superRefine((f, ctx) => {
    if (f.format === 'rgba') {
      if (f.rgba.byteLength !== f.width * f.height * 4) {
        ctx.addIssue({ code: 'custom', message: 'rgba must hold exactly width * height * 4 bytes', path: ['rgba'] });
      }
    } else if (f.width % 2 !== 0 || f.height % 2 !== 0) {
      ctx.addIssue({ code: 'custom', message: 'an i420 frame must have an even width and height', path: ['i420'] });
    } else if (f.i420.byteLength !== (f.width * f.height * 3) / 2) {
      ctx.addIssue({ code: 'custom', message: 'i420 must hold exactly width * height * 3 / 2 bytes', path: ['i420'] });
    }
  });

export const emptyParamsSchema = z.union([z.undefined(), z.null(), z.object({}).strict()]);

const id = z.number().int().positive();
const path = z.string().min(1).max(4096);
const trackIds = z.array(id).min(1).max(100_000);
const moodSchema = z.enum(MOODS);
const expressionStateSchema = z.enum(EXPRESSION_STATES as [ExpressionState, ...ExpressionState[]]);
export const policyModeSchema = z.enum(['match', 'lift']);
const modeSchema = policyModeSchema;

export const addFolderSchema = z.object({ path }).strict();
export const folderIdSchema = z.object({ id }).strict();
export const rescanSchema = z.object({ folderId: id.optional() }).strict();
/** title, artist, album and genre sort naturally ("track2" before "track10"), ignoring case and accents. */
export const trackSortSchema = z.enum(['title', 'artist', 'album', 'duration', 'added', 'trackNo', 'genre', 'year']);
/** Left out, each sort goes its natural way: ascending, except `added`, newest first. */
export const sortDirectionSchema = z.enum(['asc', 'desc']);
/** The most tracks one library.tracks call returns: a large library comes in pages, each a call of its own. */
export const TRACK_PAGE_SIZE = 2000;
/** The most artists, albums or genres one call returns. */
export const SUMMARY_PAGE_SIZE = 2000;
const tagValue = z.string().max(1000);
const offset = z.number().int().min(0);
/**
 * Which tracks: a search over title, artist, album, album artist and genre, and exact filters
 * (case and accents aside). '' picks the tracks without that tag; `album` with `albumArtist` picks
 * one album as library.albums names it; `mood` is the mood that counts for the track.
 */
export const trackFilterSchema = z
  .object({
    query: z.string().max(200).optional(),
    artist: tagValue.optional(),
    album: tagValue.optional(),
    albumArtist: tagValue.optional(),
    genre: tagValue.optional(),
    mood: moodSchema.optional(),
    /** The tracks of one music folder. */
    folderId: z.number().int().min(1).optional(),
    /** true: only the files that could not be read or played (with their reasons); false: only the others. */
    unreadable: z.boolean().optional(),
  })
  .strict();
export const trackQuerySchema = trackFilterSchema
  .extend({
    sort: trackSortSchema.optional(),
    direction: sortDirectionSchema.optional(),
    offset: offset.optional(),
    limit: z.number().int().min(1).max(TRACK_PAGE_SIZE).optional(),
  })
  .strict();
const summaryPage = {
  direction: sortDirectionSchema.optional(),
  offset: offset.optional(),
  limit: z.number().int().min(1).max(SUMMARY_PAGE_SIZE).optional(),
};
export const artistQuerySchema = z.object({ sort: z.enum(['name', 'trackCount']).optional(), ...summaryPage }).strict();
/** Every album, or with `artist` those where the artist has a track or is the album artist. */
export const albumQuerySchema = z
  .object({ artist: tagValue.optional(), sort: z.enum(['album', 'artist', 'year', 'trackCount']).optional(), ...summaryPage })
  .strict();
export const genreQuerySchema = z.object({ sort: z.enum(['name', 'trackCount']).optional(), ...summaryPage }).strict();
export const setMoodSchema = z.object({ trackIds, mood: moodSchema.nullable() }).strict();
export const trackIdsSchema = z.object({ trackIds }).strict();
/** The longest playlist name. */
export const MAX_PLAYLIST_NAME = 200;
/** The most entries one playlist holds. */
export const MAX_PLAYLIST_ENTRIES = 100_000;
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- these are the characters to keep out
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A playlist's name, trimmed: one line of at most MAX_PLAYLIST_NAME characters. */
const playlistName = z
  .string()
  .trim()
  .min(1, 'give the playlist a name')
  .max(MAX_PLAYLIST_NAME, `a playlist name can be at most ${MAX_PLAYLIST_NAME} characters long`)
  .refine((name) => !CONTROL_CHARACTER.test(name), 'a playlist name cannot hold line breaks, tabs or other control characters');
const playlistId = id;
/** A place in a playlist: 0 is the top. */
const position = z.number().int('a position is a whole number').min(0, 'a position counts from 0, the top of the playlist');
/** The playlist's text, read by the renderer from a file the user picked: never a path. */
export const importPlaylistSchema = z.object({ name: playlistName, content: z.string().max(8 * 1024 * 1024) }).strict();
/** Tracks (the queue, a selection) or one saved playlist, as M3U8 text. */
export const exportPlaylistSchema = z.union([z.object({ trackIds }).strict(), z.object({ playlistId }).strict()], {
  error: 'give trackIds (the tracks to export, e.g. the queue) or playlistId (a saved playlist), and nothing else',
});
export const playlistIdSchema = z.object({ playlistId }).strict();
/** One page of a playlist's entries, in order (pages of at most TRACK_PAGE_SIZE). */
export const playlistEntriesSchema = z
  .object({ playlistId, offset: offset.optional(), limit: z.number().int().min(1).max(TRACK_PAGE_SIZE).optional() })
  .strict();
/** A new playlist, empty or with these tracks (saving the queue as a playlist). */
export const createPlaylistSchema = z.object({ name: playlistName, trackIds: z.array(id).max(MAX_PLAYLIST_ENTRIES).optional() }).strict();
export const renamePlaylistSchema = z.object({ playlistId, name: playlistName }).strict();
/** Tracks put into a playlist at `position` (0 is the top), or at its end when left out. */
export const addToPlaylistSchema = z
  .object({ playlistId, trackIds: z.array(id).min(1).max(MAX_PLAYLIST_ENTRIES), position: position.optional() })
  .strict();
export const removeFromPlaylistSchema = z.object({ playlistId, entryIds: z.array(id).min(1).max(MAX_PLAYLIST_ENTRIES) }).strict();
/** An entry moved so that it is at `position` (from 0) once moved. */
export const movePlaylistEntrySchema = z.object({ playlistId, entryId: id, position }).strict();

const policyRow = z
  .object(
    Object.fromEntries(EXPRESSION_STATES.map((e) => [e, moodSchema.nullable()])) as Record<
      ExpressionState,
      z.ZodNullable<typeof moodSchema>
    >,
  )
  .strict();
export const moodPolicySchema = z.object({ match: policyRow, lift: policyRow }).strict();
export const setPolicySchema = z.object({ policy: moodPolicySchema }).strict();
export const nextTrackSchema = z.object({ expression: expressionStateSchema, mode: modeSchema, currentTrackId: id.optional() }).strict();
export const recordPlaySchema = z
  .object({
    trackId: id,
    expression: expressionStateSchema.optional(),
    mode: modeSchema.optional(),
    reason: z.string().max(500).optional(),
    /** The listener started it themselves; expression and mode are then those of that moment. */
    byHand: z.boolean().optional(),
  })
  .strict();
export const moodHistorySchema = z.object({ days: z.number().int().min(1).max(366) }).strict();
export const moodFeedbackSchema = z
  .object({
    trackId: id,
    kind: z.enum(['skipped', 'not-this-mood']),
    playedSeconds: z.number().min(0).max(1e6).optional(),
  })
  .strict();
export const expressionStateSettingsSchema = z
  .object({
    /** Time constant of the exponential smoothing, in ms (63% of a step after this long); 0 is none. */
    smoothingMs: z.number().min(0).max(10_000),
    /** Below this smoothed top probability the state is `uncertain`. */
    uncertainBelow: z.number().min(0).max(1),
    /** With no face for this long the state is `no-face`. */
    noFaceAfterMs: z.number().min(0).max(60_000),
    /** A new expression must lead the current one by this much probability to be considered. */
    hysteresis: z.number().min(0).max(1),
    /** A new state must hold this long before it becomes the stable one. */
    minDwellMs: z.number().min(0).max(60_000),
  })
  .strict();
/** Which shipped expression model reads the face. */
export const setExpressionModelSchema = z.object({ model: z.enum(EXPRESSION_MODEL_CHOICES) }).strict();
export const setExpressionSettingsSchema = z.object({ settings: expressionStateSettingsSchema }).strict();
export const markUnplayableSchema = z.object({ trackId: id, message: z.string().min(1).max(500) }).strict();
/** One pose of the guided calibration ("look relaxed": neutral). */
export const calibrationPoseSchema = z.object({ pose: z.enum(CALIBRATION_POSES) }).strict();
/** "Not sad": the listener says the stable expression shown is not theirs. */
export const correctExpressionSchema = z.object({ not: z.enum(EXPRESSIONS) }).strict();
