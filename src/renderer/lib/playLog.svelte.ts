/**
 * Each play is recorded with what chose it, because that is how the mood service learns what a
 * track is to this listener: a pick of the loop carries the expression and mode of the moment it
 * was chosen (not of now); a play started by hand carries the listener's face as it starts.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { HandsFree } from './handsFree.svelte.js';
import type { QueueItem } from './player.svelte.js';
import { mark } from './timeline.js';

export class PlayLog {
  /** Plays recorded this session; the history view refreshes when it changes. */
  recorded = $state(0);
  /** Why the last play could not be saved, until one is saved again. */
  error = $state('');

  constructor(
    private readonly api: EmotuneApi,
    private readonly listener: Pick<HandsFree, 'lastStable' | 'mode'>,
  ) {}

  record(item: QueueItem): void {
    mark('emotune:track-playing', { detail: { trackId: item.track.id } });
    void this.api.mood
      .recordPlay({ trackId: item.track.id, ...(item.reason ? { reason: item.reason, ...item.choice } : item.byHand ? this.byHand() : {}) })
      .then(() => {
        this.recorded++;
        this.error = '';
      })
      .catch((e: Error) => (this.error = `“${item.track.title}” was not saved to your history: ${e.message}`));
  }

  private byHand() {
    const expression = this.listener.lastStable;
    return { byHand: true, ...(expression ? { expression, mode: this.listener.mode } : {}) };
  }
}
