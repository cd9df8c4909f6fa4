/**
 * What the desktop window may load and be granted, decided by parsing URLs rather than comparing
 * string prefixes ("app://emotune.evil/..." and "app://emotune@evil/" start with the same letters).
 * No Electron import, so it is unit-tested in Node.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'emotune';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

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
