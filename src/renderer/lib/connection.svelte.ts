/**
 * Whether the renderer can reach the backend. Only the WebSocket transport can lose it (the desktop
 * app's IPC cannot), so it is a renderer-side store that the transport feeds, not an API event:
 * the contract in src/shared stays the backend's alone.
 */
export type ConnectionStatus = 'connecting' | 'online' | 'offline';

/** What a transport reports to. */
export interface ConnectionReporter {
  report(status: ConnectionStatus, retryAt?: number | null): void;
}

export class ConnectionState implements ConnectionReporter {
  status = $state<ConnectionStatus>('connecting');
  /** When the transport will try again, while offline (ms since the epoch), for the banner. */
  retryAt = $state<number | null>(null);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- subscribers, not state
  private readonly listeners = new Set<(status: ConnectionStatus) => void>();
  /** Set once the first connection was made: a page that never connected is not "reconnecting". */
  private everOnline = false;

  constructor(initial: ConnectionStatus = 'connecting') {
    this.status = initial;
    this.everOnline = initial === 'online';
  }

  get online(): boolean {
    return this.status === 'online';
  }

  /** Down after having been up: the moment for the "Reconnecting…" banner. */
  get reconnecting(): boolean {
    return this.status === 'offline' && this.everOnline;
  }

  report(status: ConnectionStatus, retryAt: number | null = null): void {
    this.retryAt = status === 'offline' ? retryAt : null;
    if (status === this.status) return;
    this.status = status;
    if (status === 'online') this.everOnline = true;
    for (const listener of [...this.listeners]) listener(status);
  }

  /** Calls `listener` on each change of status; returns what stops it. */
  onChange(listener: (status: ConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Resolves when the connection is up (at once if it is). */
  whenOnline(): Promise<void> {
    if (this.online) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.onChange((s) => {
        if (s === 'online') {
          off();
          resolve();
        }
      });
    });
  }
}
