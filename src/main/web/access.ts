/**
 * Who may talk to the browser-mode server. A server on 127.0.0.1 is reachable by every page the
 * user visits (through DNS rebinding, a foreign name resolving to 127.0.0.1) and by every local
 * process, so it answers only requests that name it by a loopback Host on its own port, that do not
 * come from another site's page, and that carry this run's secret: given once in the URL that
 * `npm run web` prints, exchanged for an HttpOnly, SameSite=Strict cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'emotune_session';
export const KEY_PARAM = 'key';

/** 256 random bits, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export class Access {
  private hosts = new Set<string>();
  private readonly secret: Buffer;
  port = 0;

  constructor(secret: string) {
    this.secret = Buffer.from(secret);
  }

  /** The port the server got; no Host is allowed before. */
  bind(port: number): void {
    this.port = port;
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  }

  /** A Host header naming this server: loopback, this port. Anything else is a rebinding attempt. */
  hostAllowed(headers: IncomingHttpHeaders): boolean {
    return typeof headers.host === 'string' && this.hosts.has(headers.host.toLowerCase());
  }

  /** A browser says where a request comes from; only the app's own page, or the user typing the URL, may ask. */
  crossSite(headers: IncomingHttpHeaders): boolean {
    const site = headers['sec-fetch-site'];
    return site !== undefined && site !== 'same-origin' && site !== 'none';
  }

  /** The WebSocket handshake must come from a page this server served (same origin as the Host). */
  sameOrigin(headers: IncomingHttpHeaders): boolean {
    return headers.origin === `http://${headers.host ?? ''}`;
  }

  keyMatches(key: string | null): boolean {
    return key !== null && this.equal(key);
  }

  hasSession(headers: IncomingHttpHeaders): boolean {
    for (const part of (headers.cookie ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === SESSION_COOKIE && this.equal(value.join('='))) return true;
    }
    return false;
  }

  sessionCookie(): string {
    return `${SESSION_COOKIE}=${this.secret.toString()}; HttpOnly; SameSite=Strict; Path=/`;
  }

  private equal(candidate: string): boolean {
    const given = Buffer.from(candidate);
    return given.length === this.secret.length && timingSafeEqual(given, this.secret);
  }
}
