import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/api.js';
import { explainError, explainMediaError, mediaFailureKind } from '../../src/renderer/lib/errorWording.js';
import { expressionHeadline } from '../../src/renderer/lib/expressionWords.js';
import { NOT_CONNECTED } from '../../src/renderer/lib/transport/webSocketTransport.js';
import { detection } from './fakes.js';

describe('error wording', () => {
  it('says what a media error means, keeping the element’s text as the detail', () => {
    expect(explainMediaError({ code: 4, message: 'PipelineStatus::DEMUXER_ERROR_COULD_NOT_OPEN' })).toEqual({
      text: 'The file could not be opened: it may have been moved or deleted.',
      detail: 'MediaError 4: PipelineStatus::DEMUXER_ERROR_COULD_NOT_OPEN',
    });
    expect(explainMediaError({ code: 3, message: 'PIPELINE_ERROR_DECODE' }).text).toMatch(/damaged/);
    expect(explainMediaError({ code: 4, message: 'MEDIA_ELEMENT_ERROR: Format error' }).text).toMatch(/not in a format Emotune can play/);
    expect(explainMediaError({ code: 2, message: '' }).text).toMatch(/connection to Emotune dropped/);
    expect(mediaFailureKind(1)).toBe('aborted');
    expect(mediaFailureKind(2)).toBe('network');
    expect(mediaFailureKind(3)).toBe('format');
  });

  it('names the value a form sent that the backend found too big or too small', () => {
    const refusal = new ApiError('bad-request', 'vision.setSettings: ✖ Too big: expected number to be <=1\n  → at settings.uncertainBelow');
    expect(explainError(refusal, { 'settings.uncertainBelow': 'Unclear below' })).toEqual({
      text: '“Unclear below” is too high: the most it can be is 1. The stored value is shown again.',
      detail: refusal.message,
    });
    expect(explainError('x: ✖ Too small: expected number to be >=0\n  → at settings.minDwellMs').text).toBe(
      'That value is too low: the least it can be is 0. The stored value is shown again.',
    );
  });

  it('turns system error codes into what happened and what to do', () => {
    expect(explainError(new Error("ENOENT: no such file or directory, open '/music/a.mp3'")).text).toMatch(/not there any more/);
    expect(explainError(new Error('EISDIR: illegal operation on a directory, read')).text).toMatch(/folder where a file was expected/);
    expect(explainError(new Error('EACCES: permission denied')).text).toMatch(/not allowed to read it/);
    expect(explainError(new Error('cannot add /no/such/folder: no such folder')).text).toBe(
      'There is no folder at /no/such/folder. Check the spelling of the path, then add it again.',
    );
    expect(explainError(new Error(NOT_CONNECTED)).text).toMatch(/not reachable right now/);
  });

  it('shows a sentence written for people as it is, and hides anything else behind a general one', () => {
    expect(explainError(new Error('the folder is gone'))).toEqual({ text: 'The folder is gone.', detail: '' });
    const raw = explainError(new Error('TypeError: undefined is not a function at chunk.js:1:2'));
    expect(raw.text).toMatch(/^Something went wrong/);
    expect(raw.detail).toMatch(/TypeError/);
  });
});

describe('the expression headline', () => {
  const withFaces = (stable: Parameters<typeof detection>[0], faces: number) => ({
    ...detection(stable, false),
    faces: Array.from({ length: faces }, () => ({ score: 0.9, box: { x: 0, y: 0, width: 10, height: 10 }, keypoints: [] })),
  });
  const on = { cameraOn: true, paused: false };

  it('never says how you look beside "no face": it names the last look as what the music follows', () => {
    expect(expressionHeadline(withFaces('sadness', 0), on)).toEqual({
      main: 'No face in view',
      aside: 'The music still follows your last look: sad.',
    });
    expect(expressionHeadline(withFaces('no-face', 0), on)).toEqual({ main: 'No face in view' });
    expect(expressionHeadline(withFaces('sadness', 1), on)).toEqual({ main: 'You look', strong: 'sad' });
  });

  it('says the camera is off or paused rather than showing a stale expression', () => {
    expect(expressionHeadline(withFaces('happiness', 1), { cameraOn: false, paused: false }).main).toBe('Camera off');
    expect(expressionHeadline(withFaces('happiness', 1), { cameraOn: true, paused: true }).main).toBe('Camera paused');
  });
});
