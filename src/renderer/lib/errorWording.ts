/**
 * Raw errors (a media element's code, the backend's validation text, a system error code) turned
 * into a sentence that says what happened and what to do. The raw text stays with it as the detail,
 * for a "Details" disclosure: it is what a bug report needs, never what a listener should read first.
 */
import { NOT_CONNECTED } from './transport/webSocketTransport.js';

export interface Explained {
  /** One or two plain sentences. */
  text: string;
  /** The technical text, for "Details"; '' when the sentence says it all. */
  detail: string;
}

/** What a failed media load was, as far as the player is concerned. */
export type MediaFailure = 'aborted' | 'network' | 'format';

/** MediaError codes (HTMLMediaElement.error.code). */
export const MEDIA_ERR_ABORTED = 1;
export const MEDIA_ERR_NETWORK = 2;
export const MEDIA_ERR_DECODE = 3;
export const MEDIA_ERR_SRC_NOT_SUPPORTED = 4;

export function mediaFailureKind(code: number | undefined): MediaFailure {
  if (code === MEDIA_ERR_ABORTED) return 'aborted';
  if (code === MEDIA_ERR_NETWORK) return 'network';
  // Chromium reports a server it cannot reach as "not supported" too: the caller checks the connection.
  return 'format';
}

/** A media element's error, in words. */
export function explainMediaError(error: { code: number; message: string } | null | undefined): Explained {
  const detail = error ? `MediaError ${error.code}${error.message ? `: ${error.message}` : ''}` : '';
  switch (error?.code) {
    case MEDIA_ERR_NETWORK:
      return { text: 'The song could not be loaded: the connection to Emotune dropped.', detail };
    case MEDIA_ERR_DECODE:
      return { text: 'The file is damaged: it stops partway, or its data cannot be read as audio.', detail };
    case MEDIA_ERR_SRC_NOT_SUPPORTED:
      return /COULD_NOT_OPEN|404|not found/i.test(error.message)
        ? { text: 'The file could not be opened: it may have been moved or deleted.', detail }
        : { text: 'The file is not in a format Emotune can play, or it is damaged.', detail };
    default:
      return { text: 'The song could not be played.', detail };
  }
}

/** Names of the values a form sends, for "… is too high": field path -> words the form shows. */
export type FieldNames = Record<string, string>;

const SYSTEM_CODES: [RegExp, string][] = [
  [/ENOENT|no such (file|folder|directory)/i, 'It is not there any more: it was moved, renamed or deleted. Check the path and try again.'],
  [/EISDIR|is a directory/i, 'That is a folder where a file was expected.'],
  [/ENOTDIR|not a folder/i, 'That is a file, not a folder: choose the folder that holds your music.'],
  [/EACCES|EPERM|permission denied/i, 'Emotune is not allowed to read it. Check the folder’s permissions, then try again.'],
  [/EROFS|read-only/i, 'It is on a drive that cannot be written to.'],
  [/ENOSPC/i, 'The disk is full. Free some space, then try again.'],
];

/** Any error from an API call (or its message), in words; `fields` names what a form sends. */
export function explainError(error: unknown, fields: FieldNames = {}): Explained {
  const detail = error instanceof Error ? error.message : String(error);
  if (detail.includes(NOT_CONNECTED) || /connection to the Emotune service closed|cannot reach the Emotune service/.test(detail)) {
    return { text: 'Emotune’s service is not reachable right now. It reconnects by itself; try again in a moment.', detail };
  }
  const range =
    /Too (big|small): expected (number|array|string) to (?:be|have) ([<>]=?)\s*([\d.]+)(?: items| characters)?[\s\S]*?→ at ([\w.]+)/.exec(
      detail,
    );
  if (range) {
    const [, bigOrSmall, kind, , limit, path] = range;
    const name = fields[path!] ?? fields[path!.split('.').pop()!];
    const subject = name ? `“${name}”` : 'That value';
    if (kind === 'array') return { text: `${subject} has too many entries: at most ${limit}.`, detail };
    return {
      text:
        bigOrSmall === 'big'
          ? `${subject} is too high: the most it can be is ${limit}. The stored value is shown again.`
          : `${subject} is too low: the least it can be is ${limit}. The stored value is shown again.`,
      detail,
    };
  }
  if (/Invalid input|expected number, received|Invalid option/i.test(detail)) {
    return { text: 'That value is not one Emotune can use. The stored value is shown again.', detail };
  }
  if (/overlaps the library folder/.test(detail)) {
    return { text: 'That folder is inside one already in your library, or holds one: it is already being played from.', detail };
  }
  if (/give the folder's full path/.test(detail)) {
    return { text: 'Type the folder’s full path, starting with / (for example /home/you/Music).', detail };
  }
  if (/choosing a folder needs the desktop app/.test(detail)) {
    return { text: 'Choosing a folder with a dialog needs the desktop app: type the folder’s full path instead.', detail };
  }
  const missingFolder = /cannot add (.+?): no such folder/.exec(detail);
  if (missingFolder)
    return { text: `There is no folder at ${missingFolder[1]}. Check the spelling of the path, then add it again.`, detail };
  for (const [pattern, text] of SYSTEM_CODES) if (pattern.test(detail)) return { text, detail };
  // A sentence a person wrote for people (most of the backend's own refusals) is shown as it is.
  if (detail.length > 0 && detail.length <= 200 && !TECHNICAL.test(detail)) return { text: sentence(detail), detail: '' };
  return { text: 'Something went wrong. Try again; if it keeps happening, the details below help a bug report.', detail };
}

/** Marks of text written for programs: error constants, stack frames, validation markers, code. */
const TECHNICAL = /[A-Z]{2,}_[A-Z_]{2,}|\bE[A-Z]{3,}\b|✖|→|[{}<>]|\bat .+:\d+|\.(js|ts):\d|::/;

function sentence(text: string): string {
  const trimmed = text.trim();
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/** The plain sentence alone, for a place with no room for details. */
export function plainMessage(error: unknown, fields?: FieldNames): string {
  return explainError(error, fields).text;
}
