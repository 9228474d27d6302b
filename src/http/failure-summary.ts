/**
 * What of a database failure may be logged by the request log. Drizzle's own error message
 * repeats the failed statement and its parameters, which are request bodies; the driver's error
 * it wraps says what went wrong without them.
 */
export interface FailureSummary {
  name: string;
  message: string;
  code?: string;
}

const MAX_MESSAGE = 300;

type ErrorLike = { message: string; name?: unknown; code?: unknown; cause?: unknown };

/** The innermost cause's kind, code and first line of message. */
export function failureSummary(error: unknown): FailureSummary {
  let current = error;
  for (let depth = 0; depth < 5 && isErrorLike(current) && isErrorLike(current.cause); depth++) current = current.cause;
  if (!isErrorLike(current)) return { name: typeof current, message: 'unknown failure' };
  // A wrapper without a cause still carries the parameters in its message: keep only its kind.
  const message = current.message.startsWith('Failed query:')
    ? 'query failed'
    : (current.message.split('\n')[0] ?? '').slice(0, MAX_MESSAGE);
  return {
    name: typeof current.name === 'string' ? current.name : 'Error',
    message,
    ...(typeof current.code === 'string' ? { code: current.code } : {}),
  };
}

function isErrorLike(value: unknown): value is ErrorLike {
  return value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string';
}
