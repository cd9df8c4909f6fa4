/** Validates every call against its schema in src/shared before a handler sees it. */
import { z } from 'zod';
import { ApiError, apiCallSchemas, isApiMethod, type ApiMethod, type ApiResults } from '../../shared/api.js';

export type ApiHandlers = {
  [M in ApiMethod]: (params: z.output<(typeof apiCallSchemas)[M]>) => Promise<ApiResults[M]> | ApiResults[M];
};

export async function dispatchCall(handlers: ApiHandlers, method: unknown, params: unknown): Promise<unknown> {
  if (!isApiMethod(method)) {
    throw new ApiError('unknown-method', `unknown method ${JSON.stringify(method)?.slice(0, 80) ?? String(method)}`);
  }
  const parsed = apiCallSchemas[method].safeParse(params);
  if (!parsed.success) throw new ApiError('bad-request', `${method}: ${z.prettifyError(parsed.error)}`);
  const handler = handlers[method] as (p: unknown) => Promise<unknown> | unknown;
  return handler(parsed.data);
}

/** Turns anything thrown by a handler into an error payload safe to send to the renderer. */
export function toErrorPayload(error: unknown): { code: ApiError['code']; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
