/**
 * The shipped expression models the listener chooses between, each described by its own card: what
 * it is and how well it did when it was made. Which one is in use is a setting, kept by the service.
 */
import { access } from 'node:fs/promises';
import { z } from 'zod';
import { EXPRESSION_MODEL_CHOICES, type ExpressionModelChoice, type ExpressionModelOption } from '../../shared/vision.js';
import type { SettingsStore } from '../library/store/settingsStore.js';
import { readExpressionCard } from './expressionCard.js';
import { VisionHost } from './visionHost.js';
import type { VisionChannel } from './visionProtocol.js';

export const EXPRESSION_MODEL_KEY = 'expressionModel';

/** The numbers a card carries from `python -m training.evaluate`; older cards may lack some. */
const cardMetricsSchema = z.object({
  test: z.object({ accuracy: z.number().min(0).max(1) }).optional(),
  posed_val: z.object({ balanced_accuracy: z.number().min(0).max(1) }).optional(),
});

/** A card's checker lists every fault on its own line; the settings show the first, as a sentence's end. */
const firstLine = (message: string) => message.split('\n')[0]!.trim();

/** The choice stored in the settings; anything else (none yet, or an old or damaged value) is the standard model. */
export function storedExpressionModel(settings: SettingsStore): ExpressionModelChoice {
  const parsed = z.enum(EXPRESSION_MODEL_CHOICES).safeParse(settings.get(EXPRESSION_MODEL_KEY));
  return parsed.success ? parsed.data : 'standard';
}

/** One model as its card describes it; a card that cannot be read makes the model unusable, with why. */
export async function describeExpressionModel(choice: ExpressionModelChoice, cardPath: string): Promise<ExpressionModelOption> {
  try {
    const card = await readExpressionCard(cardPath);
    await access(card.modelPath).catch(() => {
      throw new Error(`the model file ${card.modelPath} named by ${cardPath} is missing`);
    });
    const parsed = cardMetricsSchema.safeParse(card.metrics);
    const metrics = parsed.success ? parsed.data : {};
    return {
      choice,
      model: card.name,
      version: card.version ?? null,
      ferplusTest: metrics.test?.accuracy ?? null,
      posedBalanced: metrics.posed_val?.balanced_accuracy ?? null,
      problem: null,
    };
  } catch (error) {
    return { choice, model: null, version: null, ferplusTest: null, posedBalanced: null, problem: firstLine((error as Error).message) };
  }
}

export interface StartedVision {
  host: VisionHost;
  choice: ExpressionModelChoice;
  /** Why the stored choice is not the model in use, in plain words; null when it is. */
  problem: string | null;
}

/**
 * Starts the models with the listener's choice. A chosen model that cannot be loaded (a damaged or
 * missing file) gives way to the standard one, and the reason is kept to show in the settings.
 */
export async function startVision(
  open: () => VisionChannel,
  detectorCards: readonly string[],
  cards: Record<ExpressionModelChoice, string>,
  choice: ExpressionModelChoice,
): Promise<StartedVision> {
  const host = await VisionHost.start(open, { detectorCards, expressionCard: cards[choice] });
  const failed = host.info.expression;
  if (choice === 'standard' || !('error' in failed)) return { host, choice, problem: null };
  try {
    await host.useExpressionModel(cards.standard);
  } catch (error) {
    console.warn(`the standard expression model could not be loaded either: ${(error as Error).message}`);
  }
  return {
    host,
    choice: 'standard',
    problem: `The ${choice} model could not be loaded (${firstLine(failed.error)}), so Emotune uses the standard model.`,
  };
}
