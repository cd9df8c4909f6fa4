/**
 * The renderer's composition root. The parts of the app that live as long as the page (library,
 * player, hands-free loop, camera) are built and wired here, once, so that each part is handed
 * its collaborators and callbacks when it is made and none is patched afterwards; that keeps the
 * wiring in one place that a test can build too.
 */
import { createContext } from 'svelte';
import type { EmotuneApi } from '../../shared/api.js';
import type { Track } from '../../shared/library.js';
import { CameraState } from './camera.svelte.js';
import { HandsFree } from './handsFree.svelte.js';
import { LibraryState } from './library.svelte.js';
import { bindMediaSession, handleShortcut } from './mediaControls.js';
import { PlayLog } from './playLog.svelte.js';
import { Player } from './player.svelte.js';

export interface Session {
  readonly api: EmotuneApi;
  readonly camera: CameraState;
  readonly library: LibraryState;
  readonly player: Player;
  readonly handsFree: HandsFree;
  readonly plays: PlayLog;
  /** The listener plays the library from `track` (its first readable track when none is given). */
  playFromLibrary(track?: Track): void;
  /** Starts the camera, the library's events, media keys and shortcuts; returns what undoes it. */
  connect(): () => void;
}

export function createSession(api: EmotuneApi, audio: HTMLAudioElement = new Audio()): Session {
  const camera = new CameraState();
  const library = new LibraryState(api);
  // The callbacks run only once playback starts, after every part below exists.
  const player = new Player(api, audio, {
    onTrackStart: (item) => plays.record(item),
    onQueueEnd: (last) => library.nextAfter(last?.track),
  });
  const handsFree = new HandsFree(api, player);
  const plays = new PlayLog(api, handsFree);

  function playFromLibrary(track?: Track): void {
    handsFree.manualOverride();
    const start = track ? library.playable.indexOf(track) : 0;
    player.playList(library.playable, Math.max(0, start));
  }

  function connect(): () => void {
    bindMediaSession(player, handsFree);
    // In the document (hidden), so that it is part of the page like any media element.
    audio.dataset.testid = 'player-audio';
    audio.hidden = true;
    document.body.append(audio);
    const offFaces = handsFree.connect();
    const onKey = (e: KeyboardEvent) => {
      if (handleShortcut(e, player)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    void camera.start();
    const offLibrary = library.connect();
    return () => {
      camera.stop();
      offLibrary();
      offFaces();
      window.removeEventListener('keydown', onKey);
      audio.pause();
      audio.remove();
    };
  }

  return { api, camera, library, player, handsFree, plays, playFromLibrary, connect };
}

/** Components below App take the session from context; a missing one throws instead of passing undefined on. */
export const [getSession, setSession] = createContext<Session>();
