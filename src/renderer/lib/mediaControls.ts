/** OS media keys and notifications (navigator.mediaSession) and the app's keyboard shortcuts. */
import type { HandsFree } from './handsFree.svelte.js';
import type { Player } from './player.svelte.js';

/** The window's title: the song while one is loaded, so that the task bar and window lists show it. */
export function windowTitle(player: Pick<Player, 'current'>): string {
  const track = player.current?.track;
  if (!track) return 'Emotune';
  return `${track.artist ? `${track.title} — ${track.artist}` : track.title} · Emotune`;
}

/**
 * Shows the current song in the system's media controls (notification, lock screen, media keys
 * overlay), with its cover. Called on every change of song and of playing or paused.
 */
export function updateMediaSession(player: Player): void {
  if (!('mediaSession' in navigator)) return;
  const session = navigator.mediaSession;
  session.playbackState = player.playing ? 'playing' : 'paused';
  const item = player.current;
  if (!item) {
    session.metadata = null;
    return;
  }
  const { title, artist, album } = item.track;
  const cover = item.track.hasCover ? new URL(`${player.coverBase}${item.track.id}`, location.href).href : undefined;
  const shown = session.metadata;
  // A pause or play changes nothing here; a new metadata object would make the system redraw and measure the cover again.
  if (shown && shown.title === title && shown.artist === artist && shown.album === album && shown.artwork[0]?.src === cover) return;
  const metadata = new MediaMetadata({ title, artist, album, artwork: cover ? [{ src: cover }] : [] });
  session.metadata = metadata;
  if (cover) void describeCover(cover).then((art) => art && session.metadata === metadata && (metadata.artwork = [art]));
}

/**
 * The cover with its size and type, which the system uses to pick and scale it. The image is the one
 * the player bar shows, so it usually comes from the cache; a cover that does not load stays as it was.
 */
async function describeCover(src: string): Promise<MediaImage | undefined> {
  try {
    const [size, type] = await Promise.all([
      new Promise<string>((resolve, reject) => {
        const image = new Image();
        image.onload = () => resolve(`${image.naturalWidth}x${image.naturalHeight}`);
        image.onerror = () => reject(new Error('the cover did not load'));
        image.src = src;
      }),
      fetch(src, { method: 'HEAD' }).then((r) => (r.ok ? (r.headers.get('content-type') ?? '') : '')),
    ]);
    return { src, sizes: size, ...(type.startsWith('image/') ? { type } : {}) };
  } catch {
    return undefined;
  }
}

export function bindMediaSession(player: Player, handsFree: HandsFree): void {
  if (!('mediaSession' in navigator)) return;
  const session = navigator.mediaSession;
  session.setActionHandler('play', () => player.current && player.audio.paused && player.toggle());
  session.setActionHandler('pause', () => !player.audio.paused && player.toggle());
  session.setActionHandler('nexttrack', () => (handsFree.manualOverride(), player.next()));
  session.setActionHandler('previoustrack', () => (handsFree.manualOverride(), player.previous()));
}

/** Space plays or pauses, arrows seek (left/right) and change the volume (up/down), M mutes. */
export function handleShortcut(event: KeyboardEvent, player: Player): boolean {
  const target = event.target as HTMLElement | null;
  // A control that handled the key itself (the track list's arrows and space) keeps it.
  if (event.defaultPrevented) return false;
  if (target && (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'A', 'SUMMARY'].includes(target.tagName) || target.isContentEditable))
    return false;
  if (target?.closest?.('[role="grid"], dialog')) return false;
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  switch (event.key) {
    case ' ':
      player.toggle();
      return true;
    case 'ArrowLeft':
      player.seek(player.currentTime - 5);
      return true;
    case 'ArrowRight':
      player.seek(player.currentTime + 5);
      return true;
    case 'ArrowUp':
      player.setVolume(player.volume + 0.05);
      return true;
    case 'ArrowDown':
      player.setVolume(player.volume - 0.05);
      return true;
    case 'm':
    case 'M':
      player.setMuted(!player.muted);
      return true;
    default:
      return false;
  }
}
