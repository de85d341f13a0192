import type { HubConfig } from "../config";
import type { Env } from "../env";
import { logError } from "../log-lines";
import { failure, type MySearchPage, type Result } from "../protocol";
import { SearchRate } from "../shared/search-rate";
import type { RoomIndex } from "./room-index";

type Found = MySearchPage["results"][number];

/**
 * `GET /api/me/search`: one search of every room of the person's, each answering from its own
 * index (docs/search.md). Rooms are asked most recently active first, SEARCH_ACROSS_ROOMS_PARALLEL
 * at a time, and no new one after SEARCH_ACROSS_ROOMS_SECONDS: a person in 500 rooms gets the
 * newest matches of the rooms reached in time, and is told how many were not searched. The
 * newest `limit` matches of all win, by time.
 */
export class SearchAcrossRooms {
  private readonly rate: SearchRate;

  constructor(
    private readonly env: Env,
    private readonly config: HubConfig["search"],
    private readonly index: RoomIndex,
  ) {
    this.rate = new SearchRate(config.perMinute);
  }

  async search(userId: string, typed: string, limit: number): Promise<Result<MySearchPage>> {
    const wait = this.rate.take(userId, Date.now());
    if (wait > 0) return { ...failure(429, "rate_limited", `you can search your rooms ${this.config.perMinute} times a minute; try again shortly`), retryAfterMs: wait };
    const rooms = this.index.byActivity();
    const deadline = Date.now() + this.config.budgetMs;
    const found: Found[] = [];
    let more = false;
    let searched = 0;
    for (let start = 0; start < rooms.length && Date.now() < deadline; start += this.config.parallel) {
      const wave = rooms.slice(start, start + this.config.parallel);
      const pages = await Promise.all(wave.map((room) => this.ask(room.id, userId, typed, limit, deadline)));
      pages.forEach((page, i) => {
        if (!page) return;
        searched++;
        more ||= page.more;
        found.push(...page.results.map((result) => ({ ...result, room: { id: wave[i]!.id, ...(wave[i]!.title === undefined ? {} : { title: wave[i]!.title }) } })));
      });
    }
    found.sort((a, b) => b.ts - a.ts);
    const page: MySearchPage = { results: found.slice(0, limit), more: more || found.length > limit };
    if (searched < rooms.length) page.unsearched = rooms.length - searched;
    return { ok: true, ...page };
  }

  /** One room's newest matches, or undefined when it could not answer by the deadline (it is counted as not searched). */
  private async ask(roomId: string, userId: string, typed: string, limit: number, deadline: number) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
      const answer = await Promise.race([this.env.ROOMS.get(this.env.ROOMS.idFromName(roomId)).searchMessages({ id: userId, name: "" }, typed, { limit }), late]);
      return answer?.ok ? answer : undefined;
    } catch (error) {
      logError("hub.search_failed", error, { room: roomId });
      return undefined;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
