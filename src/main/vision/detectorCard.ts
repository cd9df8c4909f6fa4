/** Reads a face-detector model card: every number the detector uses comes from it. */
import { z } from 'zod';
import { readModelCard } from './modelCardFile.js';

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
  /** Faces narrower than this share of the frame are not reliably found: a cascade tries the next model. */
  range: z.object({ reliableFromFaceWidth: z.number().min(0).max(1), basis: z.string().optional() }).optional(),
  decode: z.object({
    keypoints: z.number().int().nonnegative(),
    scoreThreshold: z.number().min(0).max(1),
    scoreClip: z.number().positive(),
    nmsIouThreshold: z.number().min(0).max(1),
  }),
});

export type DetectorCard = z.infer<typeof detectorCardSchema> & { modelPath: string };

export function readDetectorCard(cardPath: string): Promise<DetectorCard> {
  return readModelCard(cardPath, detectorCardSchema);
}
