/** Where the app's own files are: the project (or app.asar) root and the shipped models with their cards. */
import { fileURLToPath } from 'node:url';
import type { ExpressionModelChoice } from '../shared/vision.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// In a packaged app the models are unpacked next to app.asar: onnxruntime reads real files only.
export const MODELS_DIR = `${PROJECT_ROOT.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')}models`;
/** The face detectors, tried in order until one finds a face; the README says why. */
export const DEFAULT_DETECTOR_CARDS = [`${MODELS_DIR}/blazeface-front-128.json`, `${MODELS_DIR}/blazeface-back-256.json`];
/** The expression model trained by training/ (its card says how). */
export const DEFAULT_EXPRESSION_CARD = `${MODELS_DIR}/a-mobilenet-ferplus.json`;
/** The shipped expression models by choice; the low-power one is distilled from the standard one (its card says how). */
export const EXPRESSION_CARDS: Record<ExpressionModelChoice, string> = {
  standard: DEFAULT_EXPRESSION_CARD,
  'low-power': `${MODELS_DIR}/a-mobilenet-ferplus-low-power.json`,
};
/** The audio mood model fitted by training/mood (its card says on what, and how well it does). */
export const DEFAULT_AUDIO_MOOD_CARD = `${MODELS_DIR}/audio-mood.json`;
