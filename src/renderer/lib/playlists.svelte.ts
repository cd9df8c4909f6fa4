/**
 * The listener's saved playlists as the UI holds them (the sidebar lists them, a view opens one),
 * and what can be done with them: make, rename, delete, fill, empty, reorder, play, import and
 * export. Each action says how it went next to the control it was taken from (its `place`), in
 * plain words with the raw text kept for "Details".
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { ImportedPlaylist, PlaylistSummary, Track } from '../../shared/library.js';
import { MAX_PLAYLIST_NAME, renamePlaylistSchema } from '../../shared/schemas.js';
import { fileNameFor, offerDownload } from './download.js';
import { explainError } from './errorWording.js';
import { plural } from './format.js';
import { playableTrack, type PlaylistEntryList } from './playlistEntries.svelte.js';

/** Where an action on playlists was taken, so that its outcome is said there. */
export type PlaylistPlace = 'sidebar' | 'selection' | 'queue' | 'playlist' | 'overview';

export interface PlaylistNotice {
  place: PlaylistPlace;
  tone: 'info' | 'warn';
  text: string;
  /** The raw error, for "Details"; '' when the text says it all. */
  detail: string;
}

/** How the playlists reach the player: a play by hand (which also pauses the hands-free loop). */
export interface PlaylistPlayback {
  play(tracks: Track[], start: number): void;
}

/** The one rule for a name, the backend's own: the renderer says what is wrong before asking. */
const nameSchema = renamePlaylistSchema.shape.name;

/** The way the backend lists playlists (by name as SQLite compares text, then by id), kept between reads. */
function byName(a: PlaylistSummary, b: PlaylistSummary): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id;
}

