/**
 * Payload schemas for every API call. The Node side validates each request against these
 * before any service sees it, whichever transport carried it.
 */
import { z } from 'zod';
import { MAX_FRAME_HEIGHT, MAX_FRAME_WIDTH } from './vision.js';

export const videoFrameSchema = z
  .object({
    frameId: z.number().int().nonnegative(),
    width: z.number().int().min(16).max(MAX_FRAME_WIDTH),
    height: z.number().int().min(16).max(MAX_FRAME_HEIGHT),
    rgba: z.instanceof(Uint8Array),
  })
  .strict()
  .refine((f) => f.rgba.byteLength === f.width * f.height * 4, {
    message: 'rgba must hold exactly width * height * 4 bytes',
    path: ['rgba'],
  });

export const emptyParamsSchema = z.union([z.undefined(), z.null(), z.object({}).strict()]);
