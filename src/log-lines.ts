/**
 * Structured logs: one JSON object per line, which Workers observability indexes by field.
 * Callers pass identifiers and codes only; never tokens or message text.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export function logEvent(event: string, fields: LogFields = {}): void {
  console.log(JSON.stringify({ event, ...fields }));
}

export function logError(event: string, error: unknown, fields: LogFields = {}): void {
  const detail = error instanceof Error ? { error: error.name, detail: error.message } : { error: String(error) };
  console.error(JSON.stringify({ event, ...fields, ...detail }));
}
