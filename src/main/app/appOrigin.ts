/**
 * What the desktop window may load and be granted, decided by parsing URLs rather than comparing
 * string prefixes ("app://emotune.evil/..." and "app://emotune@evil/" start with the same letters).
 * No Electron import, so it is unit-tested in Node.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'emotune';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** Library audio and covers, by track id (mediaAccess.ts decides what may be served). */
export const MEDIA_SCHEME = 'emotune-media';

interface SchemePrivileges {
  scheme: string;
  privileges: {
    standard?: boolean;
    secure?: boolean;
    stream?: boolean;
    supportFetchAPI?: boolean;
    corsEnabled?: boolean;
    codeCache?: boolean;
  };
}

/**
 * The schemes the window loads. The app's own scheme keeps V8's compiled code of its scripts between
 * starts (codeCache, which Electron allows only on a standard scheme), as a browser does for a site:
 * without it every start parses and compiles the whole renderer again.
 * The players' decks play through Web Audio (crossfade, levelling),
 * and Chromium feeds a media element of another origin to Web Audio as silence unless it was
 * fetched with CORS and allowed: hence corsEnabled and the header of `mediaHeaders`, with the
 * decks' crossOrigin set in the renderer.
 */
export const PRIVILEGED_SCHEMES: SchemePrivileges[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } },
];

/** A media response's headers, readable by the app's own page only. */
export function mediaHeaders(headers: Record<string, string>): Record<string, string> {
  return { ...headers, 'access-control-allow-origin': APP_ORIGIN, vary: 'origin' };
}

/** True for a URL of the app's own pages. */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** The camera, and only the camera (no microphone), for the app's own page: a permission request. */
export function grantsCamera(
  permission: string,
  requestingUrl: string,
  pageUrl: string,
  mediaTypes: readonly string[] | undefined,
): boolean {
  return (
    permission === 'media' &&
    mediaTypes !== undefined &&
    mediaTypes.length > 0 &&
    mediaTypes.every((t) => t === 'video') &&
    isAppUrl(requestingUrl) &&
    isAppUrl(pageUrl)
  );
}

/** The same for a permission check (Chromium asks before it requests). */
export function allowsCameraCheck(permission: string, requestingOrigin: string, mediaType: string | undefined): boolean {
  return permission === 'media' && mediaType === 'video' && isAppUrl(requestingOrigin);
}
