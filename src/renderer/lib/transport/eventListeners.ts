/** Fan-out of backend events to listeners, shared by both transports. */
import type { ApiEventName, ApiEvents } from '../../../shared/api.js';
import { isApiEventName } from '../../../shared/api.js';

type Listener = (payload: never) => void;

export class EventListeners {
  private readonly listeners = new Map<ApiEventName, Set<Listener>>();

  add<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set<Listener>();
    set.add(listener as Listener);
    this.listeners.set(event, set);
    return () => set.delete(listener as Listener);
  }

  emit(event: string, payload: unknown): void {
    if (!isApiEventName(event)) return;
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: unknown) => void)(payload);
  }
}
