/**
 * Text offered to the listener as a file to save: in the browser a download, in the desktop app
 * Electron's save dialog (which it shows for a download). Every export goes through here, so a
 * dialog of the bridge's own would replace this one function.
 */
export function offerDownload(content: string, fileName: string, type = 'audio/x-mpegurl'): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  link.click();
  // The download has read the blob by then; the address would otherwise hold it for the page's life.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A name fit for a file on any system: no path separators, reserved or control characters. */
export function fileNameFor(name: string, extension: string): string {
  const safe = name
    // eslint-disable-next-line no-control-regex -- control characters are what is being removed
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  return `${safe || 'Playlist'}.${extension}`;
}
