import type { Context } from "hono";
import { refuse } from "./api-exception";

/** A request's JSON body: undefined when it has none, and refused (`bad_message`) when it is not JSON, rather than read as no body. */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    refuse("bad_message", "body is not valid JSON");
  }
}
