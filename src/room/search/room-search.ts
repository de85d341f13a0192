import { failure, LIMITS, type PageQuery, type Result, type SearchPage, type UserRef } from "../../protocol";
import type { RoomHooks } from "../lifecycle/room-hooks";
import type { RoomAccess } from "../membership/room-access";
import { SearchIndex } from "./search-index";
import { toMatchQuery } from "./search-query";
import { SearchRate } from "../../shared/search-rate";

/** `GET /api/rooms/:room/search`: who may search (whoever may read the room), how often, and what. */
export class RoomSearch {
  private readonly index: SearchIndex;
  private readonly rate: SearchRate;

  constructor(
    sql: SqlStorage,
    hooks: RoomHooks,
    private readonly access: RoomAccess,
    private readonly perMinute: number,
  ) {
    this.index = new SearchIndex(sql, hooks);
    this.rate = new SearchRate(perMinute);
  }

  search(viewer: UserRef, typed: string, page: PageQuery): Result<SearchPage> {
    const refused = this.access.refuseReader(viewer);
    if (refused) return refused;
    const match = toMatchQuery(typed, LIMITS.maxSearchTerms);
    if (match === undefined) return failure(400, "bad_message", "search for at least one word or number");
    const wait = this.rate.take(viewer.id, Date.now());
    if (wait > 0) return { ...failure(429, "rate_limited", `you can search this room ${this.perMinute} times a minute; try again shortly`), retryAfterMs: wait };
    return { ok: true, ...this.index.find(viewer.id, match, page.limit, page.before) };
  }
}
