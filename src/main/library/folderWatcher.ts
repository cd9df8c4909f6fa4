/** Watches library folders and asks for a rescan, debounced, when files appear, change or go. */
import { watch, type FSWatcher } from 'node:fs';

export class FolderWatcher {
  private readonly watchers = new Map<number, { watcher: FSWatcher; timer?: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly onChange: (folderId: number) => void,
    private readonly debounceMs = 1500,
  ) {}

  /** Returns false where the platform cannot watch the folder; scans still work by hand. */
  watch(folderId: number, path: string): boolean {
    this.unwatch(folderId);
    try {
      const entry: { watcher: FSWatcher; timer?: ReturnType<typeof setTimeout> } = {
        watcher: watch(path, { recursive: true, persistent: false }, () => {
          clearTimeout(entry.timer);
          entry.timer = setTimeout(() => this.onChange(folderId), this.debounceMs);
        }),
      };
      entry.watcher.on('error', () => this.unwatch(folderId));
      this.watchers.set(folderId, entry);
      return true;
    } catch {
      return false;
    }
  }

  unwatch(folderId: number): void {
    const entry = this.watchers.get(folderId);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.watcher.close();
    this.watchers.delete(folderId);
  }

  close(): void {
    for (const id of [...this.watchers.keys()]) this.unwatch(id);
  }
}
