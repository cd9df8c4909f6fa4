/**
 * Reads an expression model's card (written by `python -m training.export`): input, crop,
 * normalisation, class order and temperature all come from it, never from code.
 */
import { z } from 'zod';
import { EXPRESSIONS } from '../../shared/expressions.js';
import { readModelCard } from './modelCardFile.js';

const expressionCardSchema = z.object({
  name: z.string().min(1),
  version: z.string().optional(),
  file: z.string().min(1),
  input: z.object({
    name: z.string().min(1),
    layout: z.literal('NCHW'),
    colour: z.enum(['grey', 'rgb']),
    size: z.number().int().positive(),
  }),
  output: z.object({ name: z.string().min(1) }),
  preprocessing: z.object({
    crop: z.object({
      margin: z.number().min(0).max(2),
      offset_x: z.number().min(-1).max(1),
      offset_y: z.number().min(-1).max(1),
      square: z.literal(true),
    }),
    mean: z.array(z.number()).min(1),
    std: z.array(z.number().positive()).min(1),
  }),
  classes: z.array(z.enum(EXPRESSIONS)).min(2),
  temperature: z.number().positive(),
  metrics: z.unknown().optional(),
});

export type ExpressionCard = z.infer<typeof expressionCardSchema> & { modelPath: string; channels: 1 | 3 };

export async function readExpressionCard(cardPath: string): Promise<ExpressionCard> {
  const card = await readModelCard(cardPath, expressionCardSchema);
  const channels = card.input.colour === 'grey' ? 1 : 3;
  if (card.preprocessing.mean.length !== channels || card.preprocessing.std.length !== channels) {
    throw new Error(`model card ${cardPath} is invalid: mean and std need ${channels} value(s) for ${card.input.colour} input`);
  }
  if (new Set(card.classes).size !== card.classes.length) throw new Error(`model card ${cardPath} is invalid: classes repeat`);
  return { ...card, channels };
}
