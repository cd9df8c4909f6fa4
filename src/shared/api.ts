/**
 * The one API between the renderer and the Node services. Transports (Electron IPC, the
 * browser-mode WebSocket bridge) carry these calls and events without knowing their meaning.
 */
import type { z } from 'zod';
import type { ExpressionStateSettings } from './expressions.js';
import type {
  AlbumSummary,
  ArtistSummary,
  GenreSummary,
  ImportedPlaylist,
  LibraryFolder,
  PlaylistEntry,
  PlaylistSummary,
  RestoredFolder,
  ScanProgress,
  Track,
} from './library.js';
import type { Mood, MoodHistory, MoodPolicy } from './mood.js';
import {
  addFolderSchema,
  addToPlaylistSchema,
  albumQuerySchema,
  artistQuerySchema,
  createPlaylistSchema,
  emptyParamsSchema,
  exportPlaylistSchema,
  folderIdSchema,
  genreQuerySchema,
  importPlaylistSchema,
  nextTrackSchema,
  recordPlaySchema,
  moodFeedbackSchema,
  moodHistorySchema,
  markUnplayableSchema,
  movePlaylistEntrySchema,
  playlistEntriesSchema,
  playlistIdSchema,
  removeFromPlaylistSchema,
  renamePlaylistSchema,
  setExpressionModelSchema,
  setExpressionSettingsSchema,
  rescanSchema,
  setMoodSchema,
  setPolicySchema,
  trackFilterSchema,
  trackIdsSchema,
  trackQuerySchema,
  videoFrameSchema,
  calibrationPoseSchema,
  correctExpressionSchema,
} from './schemas.js';
import type { CalibrationOutcome, CalibrationStatus, DetectionResult, ExpressionModels, FaceCropImage, VisionInfo } from './vision.js';
import { savePlayerStateSchema, type RestoredPlayerState } from './playerState.js';

export interface AppInfo extends VisionInfo {
  name: string;
  version: string;
  /** Which transport the backend sees; for the About box, never for branching in the UI. */
  transport: 'electron' | 'web';
  /** Whether library.pickFolder can open a folder dialog (the desktop app); else folders are typed. */
  canPickFolder: boolean;
  /** Audio of a library track is at `${mediaBase}${trackId}`, its cover art at `${coverBase}${trackId}`. */
  mediaBase: string;
  coverBase: string;
}

export interface FrameAck {
  frameId: number;
  /** False when the session is closing and the frame was not taken. */
  queued: boolean;
}

export interface TrackChoiceResult {
  track: Track;
  targetMood: Mood;
  reason: string;
}

/** One API call: the schema its params must pass and, as a type only, what it returns. */
export interface ApiCall<P extends z.ZodType, R> {
  readonly params: P;
  /** Never set: carries the result type. */
  readonly result?: R;
}

const call = <P extends z.ZodType>(params: P) => ({ returns: <R>(): ApiCall<P, R> => ({ params }) });

