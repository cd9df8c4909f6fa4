/**
 * How the listener arranged the window (the expression card folded, the preview hidden, the queue
 * open) and whether the camera is read while it is hidden: this device's own choice, kept in
 * localStorage, not in the library. Read at once when the page starts, before the first frame.
 */
const KEY = 'emotune.ui';

interface Stored {
  cardCollapsed: boolean;
  previewHidden: boolean;
  queueOpen: boolean;
  /** "Keep them" to the offer to remove the demo songs: not asked again. */
  demoKept: boolean;
  /** Read the camera while the window is hidden or minimised (off: the camera rests then). */
  watchInBackground: boolean;
}

export class UiPrefs {
  cardCollapsed = $state(false);
  previewHidden = $state(false);
  queueOpen = $state(false);
  demoKept = $state(false);
  watchInBackground = $state(false);

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = globalThis.localStorage) {
    try {
      const stored = JSON.parse(storage?.getItem(KEY) ?? '{}') as Partial<Stored>;
      this.cardCollapsed = stored.cardCollapsed === true;
      this.previewHidden = stored.previewHidden === true;
      this.queueOpen = stored.queueOpen === true;
      this.demoKept = stored.demoKept === true;
      this.watchInBackground = stored.watchInBackground === true;
    } catch {
      // A damaged entry: the defaults.
    }
  }

  save(): void {
    const value: Stored = {
      cardCollapsed: this.cardCollapsed,
      previewHidden: this.previewHidden,
      queueOpen: this.queueOpen,
      demoKept: this.demoKept,
      watchInBackground: this.watchInBackground,
    };
    try {
      this.storage?.setItem(KEY, JSON.stringify(value));
    } catch {
      // Storage full or off: the choice lasts this session.
    }
  }

  toggle(key: keyof Stored): void {
    this[key] = !this[key];
    this.save();
  }
}
