import { describe, expect, it } from 'vitest';
import { playerHandlers, restorePlayerState } from '../../src/main/api/playerHandlers.js';
import type { Track } from '../../src/shared/library.js';
import { playerStateSchema, type PlayerState } from '../../src/shared/playerState.js';

const track = (id: number, error: string | null = null): Track => ({
  id,
  path: `/m/${id}.mp3`,
  title: `T${id}`,
  artist: '',
  album: '',
  durationSec: 10,
  codec: 'mp3',
  hasCover: false,
  error,
  moods: [],
  mood: null,
});

const state = (fields: Partial<PlayerState> = {}): PlayerState => ({
  queue: [1, 2, 3, 4],
  index: 2,
  positionSec: 61,
  volume: 0.5,
  muted: false,
  mode: 'match',
  handsFree: true,
  switchNow: false,
  ...fields,
});

describe('the saved player state', () => {
  it('reads the queue back as tracks, leaving out those gone or unreadable, and keeps the current one current', () => {
    const library = new Map([1, 3, 4].map((id) => [id, track(id, id === 4 ? 'cannot be played' : null)]));
    const restored = restorePlayerState(state(), (id) => library.get(id));
    expect(restored.queue.map((t) => t.id)).toEqual([1, 3]);
    expect(restored.index).toBe(1);
    expect(restored.positionSec).toBe(61);
    expect(restored.dropped).toBe(2);
  });

  it('starts from the first track, at its beginning, when the current one is gone', () => {
    const restored = restorePlayerState(state({ index: 1 }), (id) => (id === 2 ? undefined : track(id)));
    expect(restored.index).toBe(0);
    expect(restored.positionSec).toBe(0);
  });

  it('is kept in the settings store, and the schema refuses one too large or malformed', () => {
    const settings = new Map<string, unknown>();
    const handlers = playerHandlers({
      settings: { get: (k: string) => settings.get(k), set: (k: string, v: unknown) => void settings.set(k, v) } as never,
      tracks: { get: (id: number) => track(id) } as never,
    });
    expect(handlers['player.state'](undefined as never)).toBeNull();
    expect(handlers['player.saveState']({ state: state() })).toEqual({ saved: true });
    expect((handlers['player.state'](undefined as never) as { queue: Track[] }).queue).toHaveLength(4);
    expect(playerStateSchema.safeParse(state({ queue: Array.from({ length: 5001 }, (_, i) => i + 1) })).success).toBe(false);
    expect(playerStateSchema.safeParse({ ...state(), volume: 2 }).success).toBe(false);
    expect(playerStateSchema.safeParse({ ...state(), extra: 1 }).success).toBe(false);
  });
});