/** Every request/response call, each declared once: method name -> params schema and result type. */
export const API_CALLS = {
  'app.info': call(emptyParamsSchema).returns<AppInfo>(),
  'vision.submitFrame': call(videoFrameSchema).returns<FrameAck>(),
  'vision.settings': call(emptyParamsSchema).returns<ExpressionStateSettings>(),
  'vision.setSettings': call(setExpressionSettingsSchema).returns<ExpressionStateSettings>(),
  /** The shipped expression models, each with its card's accuracy, and the one in use. */
  'vision.models': call(emptyParamsSchema).returns<ExpressionModels>(),
  /** Loads that model and reads the face with it from the next frame; if it cannot be loaded, the one before stays and this fails. */
  'vision.setModel': call(setExpressionModelSchema).returns<ExpressionModels>(),
  /** The listener's calibration: which poses, when, the offsets, and why it is not in use if it is not. */
  'vision.calibration': call(emptyParamsSchema).returns<CalibrationStatus>(),
  /** The caller's next frames are this pose (the guided step says "look relaxed"), until it is finished or cancelled. */
  'vision.startCalibrationPose': call(calibrationPoseSchema).returns<CalibrationOutcome>(),
  /** The pose's frames are fitted and saved; with no face, or several, the pose fails and the calibration before it stays. */
  'vision.finishCalibrationPose': call(calibrationPoseSchema).returns<CalibrationOutcome>(),
  'vision.cancelCalibrationPose': call(emptyParamsSchema).returns<{ cancelled: boolean }>(),
  /** Deletes the calibration, on disk too: the model reads the face as it is again. */
  'vision.forgetCalibration': call(emptyParamsSchema).returns<CalibrationStatus>(),
  /** "Not sad": the caller's latest frames, read as that, count against it in the calibration. */
  'vision.correctExpression': call(correctExpressionSchema).returns<CalibrationOutcome>(),
  /**
   * The face the expression model received from the caller's own latest frame, or null. Asking keeps
   * the crop coming for a moment: only the privacy view asks, while it is open; nothing is stored.
   */
  'vision.faceCrop': call(emptyParamsSchema).returns<FaceCropImage | null>(),
  'library.folders': call(emptyParamsSchema).returns<LibraryFolder[]>(),
  'library.addFolder': call(addFolderSchema).returns<LibraryFolder>(),
  /** The folder chosen in the desktop app's dialog and added, or null when the dialog was cancelled. */
  'library.pickFolder': call(emptyParamsSchema).returns<LibraryFolder | null>(),
  /** What the user made for its tracks (moods, feedback, playlist entries) is kept by path: library.restoreFolder puts it back. */
  'library.removeFolder': call(folderIdSchema).returns<{ removed: boolean }>(),
  /** Adds a removed folder back (Undo) and answers once its scan is done, with what came back. */
  'library.restoreFolder': call(addFolderSchema).returns<RestoredFolder>(),
  'library.rescan': call(rescanSchema).returns<ScanProgress[]>(),
  /** One page of tracks, searched, filtered and sorted by the database (pages of at most TRACK_PAGE_SIZE). */
  'library.tracks': call(trackQuerySchema).returns<Track[]>(),
  /** How many tracks library.tracks has for these filters, in all its pages. */
  'library.trackCount': call(trackFilterSchema).returns<{ count: number }>(),
  'library.artists': call(artistQuerySchema).returns<ArtistSummary[]>(),
  'library.albums': call(albumQuerySchema).returns<AlbumSummary[]>(),
  'library.genres': call(genreQuerySchema).returns<GenreSummary[]>(),
  'library.setMood': call(setMoodSchema).returns<{ changed: number }>(),
  'library.writeMoodTags': call(trackIdsSchema).returns<{ written: number; failed: { path: string; message: string }[] }>(),
  /** A new playlist from M3U text ("Name (2)" where the name is taken); entries not in the library stay as missing ones. */
  'library.importPlaylist': call(importPlaylistSchema).returns<ImportedPlaylist>(),
  /** M3U8 text of tracks ({ trackIds }: the queue, a selection) or of a saved playlist ({ playlistId }), to offer as a download. */
  'library.exportPlaylist': call(exportPlaylistSchema).returns<{ content: string; written: number }>(),
  'library.playlists': call(emptyParamsSchema).returns<PlaylistSummary[]>(),
  /** One page of a playlist's entries in order (pages of at most TRACK_PAGE_SIZE); a missing entry has a null track. */
  'library.playlistEntries': call(playlistEntriesSchema).returns<PlaylistEntry[]>(),
  /** A new playlist, empty or with these tracks (saving the queue); a name another playlist has is refused. */
  'library.createPlaylist': call(createPlaylistSchema).returns<PlaylistSummary>(),
  'library.renamePlaylist': call(renamePlaylistSchema).returns<PlaylistSummary>(),
  'library.deletePlaylist': call(playlistIdSchema).returns<{ deleted: boolean }>(),
  /** Tracks put in at `position` (0 is the top), or at the end. */
  'library.addToPlaylist': call(addToPlaylistSchema).returns<{ added: number; playlist: PlaylistSummary }>(),
  /** Entries taken out by their ids (a track can be in a playlist twice). */
  'library.removeFromPlaylist': call(removeFromPlaylistSchema).returns<{ removed: number; playlist: PlaylistSummary }>(),
  /** An entry moved to `position` (where it is once moved). */
  'library.movePlaylistEntry': call(movePlaylistEntrySchema).returns<PlaylistSummary>(),
  'mood.policy': call(emptyParamsSchema).returns<MoodPolicy>(),
  'mood.setPolicy': call(setPolicySchema).returns<MoodPolicy>(),
  'mood.next': call(nextTrackSchema).returns<TrackChoiceResult | null>(),
  'mood.recordPlay': call(recordPlaySchema).returns<{ recorded: boolean }>(),
  /** Whether the feedback taught anything (a late skip, or a skip of a track you chose, does not). */
  'mood.feedback': call(moodFeedbackSchema).returns<{ recorded: boolean }>(),
  /** The last `days` days of listening, one entry per day, oldest first. */
  'mood.history': call(moodHistorySchema).returns<MoodHistory>(),
  'library.markUnplayable': call(markUnplayableSchema).returns<{ marked: boolean }>(),
  /** The queue, position and sound of the last run, or null when none was saved. */
  'player.state': call(emptyParamsSchema).returns<RestoredPlayerState | null>(),
  'player.saveState': call(savePlayerStateSchema).returns<{ saved: boolean }>(),
} as const;

