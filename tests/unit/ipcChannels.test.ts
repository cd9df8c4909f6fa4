import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../src/shared/bridge.js';

describe('preload', () => {
  // The sandboxed preload cannot import src/shared, so it repeats the channel names.
  it('uses the channel names of the shared registry', () => {
    const preload = readFileSync(new URL('../../src/main/app/preload.cts', import.meta.url), 'utf8');
    expect(preload).toContain(`const CALL = '${IPC_CHANNELS.call}'`);
    expect(preload).toContain(`const EVENT = '${IPC_CHANNELS.event}'`);
  });
});
