import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { ApiError, apiCallSchemas, type ApiParams, type ApiResults } from '../../src/shared/api.js';
import type { MoodHistory } from '../../src/shared/mood.js';
import { moodHistorySchema } from '../../src/shared/schemas.js';
import { dispatchCall, toErrorPayload, type ApiHandlers } from '../../src/main/api/apiDispatcher.js';

// Only the handlers these tests call; the dispatcher never touches the others.
function handlers(): ApiHandlers {
  return {
    'app.info': vi.fn(() => ({
      name: 'Emotune',
      version: '0',
      transport: 'web' as const,
      canPickFolder: false,
      detector: { model: 'm', inputSize: 128, executionProvider: 'cpu' },
      mediaBase: '/media/',
      coverBase: '/cover/',
      expression: { error: 'not loaded in this test' },
    })),
    'vision.submitFrame': vi.fn((f: { frameId: number }) => ({ frameId: f.frameId, queued: true })),
  } as Partial<ApiHandlers> as ApiHandlers;
}

const frame = (w: number, h: number, bytes = w * h * 4) => ({
  frameId: 1,
  width: w,
  height: h,
  format: 'rgba',
  rgba: new Uint8Array(bytes),
});
const yuvFrame = (w: number, h: number, bytes = (w * h * 3) / 2) => ({
  frameId: 1,
  width: w,
  height: h,
  format: 'i420',
  i420: new Uint8Array(bytes),
  matrix: 'bt601',
  fullRange: false,
});

describe('dispatchCall', () => {
  it('passes a valid frame to its handler', async () => {
    const h = handlers();
    await expect(dispatchCall(h, 'vision.submitFrame', frame(32, 24))).resolves.toEqual({ frameId: 1, queued: true });
    expect(h['vision.submitFrame']).toHaveBeenCalledOnce();
    await expect(dispatchCall(h, 'vision.submitFrame', yuvFrame(32, 24))).resolves.toEqual({ frameId: 1, queued: true });
  });

  it.each([
    ['a byte count that does not match the size', frame(32, 24, 100), /exactly width \* height \* 4/],
    ['an oversized frame', frame(4000, 3000, 16), /width/],
    ['a negative frame id', { ...frame(32, 24), frameId: -1 }, /frameId/],
    ['pixels as a plain array', { ...frame(32, 24), rgba: [1, 2, 3] }, /rgba/],
    ['an extra field', { ...frame(32, 24), path: '/etc/passwd' }, /path/],
    ['no payload', undefined, /expected object/],
    ['a YUV frame of the wrong byte count', yuvFrame(32, 24, 32 * 24), /exactly width \* height \* 3 \/ 2/],
    ['a YUV frame of odd width', yuvFrame(33, 24, 1188), /even width and height/],
    ['a YUV frame in an unknown matrix', { ...yuvFrame(32, 24), matrix: 'bt2020' }, /matrix/],
    ['a frame with both kinds of pixels', { ...yuvFrame(32, 24), rgba: new Uint8Array(32 * 24 * 4) }, /rgba/],
    ['a frame of no known format', { ...frame(32, 24), format: 'nv12' }, /format/],
  ])('rejects %s before any handler runs', async (_name, params, message) => {
    const h = handlers();
    const call = dispatchCall(h, 'vision.submitFrame', params);
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(call).rejects.toThrow(message);
    expect(h['vision.submitFrame']).not.toHaveBeenCalled();
  });

  it('rejects unknown and inherited method names', async () => {
    for (const method of ['vision.nope', 'toString', '__proto__', 42, null]) {
      await expect(dispatchCall(handlers(), method, undefined)).rejects.toMatchObject({ code: 'unknown-method' });
    }
  });

  it('turns unexpected errors into internal error payloads', () => {
    expect(toErrorPayload(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toErrorPayload(new ApiError('bad-request', 'no'))).toEqual({ code: 'bad-request', message: 'no' });
  });
});

describe('the API table', () => {
  it('gives each call its params schema and result type from one declaration', () => {
    expect(apiCallSchemas['mood.history']).toBe(moodHistorySchema);
    expectTypeOf<ApiResults['mood.history']>().toEqualTypeOf<MoodHistory>();
    expectTypeOf<ApiResults['library.removeFolder']>().toEqualTypeOf<{ removed: boolean }>();
    expectTypeOf<ApiParams<'mood.history'>>().toEqualTypeOf<{ days: number }>();
  });
});
