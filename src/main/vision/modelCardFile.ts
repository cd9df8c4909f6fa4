/** Reads a model card (JSON, beside its model if it has one) and checks it against a schema, naming the file. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

export async function readCardJson<S extends z.ZodType>(cardPath: string, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(cardPath, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read model card ${cardPath}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`model card ${cardPath} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data as z.infer<S>;
}

export async function readModelCard<S extends z.ZodType<{ file: string }>>(
  cardPath: string,
  schema: S,
): Promise<z.infer<S> & { modelPath: string }> {
  const card = await readCardJson(cardPath, schema);
  return { ...card, modelPath: resolve(dirname(cardPath), card.file) };
}