export type ApiMethod = keyof typeof API_CALLS;

/** Each call's result type, read from the table. */
export type ApiResults = { [M in ApiMethod]: (typeof API_CALLS)[M] extends ApiCall<z.ZodType, infer R> ? R : never };

/** Each call's params schema, read from the table (the dispatcher validates with it). */
export const apiCallSchemas = Object.fromEntries(Object.entries(API_CALLS).map(([method, c]) => [method, c.params])) as {
  [M in ApiMethod]: (typeof API_CALLS)[M]['params'];
};

export type ApiParams<M extends ApiMethod> = z.input<(typeof API_CALLS)[M]['params']>;

export interface VisionError {
  frameId: number;
  message: string;
}

/** Events pushed from the backend to the renderer. */
export interface ApiEvents {
  'vision.faces': DetectionResult;
  'vision.error': VisionError;
  'library.scanProgress': ScanProgress;
  /** Something in the library changed: lists should be fetched again. */
  'library.changed': null;
}

export type ApiEventName = keyof ApiEvents;

export const API_EVENT_NAMES: readonly ApiEventName[] = ['vision.faces', 'vision.error', 'library.scanProgress', 'library.changed'];

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && Object.hasOwn(API_CALLS, value);
}

export function isApiEventName(value: unknown): value is ApiEventName {
  return typeof value === 'string' && (API_EVENT_NAMES as readonly string[]).includes(value);
}

/** An error that crosses a transport: a stable code plus a message fit for the UI. */
export interface ApiErrorPayload {
  code: 'bad-request' | 'unknown-method' | 'internal';
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorPayload['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a transport provides: one way to call, one way to listen. */
export interface ApiTransport {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]>;
  subscribe<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/** The feature a method belongs to ("library" of "library.setMood") and its name within it. */
type FeatureOf<M extends string> = M extends `${infer F}.${string}` ? F : never;
type Feature = FeatureOf<ApiMethod>;

/** A call as a function: params may be left out where the call takes none. */
type CallFunction<M extends ApiMethod> =
  undefined extends ApiParams<M> ? (params?: ApiParams<M>) => Promise<ApiResults[M]> : (params: ApiParams<M>) => Promise<ApiResults[M]>;

/** The calls grouped by feature, typed end to end: `api.library.setMood({ trackIds, mood })`. */
export type ApiFeatures = {
  [F in Feature]: { [M in ApiMethod as M extends `${F}.${infer N}` ? N : never]: CallFunction<M> };
};

/** The typed API object the renderer uses; it is the same whatever the transport. */
export type EmotuneApi = ApiFeatures & {
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

export function createApi(transport: ApiTransport): EmotuneApi {
  const features: Record<string, Record<string, (params?: unknown) => Promise<unknown>>> = {};
  for (const method of Object.keys(API_CALLS) as ApiMethod[]) {
    const [feature, name] = method.split('.') as [string, string];
    (features[feature] ??= {})[name] = (params) => transport.call(method, params as ApiParams<typeof method>);
  }
  return { ...(features as unknown as ApiFeatures), on: (event, listener) => transport.subscribe(event, listener) };
}
