// One way to read the HTTP status out of the client's two error shapes: ApiException (typed
// and object APIs) carries `code`, the Watch's errors carry `statusCode`.

export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => httpStatusOf(err) === 404;
export const isGone = (err: unknown): boolean => httpStatusOf(err) === 410;
export const isConflict = (err: unknown): boolean => httpStatusOf(err) === 409;

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
