/**
 * play() rejections that something else already covers, so reporting them would only overwrite a
 * better message: a newer load or stream replaced the one being started (AbortError), or the
 * source cannot load at all (NotSupportedError), which the element's 'error' event reports with
 * its reason and the player skips.
 */
export function isSuperseded(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'AbortError' || error.name === 'NotSupportedError');
}

/** What to tell the listener when play() fails for a reason other than being superseded. */
export function playFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'NotAllowedError') {
    return 'Press play to start the music: this browser does not start sound by itself.';
  }
  return `Cannot play: ${(error as Error).message}`;
}
