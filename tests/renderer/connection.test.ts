import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi } from '../../src/shared/api.js';
import { encodeMessage, decodeMessage, type WireMessage } from '../../src/shared/wire.js';
import { ConnectionState } from '../../src/renderer/lib/connection.svelte.js';
import { connectWebSocket, NOT_CONNECTED } from '../../src/renderer/lib/transport/webSocketTransport.js';

/** A WebSocket the test opens, answers and closes by hand. */
class FakeSocket {
  static all: FakeSocket[] = [];
  binaryType = 'blob';
  sent: WireMessage[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: { data: ArrayBuffer }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: Uint8Array) {
    this.sent.push(decodeMessage(data) as WireMessage);
  }
  open() {
    this.onopen?.();
  }
  close() {
    this.onclose?.();
  }
  answer(message: WireMessage) {
    const bytes = encodeMessage(message);
    this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
  }
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.useFakeTimers();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('ConnectionState', () => {
  it('says "reconnecting" only for a connection that was up and went down', () => {
    const connection = new ConnectionState();
    connection.report('offline');
    expect(connection.reconnecting).toBe(false); // never connected: not a reconnect
    connection.report('online');
    connection.report('offline', Date.now() + 500);
    expect(connection.reconnecting).toBe(true);
    expect(connection.retryAt).not.toBeNull();
    connection.report('online');
    expect(connection.reconnecting).toBe(false);
    expect(connection.retryAt).toBeNull();
  });

  it('tells listeners of each change, once, and resolves whenOnline when it is back', async () => {
    const connection = new ConnectionState('online');
    const seen: string[] = [];
    connection.onChange((s) => seen.push(s));
    connection.report('offline');
    connection.report('offline');
    const back = connection.whenOnline();
    connection.report('online');
    await back;
    expect(seen).toEqual(['offline', 'online']);
  });
});

describe('the WebSocket transport', () => {
  it('reports the connection, fails calls at once while it is down and opens again with a growing pause', async () => {
    const connection = new ConnectionState();
    const api = createApi(connectWebSocket('ws://app/api', connection, { firstDelayMs: 100, maxDelayMs: 400 }));
    const info = api.app.info();
    const first = FakeSocket.all[0]!;
    first.open();
    expect(connection.status).toBe('online');
    await vi.advanceTimersByTimeAsync(0);
    first.answer({ type: 'result', id: (first.sent[0] as { id: number }).id, result: { name: 'Emotune' } });
    await expect(info).resolves.toEqual({ name: 'Emotune' });

    // The server goes away: what is in flight fails, new calls fail at once, nothing is queued.
    const pending = api.library.folders();
    first.close();
    await expect(pending).rejects.toThrow(/closed/);
    expect(connection.status).toBe('offline');
    expect(connection.reconnecting).toBe(true);
    await expect(api.library.folders()).rejects.toThrow(NOT_CONNECTED);
    expect(first.sent).toHaveLength(2);

    // Tries again after 100 ms, then 200, then 400, 400...
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.close();
    await vi.advanceTimersByTimeAsync(199);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.close();
    await vi.advanceTimersByTimeAsync(400);
    expect(FakeSocket.all).toHaveLength(4);

    // Back: calls go through again, the pause starts over from the first one.
    FakeSocket.all[3]!.open();
    expect(connection.status).toBe('online');
    const during = api.library.folders().catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all[3]!.sent).toHaveLength(1);
    FakeSocket.all[3]!.close();
    expect(await during).toMatch(/closed/);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.all).toHaveLength(5);
  });

  it('passes backend events to listeners across a reconnect', async () => {
    const connection = new ConnectionState();
    const api = createApi(connectWebSocket('ws://app/api', connection, { firstDelayMs: 10, maxDelayMs: 10 }));
    const events: unknown[] = [];
    api.on('library.changed', (p) => events.push(p));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.answer({ type: 'event', event: 'library.changed', payload: null });
    FakeSocket.all[0]!.close();
    await vi.advanceTimersByTimeAsync(10);
    FakeSocket.all[1]!.open();
    FakeSocket.all[1]!.answer({ type: 'event', event: 'library.changed', payload: null });
    expect(events).toEqual([null, null]);
  });
});
