/** The desktop window's URL and permission rules, which parse URLs instead of comparing prefixes. */
import { describe, expect, it } from 'vitest';
import {
  allowsCameraCheck,
  APP_ORIGIN,
  APP_SCHEME,
  grantsCamera,
  isAppUrl,
  MEDIA_SCHEME,
  mediaHeaders,
  PRIVILEGED_SCHEMES,
} from '../../src/main/app/appOrigin.js';

describe('the app origin', () => {
  it('accepts the app pages and nothing that only starts like them', () => {
    expect(isAppUrl('app://emotune/index.html')).toBe(true);
    expect(isAppUrl('app://emotune/')).toBe(true);
    for (const url of [
      'app://emotune.evil.example/index.html',
      'app://emotune@evil.example/',
      'app://user:pw@emotune/',
      'app://emotunex/',
      'https://emotune/',
      'file:///app://emotune/',
      'app:emotune',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('grants the camera only, to the app page only', () => {
    const page = 'app://emotune/index.html';
    expect(grantsCamera('media', page, page, ['video'])).toBe(true);
    expect(grantsCamera('media', page, page, ['video', 'audio'])).toBe(false); // no microphone
    expect(grantsCamera('media', page, page, ['audio'])).toBe(false);
    expect(grantsCamera('media', page, page, [])).toBe(false);
    expect(grantsCamera('media', page, page, undefined)).toBe(false);
    expect(grantsCamera('geolocation', page, page, ['video'])).toBe(false);
    expect(grantsCamera('media', 'https://example.com/', page, ['video'])).toBe(false);
    expect(grantsCamera('media', page, 'app://emotune.evil/', ['video'])).toBe(false);
    expect(allowsCameraCheck('media', 'app://emotune', 'video')).toBe(true);
    expect(allowsCameraCheck('media', 'app://emotune', 'audio')).toBe(false);
    expect(allowsCameraCheck('media', 'app://emotune.evil', 'video')).toBe(false);
  });

  it('keeps the compiled renderer between starts, on a scheme standard enough for it', () => {
    const app = PRIVILEGED_SCHEMES.find((s) => s.scheme === APP_SCHEME)!;
    expect(app.privileges).toMatchObject({ codeCache: true, standard: true, secure: true });
  });

  it('lets the app page, and no other origin, read library media through Web Audio', () => {
    // Without corsEnabled the decks' CORS fetches of emotune-media:// fail; without the header Web Audio hears silence.
    const media = PRIVILEGED_SCHEMES.find((s) => s.scheme === MEDIA_SCHEME)!;
    expect(media.privileges).toMatchObject({ corsEnabled: true, stream: true, secure: true });
    const headers = mediaHeaders({ 'content-type': 'audio/mpeg', 'content-length': '10' });
    expect(headers).toEqual({
      'content-type': 'audio/mpeg',
      'content-length': '10',
      'access-control-allow-origin': APP_ORIGIN,
      vary: 'origin',
    });
    expect(isAppUrl(`${headers['access-control-allow-origin']}/index.html`)).toBe(true);
  });
});
