/** OS media keys and notifications (navigator.mediaSession) and the app's keyboard shortcuts. */
import type { HandsFree } from './handsFree.svelte.js';
import type { Player } from './player.svelte.js';

export function updateMediaSession(player: Player): void {
  if (!('mediaSession' in navigator)) return;
  const item = player.current;
  navigator.mediaSession.metadata = item
    ? new MediaMetadata({
        title: item.track.title,
        artist: item.track.artist,
        album: item.track.album,
        artwork: item.track.hasCover ? [{ src: new URL(`${player.coverBase}${item.track.id}`, location.href).href }] : [],
      })
    : null;
  navigator.mediaSession.playbackState = player.playing ? 'playing' : 'paused';
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
