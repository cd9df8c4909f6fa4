/** The desktop window's URL and permission rules, which parse URLs instead of comparing prefixes. */
import { describe, expect, it } from 'vitest';
import { allowsCameraCheck, grantsCamera, isAppUrl } from '../../src/main/app/appOrigin.js';

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
});
