/**
 * The one API between the renderer and the Node services. Transports (Electron IPC, the
 * browser-mode WebSocket bridge) carry these calls and events without knowing their meaning.
 */
import type { z } from 'zod';
import type { ExpressionStateSettings } from './expressions.js';
import type { LibraryFolder, ScanProgress, Track } from './library.js';
import type { Mood, MoodHistory, MoodPolicy } from './mood.js';
import {
  addFolderSchema,
  emptyParamsSchema,
  exportPlaylistSchema,
  folderIdSchema,
  importPlaylistSchema,
  nextTrackSchema,
  recordPlaySchema,
  moodFeedbackSchema,
  moodHistorySchema,
  markUnplayableSchema,
  setExpressionSettingsSchema,
  rescanSchema,
  setMoodSchema,
  setPolicySchema,
  trackIdsSchema,
  trackQuerySchema,
  videoFrameSchema,
} from './schemas.js';
import type { DetectionResult } from './vision.js';

export interface AppInfo {
  name: string;
  version: string;
  /** Which transport the backend sees; for the About box, never for branching in the UI. */
  transport: 'electron' | 'web';
  /** Whether library.pickFolder can open a folder dialog (the desktop app); else folders are typed. */
  canPickFolder: boolean;
  detector: {
    model: string;
    inputSize: number;
    executionProvider: string;
  };
  /** Audio of a library track is at `${mediaBase}${trackId}`, its cover art at `${coverBase}${trackId}`. */
  mediaBase: string;
  coverBase: string;
  /** The expression model in use, or why expression recognition is off. */
  expression: { model: string; version: string | null; executionProvider: string; classes: string[] } | { error: string };
}

export interface FrameAck {
  frameId: number;
  /** False when the session is closing and the frame was not taken. */
  queued: boolean;
}

/** Request/response calls: method name -> params and result. */
export const apiCallSchemas = {
  'app.info': emptyParamsSchema,
  'vision.submitFrame': videoFrameSchema,
  'vision.settings': emptyParamsSchema,
  'vision.setSettings': setExpressionSettingsSchema,
  'library.folders': emptyParamsSchema,
  'library.addFolder': addFolderSchema,
  'library.pickFolder': emptyParamsSchema,
  'library.removeFolder': folderIdSchema,
  'library.rescan': rescanSchema,
  'library.tracks': trackQuerySchema,
  'library.setMood': setMoodSchema,
  'library.writeMoodTags': trackIdsSchema,
  'library.importPlaylist': importPlaylistSchema,
  'library.exportPlaylist': exportPlaylistSchema,
  'mood.policy': emptyParamsSchema,
  'mood.setPolicy': setPolicySchema,
  'mood.next': nextTrackSchema,
  'library.recordPlay': recordPlaySchema,
  'mood.feedback': moodFeedbackSchema,
  'mood.history': moodHistorySchema,
  'library.markUnplayable': markUnplayableSchema,
} as const;

export interface TrackChoiceResult {
  track: Track;
  targetMood: Mood;
  reason: string;
}

export type ApiMethod = keyof typeof apiCallSchemas;

export interface ApiResults {
  'app.info': AppInfo;
  'vision.submitFrame': FrameAck;
  'vision.settings': ExpressionStateSettings;
  'vision.setSettings': ExpressionStateSettings;
  'library.folders': LibraryFolder[];
  'library.addFolder': LibraryFolder;
  /** The folder chosen in the desktop app's dialog and added, or null when the dialog was cancelled. */
  'library.pickFolder': LibraryFolder | null;
  'library.removeFolder': { removed: boolean };
  'library.rescan': ScanProgress[];
  'library.tracks': Track[];
  'library.setMood': { changed: number };
  'library.writeMoodTags': { written: number; failed: { path: string; message: string }[] };
  'library.importPlaylist': { name: string; matched: number; missing: string[] };
  /** M3U text for the renderer to offer as a download. */
  'library.exportPlaylist': { content: string; written: number };
  'mood.policy': MoodPolicy;
  'mood.setPolicy': MoodPolicy;
  'mood.next': TrackChoiceResult | null;
  'library.recordPlay': { recorded: boolean };
  /** Whether the feedback taught anything (a late skip, or a skip of a track you chose, does not). */
  'mood.feedback': { recorded: boolean };
  /** The last `days` days of listening, one entry per day, oldest first. */
  'mood.history': MoodHistory;
  'library.markUnplayable': { marked: boolean };
}

export type ApiParams<M extends ApiMethod> = z.input<(typeof apiCallSchemas)[M]>;

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
  return typeof value === 'string' && Object.hasOwn(apiCallSchemas, value);
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

/** The typed API object the renderer uses; it is the same whatever the transport. */
export interface EmotuneApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  appInfo(): Promise<AppInfo>;
  submitFrame(frame: ApiParams<'vision.submitFrame'>): Promise<FrameAck>;
  onFaces(listener: (result: DetectionResult) => void): () => void;
  onVisionError(listener: (error: VisionError) => void): () => void;
}

export function createApi(transport: ApiTransport): EmotuneApi {
  return {
    call: (method, params) => transport.call(method, params),
    on: (event, listener) => transport.subscribe(event, listener),
    appInfo: () => transport.call('app.info', undefined),
    submitFrame: (frame) => transport.call('vision.submitFrame', frame),
    onFaces: (listener) => transport.subscribe('vision.faces', listener),
    onVisionError: (listener) => transport.subscribe('vision.error', listener),
  };
}
