import type { ApiEventName, ApiEvents } from '../../shared/api.js';

/** Where a service sends one renderer's events: the transport behind a session. */
export type EventSink = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;
