/**
 * Processes frames one at a time; while one is being processed, a newer frame replaces the
 * one waiting instead of queueing behind it, so the result always describes a recent frame.
 */
export class LatestFrameWorker<T> {
  private waiting: T | undefined;
  private busy = false;
  private closed = false;

  constructor(
    private readonly process: (item: T) => Promise<void>,
    private readonly onDropped: (item: T) => void = () => {},
  ) {}

  /** Returns false if the worker is closed. */
  submit(item: T): boolean {
    if (this.closed) return false;
    if (this.waiting !== undefined) this.onDropped(this.waiting);
    this.waiting = item;
    void this.drain();
    return true;
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.waiting !== undefined && !this.closed) {
        const item = this.waiting;
        this.waiting = undefined;
        await this.process(item);
      }
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.closed = true;
    this.waiting = undefined;
  }
}