export class PlaylistsState {
  /** Every playlist, in the backend's order. */
  all = $state.raw<PlaylistSummary[]>([]);
  /** The first list has arrived. */
  ready = $state(false);
  /** Why the list could not be read, in words; '' when it could. */
  loadError = $state('');
  /** Bumped each time the list is read again after a change: an open playlist reads its entries again. */
  revision = $state(0);
  notice = $state.raw<PlaylistNotice | undefined>();
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: EmotuneApi,
    private readonly playback: PlaylistPlayback,
  ) {}

  /** Follows the backend's changes (its own and other windows'); returns the unsubscribe function. */
  connect(): () => void {
    const off = this.api.on('library.changed', () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reload(), 150);
    });
    void this.reload();
    return () => {
      off();
      clearTimeout(this.reloadTimer);
    };
  }

  async reload(): Promise<void> {
    try {
      this.all = await this.api.library.playlists();
      this.loadError = '';
      this.revision++;
    } catch (error) {
      this.loadError = explainError(error).text;
    } finally {
      this.ready = true;
    }
  }

  byId(id: number): PlaylistSummary | undefined {
    return this.all.find((p) => p.id === id);
  }

  /** The outcome of the last action, if it was taken at `place`. */
  noticeAt(place: PlaylistPlace): PlaylistNotice | undefined {
    return this.notice?.place === place ? this.notice : undefined;
  }

  dismiss(place?: PlaylistPlace): void {
    if (!place || this.notice?.place === place) this.notice = undefined;
  }

  /** `base`, or "base 2", "base 3"... : the first name no playlist has (case aside), to offer in a name field. */
  suggestName(base: string): string {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup table for this call, not state
    const taken = new Set(this.all.map((p) => p.name.toLocaleLowerCase()));
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base} ${n}`;
      if (!taken.has(name.toLocaleLowerCase())) return name;
    }
  }

  /** A new playlist, empty or with these tracks (the queue, a selection); undefined when it could not be made. */
  create(name: string, place: PlaylistPlace, trackIds: number[] = []): Promise<PlaylistSummary | undefined> {
    return this.run(place, async () => {
      const playlist = await this.api.library.createPlaylist({ name: this.checkName(name), trackIds });
      this.put(playlist);
      this.tell(
        place,
        trackIds.length > 0
          ? `Saved ${plural(playlist.trackCount, 'song')} as the playlist “${playlist.name}”.`
          : `Made the playlist “${playlist.name}”.`,
      );
      return playlist;
    });
  }

  /**
   * A new empty playlist, opened at once (`open`); the place that asked shows no message, since the
   * open playlist says how to fill it. False when it could not be made (the place says why).
   */
  async createAndOpen(name: string, place: PlaylistPlace, open: (playlistId: number) => void): Promise<boolean> {
    const playlist = await this.create(name, place);
    if (!playlist) return false;
    this.dismiss(place);
    open(playlist.id);
    return true;
  }

  /** True when renamed. */
  async rename(id: number, name: string, place: PlaylistPlace = 'playlist'): Promise<boolean> {
    const renamed = await this.run(place, async () => {
      const playlist = await this.api.library.renamePlaylist({ playlistId: id, name: this.checkName(name) });
      this.put(playlist);
      return playlist;
    });
    return renamed !== undefined;
  }

  /**
   * Deletes the playlist (the caller has asked first); its songs stay in the library. True when
   * deleted. A refusal is said at `place`; the outcome at `doneAt`, where the listener is taken next.
   */
  async delete(id: number, place: PlaylistPlace = 'playlist', doneAt: PlaylistPlace = place): Promise<boolean> {
    const name = this.byId(id)?.name;
    const done = await this.run(place, async () => {
      await this.api.library.deletePlaylist({ playlistId: id });
      this.all = this.all.filter((p) => p.id !== id);
      this.tell(doneAt, name ? `Deleted the playlist “${name}”. Its songs are still in your library.` : 'Deleted the playlist.');
      return true;
    });
    return done === true;
  }

  /** Tracks put at the end of a playlist. */
  async addTracks(id: number, trackIds: number[], place: PlaylistPlace): Promise<boolean> {
    if (trackIds.length === 0) return false;
    const done = await this.run(place, async () => {
      const { added, playlist } = await this.api.library.addToPlaylist({ playlistId: id, trackIds });
      this.put(playlist);
      this.tell(place, `Added ${plural(added, 'song')} to “${playlist.name}”.`);
      return true;
    });
    return done === true;
  }

  /** Moves the entry at `from` of an open playlist to `to`. */
  async moveEntry(list: PlaylistEntryList, from: number, to: number, place: PlaylistPlace = 'playlist'): Promise<void> {
    if (!list.canMove(from, to)) return;
    const title = this.entryTitle(list, from);
    await this.run(place, async () => {
      await list.move(from, to);
      this.tell(place, `Moved “${title}” to place ${to + 1} of ${list.total}.`);
    });
  }

  /** Takes the entries out of an open playlist. */
  async removeEntries(list: PlaylistEntryList, entryIds: number[], place: PlaylistPlace = 'playlist'): Promise<void> {
    if (entryIds.length === 0) return;
    await this.run(place, async () => {
      await list.remove(entryIds);
      this.tell(place, `Took ${plural(entryIds.length, 'song')} out of the playlist.`);
    });
    const playlist = this.byId(list.playlistId);
    if (playlist) this.put({ ...playlist, trackCount: list.total });
  }

  /** Plays an open playlist from an entry (its first playable one when none is named); missing and broken entries are passed over. */
  async play(list: PlaylistEntryList, from?: { id: number }, place: PlaylistPlace = 'playlist'): Promise<void> {
    await this.run(place, async () => {
      await list.loadAll();
      const entries = list.playable;
      if (entries.length === 0) {
        this.tell(place, 'Nothing in this playlist can be played: its songs are missing from the library or cannot be read.', 'warn');
        return;
      }
      const start = from ? entries.findIndex((e) => e.id === from.id) : 0;
      this.playback.play(
        entries.map((e) => playableTrack(e)!),
        Math.max(0, start),
      );
    });
  }

  /**
   * A playlist file the listener picked: its text goes to the backend, its path never does. The new
   * playlist, or undefined. A refusal is said at `place`; what was found at `doneAt` (the new playlist's view).
   */
  importFile(file: File, place: PlaylistPlace = 'overview', doneAt: PlaylistPlace = place): Promise<ImportedPlaylist | undefined> {
    return this.run(place, async () => {
      const name = file.name.replace(/\.m3u8?$/i, '').trim() || 'Imported playlist';
      const imported = await this.api.library.importPlaylist({
        name: this.checkName(name.slice(0, MAX_PLAYLIST_NAME)),
        content: await file.text(),
      });
      await this.reload();
      const missing = imported.missing.length;
      this.tell(
        doneAt,
        `Imported “${imported.name}”: ${plural(imported.matched, 'song')} found${
          missing > 0 ? `, ${plural(missing, 'entry', 'entries')} not in your library (shown as missing)` : ''
        }.`,
      );
      return imported;
    });
  }

  /** A saved playlist as an M3U8 file, named after it. */
  async exportPlaylist(id: number, place: PlaylistPlace = 'playlist'): Promise<void> {
    const name = this.byId(id)?.name ?? 'Playlist';
    await this.run(place, async () => {
      const { content, written } = await this.api.library.exportPlaylist({ playlistId: id });
      offerDownload(content, fileNameFor(name, 'm3u8'));
      this.tell(place, `Exported “${name}” (${plural(written, 'entry', 'entries')}) as an M3U playlist.`);
    });
  }

  /** Tracks (the queue, a selection, every song) as an M3U8 file. */
  async exportTracks(trackIds: number[], fileName: string, place: PlaylistPlace): Promise<void> {
    if (trackIds.length === 0) return;
    await this.run(place, async () => {
      const { content, written } = await this.api.library.exportPlaylist({ trackIds });
      offerDownload(content, fileNameFor(fileName, 'm3u8'));
      this.tell(place, `Exported ${plural(written, 'song')} as an M3U playlist.`);
    });
  }

  private entryTitle(list: PlaylistEntryList, index: number): string {
    const entry = list.rows[index];
    return entry?.track?.title ?? entry?.label ?? entry?.path.split('/').pop() ?? 'the song';
  }

  /** The name trimmed, or an error in the words of the shared rule. */
  private checkName(name: string): string {
    const parsed = nameSchema.safeParse(name);
    if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'give the playlist a name');
    return parsed.data;
  }

  /** A playlist the backend answered with, in its place in the list, before the list is read again. */
  private put(playlist: PlaylistSummary): void {
    this.all = [...this.all.filter((p) => p.id !== playlist.id), playlist].sort(byName);
  }

  /** Says something at `place`, as an action of the view there would. */
  tell(place: PlaylistPlace, text: string, tone: PlaylistNotice['tone'] = 'info'): void {
    this.notice = { place, tone, text, detail: '' };
  }

  private async run<T>(place: PlaylistPlace, action: () => Promise<T>): Promise<T | undefined> {
    this.dismiss();
    try {
      return await action();
    } catch (error) {
      const { text, detail } = explainError(error);
      this.notice = { place, tone: 'warn', text, detail };
      return undefined;
    }
  }
}
