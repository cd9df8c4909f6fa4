/**
 * The renderer's composition root. The parts of the app that live as long as the page (library,
 * player, hands-free loop, camera, connection, saved state) are built and wired here, once, so that
 * each part is handed its collaborators and callbacks when it is made and none is patched
 * afterwards; that keeps the wiring in one place that a test can build too.
 */
import { createContext } from 'svelte';
import type { EmotuneApi } from '../../shared/api.js';
import type { Track } from '../../shared/library.js';
import { afterPaint } from './afterPaint.js';
import { CalibrationState } from './calibration.svelte.js';
import { CameraState } from './camera.svelte.js';
import { ConnectionState } from './connection.svelte.js';
import { frameRateModeFrom } from './frameRate.js';
import { HandsFree } from './handsFree.svelte.js';
import { LibraryState } from './library.svelte.js';
import { bindMediaSession, handleShortcut } from './mediaControls.js';
import { PlayLog } from './playLog.svelte.js';
import { Player } from './player.svelte.js';
import { PlayerPersistence, type PersistenceTiming } from './playerPersistence.svelte.js';
import { PlaylistsState } from './playlists.svelte.js';
import { UiPrefs } from './uiPrefs.svelte.js';
import type { TrackList } from './trackList.svelte.js';
import { VisionFeed } from './visionFeed.svelte.js';

export interface Session {
  readonly api: EmotuneApi;
  readonly connection: ConnectionState;
  readonly camera: CameraState;
  readonly vision: VisionFeed;
  readonly library: LibraryState;
  readonly player: Player;
  readonly handsFree: HandsFree;
  readonly plays: PlayLog;
  readonly persistence: PlayerPersistence;
  readonly playlists: PlaylistsState;
  /** The listener's calibration to their face, and its guided step. */
  readonly calibration: CalibrationState;
  /** How the listener arranged the window, on this device. */
  readonly prefs: UiPrefs;
  /** The listener plays `list` (the Songs list when none is given) from `track`, or from its first readable track. */
  playFromLibrary(track?: Track, list?: TrackList): void;
  /** Starts the camera, the library's events, media keys and shortcuts; returns what undoes it. */
  connect(): () => void;
}

export interface SessionOptions {
  audio?: HTMLAudioElement;
  connection?: ConnectionState;
  persistenceTiming?: PersistenceTiming;
  /** How long the backend may take to answer "are you there?" before the player counts it as away. */
  reachableTimeoutMs?: number;
  /** Where the window's arrangement is kept (localStorage unless given). */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
}

export function createSession(api: EmotuneApi, options: SessionOptions | HTMLAudioElement = {}): Session {
  const {
    audio = new Audio(),
    connection = new ConnectionState('online'),
    persistenceTiming,
    reachableTimeoutMs = 2000,
    storage = globalThis.localStorage,
  } = options instanceof HTMLElement ? { audio: options } : options;
  const prefs = new UiPrefs(storage);
  const camera = new CameraState();
  const calibration = new CalibrationState(api, storage);
  const vision = new VisionFeed(api, connection, {
    watchInBackground: () => prefs.watchInBackground,
    frameRate: frameRateModeFrom(globalThis.location?.search),
    fullRate: () => calibration.step.kind !== 'closed',
  });
  const library = new LibraryState(api);
  const isReachable = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), reachableTimeoutMs);
      api.app.info().then(
        () => (clearTimeout(timer), resolve(true)),
        () => (clearTimeout(timer), resolve(false)),
      );
    });
  // The callbacks run only once playback starts, after every part below exists.
  // A second deck, so that the next song loads while this one plays.
  const player = new Player(api, [audio, new Audio()], {
    onTrackStart: (item) => plays.record(item),
    onQueueEnd: (last) => library.nextAfter(last?.track),
    isReachable,
    connection,
  });
  const handsFree = new HandsFree(api, player);
  const plays = new PlayLog(api, handsFree);
  const persistence = new PlayerPersistence(api, player, handsFree, persistenceTiming);
  const playlists = new PlaylistsState(api, {
    play: (tracks, start) => {
      handsFree.manualOverride();
      player.playList(tracks, start);
    },
  });

  function playFromLibrary(track?: Track, list: TrackList = library.songs): void {
    handsFree.manualOverride();
    const playable = list.playable;
    const start = track ? playable.findIndex((t) => t.id === track.id) : 0;
    player.playList(playable, Math.max(0, start));
  }

  function connect(): () => void {
    bindMediaSession(player, handsFree);
    // In the document (hidden), so that it is part of the page like any media element.
    for (const deck of player.decks) {
      deck.hidden = true;
      document.body.append(deck);
    }
    const offFaces = handsFree.connect();
    const onKey = (e: KeyboardEvent) => {
      if (handleShortcut(e, player)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    let stopped = false;
    // The camera (its capture service, the preview, the first frames) starts once the library's
    // first page has been drawn: started with the page, on a 2-core machine it held the Songs list's
    // first render from about 220 to 400 ms. It waits a second at most, whatever the library does.
    // The other reads of the start (playlists, calibration, the last session's queue) wait for that
    // drawing too: answered beside the list's page, each was one more update inside its render.
    let offPlaylists = () => {};
    let stopSaving = () => {};
    let secondaryStarted = false;
    const startSecondary = () => {
      clearTimeout(secondaryTimer);
      if (stopped || secondaryStarted) return;
      secondaryStarted = true;
      offPlaylists = playlists.connect();
      void calibration.refresh();
      void persistence.restore().then(() => {
        if (!stopped) stopSaving = persistence.start();
      });
      void camera.start();
    };
    const secondaryTimer = setTimeout(startSecondary, 1000);
    // The library is read once the backend can answer. In browser mode the socket opens only after
    // the app's first frame (its "open" waits for the task that builds the app), so a read asked for
    // earlier sat in the transport's queue meanwhile, or failed as an error in the list where the
    // server was away at the start; the connection banner speaks for that now.
    let offLibrary: (() => void) | undefined;
    const startLibrary = () => (offLibrary ??= library.connect(() => afterPaint(startSecondary)));
    if (connection.online) startLibrary();
    // Back after an outage: what changed meanwhile is read again, and what was not saved is saved.
    // The first "online" starts the library's reads; only a return reads it again.
    let wasDown = false;
    const offConnection = connection.onChange((status) => {
      if (status === 'offline') wasDown = true;
      if (status !== 'online') return;
      const firstRead = !offLibrary;
      startLibrary();
      if (!wasDown) return;
      wasDown = false;
      if (!firstRead) void library.reload();
      void playlists.reload();
      persistence.saveNow();
    });
    return () => {
      stopped = true;
      clearTimeout(secondaryTimer);
      stopSaving();
      offConnection();
      camera.stop();
      offLibrary?.();
      offPlaylists();
      offFaces();
      window.removeEventListener('keydown', onKey);
      for (const deck of player.decks) {
        deck.pause();
        deck.remove();
      }
    };
  }

  return {
    api,
    connection,
    camera,
    vision,
    library,
    player,
    handsFree,
    plays,
    persistence,
    playlists,
    calibration,
    prefs,
    playFromLibrary,
    connect,
  };
}

/** Components below App take the session from context; a missing one throws instead of passing undefined on. */
export const [getSession, setSession] = createContext<Session>();
