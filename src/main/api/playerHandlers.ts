/**
 * The player's saved state (queue, position, sound, loop) behind player.state and player.saveState.
 * It is a setting like any other, so it lives in the SettingsStore and follows its backup; tracks are
 * kept by id and read back on restore, so a track that left the library drops out of the queue.
 */
import type { Track } from '../../shared/library.js';
import type { PlayerState, RestoredPlayerState } from '../../shared/playerState.js';
import type { LibraryStore } from '../library/libraryStore.js';
import type { FeatureHandlers } from './featureHandlers.js';

export const PLAYER_STATE_KEY = 'playerState';

export function restorePlayerState(saved: PlayerState, getTrack: (id: number) => Track | undefined): RestoredPlayerState {
  const queue: Track[] = [];
  let index = -1;
  saved.queue.forEach((id, i) => {
    const track = getTrack(id);
    if (!track || track.error !== null) return;
    if (i === saved.index) index = queue.length;
    queue.push(track);
  });
  const { queue: _ids, ...rest } = saved;
  // When the current track is gone the queue starts over from its first track, at its beginning.
  const currentKept = index >= 0;
  return {
    ...rest,
    queue,
    index: currentKept ? index : queue.length > 0 ? 0 : -1,
    positionSec: currentKept ? saved.positionSec : 0,
    dropped: saved.queue.length - queue.length,
  };
}

export function playerHandlers(store: Pick<LibraryStore, 'settings' | 'tracks'>): FeatureHandlers<'player'> {
  return {
    'player.state': () => {
      const saved = store.settings.get<PlayerState>(PLAYER_STATE_KEY);
      return saved ? restorePlayerState(saved, (id) => store.tracks.get(id)) : null;
    },
    'player.saveState': ({ state }) => {
      store.settings.set(PLAYER_STATE_KEY, state);
      return { saved: true };
    },
  };
}
