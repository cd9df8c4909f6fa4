/** Reads a face-detector model card: every number the detector uses comes from it. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

const detectorCardSchema = z.object({
  name: z.string().min(1),
  task: z.literal('face-detection'),
  file: z.string().min(1),
  input: z.object({
    name: z.string().min(1),
    layout: z.literal('NHWC'),
    size: z.number().int().positive(),
    colour: z.literal('rgb'),
    range: z.tuple([z.number(), z.number()]),
  }),
  outputs: z.object({
    scores: z.array(z.string()).min(1),
    regressions: z.array(z.string()).min(1),
  }),
  anchors: z.array(z.object({ grid: z.number().int().positive(), anchorsPerCell: z.number().int().positive() })).min(1),
  decode: z.object({
    keypoints: z.number().int().nonnegative(),
    scoreThreshold: z.number().min(0).max(1),
    scoreClip: z.number().positive(),
    nmsIouThreshold: z.number().min(0).max(1),
  }),
});

export type DetectorCard = z.infer<typeof detectorCardSchema> & { modelPath: string };

export async function readDetectorCard(cardPath: string): Promise<DetectorCard> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(cardPath, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read model card ${cardPath}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = detectorCardSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`model card ${cardPath} is invalid: ${z.prettifyError(parsed.error)}`);
  return { ...parsed.data, modelPath: resolve(dirname(cardPath), parsed.data.file) };
}
