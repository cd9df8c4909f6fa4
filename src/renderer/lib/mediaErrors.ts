/**
 * A media element's play() also rejects when a newer load or stream replaces the one it was
 * starting (AbortError): that is the normal course of skipping, not a failure to report.
 */
export function isSuperseded(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** What to tell the listener when play() fails for a reason other than being superseded. */
export function playFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'NotAllowedError') {
    return 'Press play to start the music: this browser does not start sound by itself.';
  }
  return `Cannot play: ${(error as Error).message}`;
}
