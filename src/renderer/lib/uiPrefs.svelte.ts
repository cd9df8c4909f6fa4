/**
 * How the listener arranged the window (the expression card folded, the preview hidden, the queue
 * open): this device's own choice, kept in localStorage, not in the library.
 */
const KEY = 'emotune.ui';

interface Stored {
  cardCollapsed: boolean;
  previewHidden: boolean;
  queueOpen: boolean;
  /** "Keep them" to the offer to remove the demo songs: not asked again. */
  demoKept: boolean;
}

export class UiPrefs {
  cardCollapsed = $state(false);
  previewHidden = $state(false);
  queueOpen = $state(false);
  demoKept = $state(false);

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = globalThis.localStorage) {
    try {
      const stored = JSON.parse(storage?.getItem(KEY) ?? '{}') as Partial<Stored>;
      this.cardCollapsed = stored.cardCollapsed === true;
      this.previewHidden = stored.previewHidden === true;
      this.queueOpen = stored.queueOpen === true;
      this.demoKept = stored.demoKept === true;
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
