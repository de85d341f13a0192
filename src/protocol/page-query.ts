import { parseSeq } from "./checks";
import { LIMITS } from "./constants";
import { fail, ok, type Checked } from "./result";

/** What a request for one page of a listing asks: how many, and from which cursor (the `next` of the page before). */
export interface PageQuery {
  limit: number;
  after?: number;
  before?: number;
}

/** How a listing pages: the `limit` it takes when none is asked and the largest, and the cursors it reads. */
export interface PageBounds {
  defaultLimit: number;
  maxLimit: number;
  cursors: readonly ("after" | "before")[];
}

/** Every paged listing of the HTTP API; each answers with `more` and `next` (Paging, api-bodies.ts). */
export const PAGES = {
  /** `GET /api/rooms/:room/messages`: read forward from `after` (long-polls, catching up), or back from `before`. */
  messages: { defaultLimit: LIMITS.recentHistory, maxLimit: LIMITS.maxPage, cursors: ["after", "before"] },
  /** `GET /api/rooms/:room/invites`, newest first. */
  invites: { defaultLimit: LIMITS.invitesPage, maxLimit: LIMITS.invitesPage, cursors: ["before"] },
  /** `GET /api/rooms/:room/moderation`, newest first. */
  moderation: { defaultLimit: 100, maxLimit: 500, cursors: ["before"] },
  /** `GET /api/rooms/:room/search`, newest first. */
  search: { defaultLimit: 20, maxLimit: 100, cursors: ["before"] },
} as const satisfies Record<string, PageBounds>;

/** Reads `limit` and the listing's cursors from a request's query values. */
export function checkPageQuery(query: Record<string, string | undefined>, bounds: PageBounds): Checked<PageQuery> {
  const asked = checkSeqQuery(query, "limit");
  if (!asked.ok) return asked;
  const limit = asked.value ?? bounds.defaultLimit;
  if (limit < 1 || limit > bounds.maxLimit) return fail("bad_message", `limit: must be between 1 and ${bounds.maxLimit}`);
  const page: PageQuery = { limit };
  for (const name of bounds.cursors) {
    const cursor = checkSeqQuery(query, name);
    if (!cursor.ok) return cursor;
    if (cursor.value !== undefined) page[name] = cursor.value;
  }
  return ok(page);
}

/** A whole number from the query, its refusal naming the value; undefined when absent. */
export function checkSeqQuery(query: Record<string, string | undefined>, name: string): Checked<number | undefined> {
  const parsed = parseSeq(query[name]);
  return parsed.ok ? parsed : fail(parsed.code, `${name}: ${parsed.message}`);
}
