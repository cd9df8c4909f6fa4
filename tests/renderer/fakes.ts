/** A fake backend behind the real API object, tracks to fill it with, and an audio element the test drives. */
import { vi } from 'vitest';
import {
  API_EVENT_NAMES,
  createApi,
  type ApiEventName,
  type ApiEvents,
  type ApiMethod,
  type ApiParams,
  type ApiResults,
  type EmotuneApi,
} from '../../src/shared/api.js';
import { EXPRESSIONS, type Expression, type ExpressionSnapshot, type ExpressionState } from '../../src/shared/expressions.js';
import type { Track } from '../../src/shared/library.js';
import type { Mood } from '../../src/shared/mood.js';
import type { DetectionResult } from '../../src/shared/vision.js';

/** What the fake backend answers, per call; a call without a handler is refused. */
export type Handlers = { [M in ApiMethod]?: (params: ApiParams<M>) => ApiResults[M] | Promise<ApiResults[M]> };

type Listeners = { [E in ApiEventName]: Set<(payload: ApiEvents[E]) => void> };

export interface FakeBackend {
  api: EmotuneApi;
  /** Pushes an event to the renderer, as the backend would. */
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
  /** How many listeners an event has (to see that a part unsubscribed). */
  listenerCount(event: ApiEventName): number;
  /** The params of each call to `method`, in order. */
  callsTo<M extends ApiMethod>(method: M): ApiParams<M>[];
}

export function fakeBackend(handlers: Handlers = {}): FakeBackend {
  const listeners = Object.fromEntries(API_EVENT_NAMES.map((e) => [e, new Set()])) as Listeners;
  const calls: { method: ApiMethod; params: unknown }[] = [];
  const api = createApi({
    call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]> {
      calls.push({ method, params });
      const handler: Handlers[M] = handlers[method];
      if (!handler) return Promise.reject(new Error(`the fake backend has no ${method}`));
      try {
        return Promise.resolve(handler(params));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    subscribe<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      const set: Listeners[E] = listeners[event];
      set.add(listener);
      return () => void set.delete(listener);
    },
  });
  return {
    api,
    emit(event, payload) {
      for (const listener of [...listeners[event]]) listener(payload);
    },
    listenerCount: (event) => listeners[event].size,
    callsTo: <M extends ApiMethod>(method: M) => calls.filter((c) => c.method === method).map((c) => c.params as ApiParams<M>),
  };
}

export function track(id: number, fields: Partial<Omit<Track, 'id' | 'mood'>> & { mood?: Mood | null } = {}): Track {
  const { mood = null, ...rest } = fields;
  const trackMood = mood ? { source: 'file' as const, mood, confidence: 1 } : null;
  return {
    id,
    path: `/music/${id}.mp3`,
    title: `Track ${id}`,
    artist: 'Artist',
    album: 'Album',
    durationSec: 180,
    codec: 'mp3',
    hasCover: false,
    error: null,
    moods: trackMood ? [trackMood] : [],
    mood: trackMood,
    ...rest,
  };
}

/** A backend answer for one camera frame, with the stable state the loop follows. */
export function detection(stable: ExpressionState, changed: boolean, frameId = 1): DetectionResult {
  return {
    frameId,
    width: 320,
    height: 240,
    faces: [],
    mainFace: null,
    expression: null,
    state: { stable, stableSince: 0, pending: null, smoothed: null, changed },
    elapsedMs: 5,
    timings: { detectMs: 3, classifyMs: 2 },
  };
}

/** Probabilities that are mostly `top`, the rest shared out evenly. */
export function looksLike(top: Expression, share = 0.9): Record<Expression, number> {
  const rest = (1 - share) / (EXPRESSIONS.length - 1);
  return Object.fromEntries(EXPRESSIONS.map((e) => [e, e === top ? share : rest])) as Record<Expression, number>;
}

/** A backend answer with one face showing `probabilities` (no face when null); the stable state follows the top class unless given. */
export function faceDetection(
  probabilities: Record<Expression, number> | null,
  state: Partial<ExpressionSnapshot> = {},
  frameId = 1,
): DetectionResult {
  const face = { box: { x: 100, y: 60, width: 120, height: 120 }, keypoints: [], score: 0.9 };
  const top = probabilities && EXPRESSIONS.reduce((a, b) => (probabilities[b] > probabilities[a] ? b : a));
  return {
    ...detection(top ?? 'no-face', false, frameId),
    faces: probabilities ? [face] : [],
    mainFace: probabilities ? 0 : null,
    expression: probabilities && top ? { probabilities, top } : null,
    state: { stable: top ?? 'no-face', stableSince: 0, pending: null, smoothed: null, changed: false, ...state },
  };
}

/**
 * An <audio> of the DOM environment that never plays by itself: the DOM environment has no media
 * pipeline, so the test fires the events a browser would (`playing`, `ended`, `error`).
 */
export function silentAudio(): HTMLAudioElement {
  const audio = document.createElement('audio');
  audio.play = vi.fn(() => Promise.resolve());
  audio.pause = vi.fn();
  return audio;
}

export function fire(audio: HTMLAudioElement, type: 'playing' | 'ended' | 'error'): void {
  audio.dispatchEvent(new Event(type));
}

/** Lets pending promise callbacks (API answers, their `then`s) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
