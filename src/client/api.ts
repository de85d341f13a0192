import {
  CHANGE_KINDS,
  readErrorBody,
  type ApiErrorCode,
  type BlockedList,
  type ConversationSettings,
  type ChangeFrame,
  type CreatedInvite,
  type CreatedRoom,
  type CreateRoomRequest,
  type HomeRoomsResponse,
  type MessagesPage,
  type OutgoingMessage,
  type PageQuery,
  type PostedMessage,
  type RoomSnapshot,
  type MySearchPage,
  type SearchPage,
  type SessionResponse,
} from "../protocol";

/**
 * An HTTP error, read from the API's error body (src/protocol/error-body.ts). An answer without
 * one (a proxy's 502) is `internal`, named by its status.
 */
export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ApiErrorCode;
  readonly retryAfterMs?: number;

  constructor(
    readonly status: number,
    body: unknown,
  ) {
    const error = readErrorBody(body);
    super(error?.message ?? `the server answered ${status}`);
    this.code = error?.code ?? "internal";
    if (error?.retryAfterMs !== undefined) this.retryAfterMs = error.retryAfterMs;
  }
}

/** A page of messages (the protocol's PAGES.messages bounds `limit`); a page's `next` is the following page's `after` or `before`. */
export interface PageRequest extends Partial<PageQuery> {
  /** Long-poll: seconds to wait for a message after `after` when there is none yet. */
  wait?: number;
  signal?: AbortSignal;
}

/** The HTTP API, typed by the protocol module. Network failures reject with the fetch error. */
export class ChatApi {
  constructor(
    private readonly baseUrl: string,
    private token: string | undefined,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  signIn(name: string): Promise<SessionResponse> {
    return this.request("POST", "/api/session", { name });
  }

  /** A new token for the same person, while this one is still valid. */
  refreshSession(): Promise<SessionResponse> {
    return this.request("POST", "/api/session/refresh");
  }

  /** Sign-out: the server revokes this session, so none of its tokens renews again. */
  signOut(): Promise<void> {
    return this.request("DELETE", "/api/session");
  }

  /** Presents this token from now on (after a renewal). */
  useToken(token: string): void {
    this.token = token;
  }

  room(room: string): Promise<RoomSnapshot> {
    return this.request("GET", `/api/rooms/${room}`);
  }

  createRoom(request: CreateRoomRequest): Promise<CreatedRoom> {
    return this.request("POST", "/api/rooms", request);
  }

  /** Becomes a member of the room (what opening its WebSocket does), with an invite for a private room. */
  join(room: string, invite?: string): Promise<RoomSnapshot> {
    return this.request("POST", `/api/rooms/${room}/join`, invite === undefined ? {} : { invite });
  }

  createInvite(room: string, options: { expiresIn?: number; maxUses?: number } = {}): Promise<CreatedInvite> {
    return this.request("POST", `/api/rooms/${room}/invites`, options);
  }

  messages(room: string, page: PageRequest = {}): Promise<MessagesPage> {
    const query = new URLSearchParams();
    for (const key of ["after", "before", "limit", "wait"] as const) {
      if (page[key] !== undefined) query.set(key, String(page[key]));
    }
    return this.request("GET", `/api/rooms/${room}/messages?${query}`, undefined, page.signal);
  }

  post(room: string, message: OutgoingMessage): Promise<PostedMessage> {
    return this.request("POST", `/api/rooms/${room}/messages`, message);
  }

  /** A change to a message (edit, delete, react...), over HTTP: the same rules and answer as the socket's frames. */
  change(room: string, change: ChangeFrame): Promise<PostedMessage> {
    const { type, target, ...body } = change;
    const { method, path } = CHANGE_KINDS[type].route;
    return this.request(method, `/api/rooms/${room}/messages/${target}${path}`, body);
  }

  /** A moderator's action on a member: mute or ban (for `seconds`, or until lifted), unmute, or an owner's change of role. */
  moderate(room: string, member: string, action: "mute" | "unmute" | "ban" | "moderator" | "member", seconds?: number): Promise<unknown> {
    const path = `/api/rooms/${room}/members/${encodeURIComponent(member)}`;
    const body = seconds === undefined ? {} : { seconds };
    if (action === "mute") return this.request("POST", `${path}/mute`, body);
    if (action === "unmute") return this.request("DELETE", `${path}/mute`);
    if (action === "ban") return this.request("POST", `${path}/ban`, body);
    return this.request("PUT", path, { role: action });
  }

  /** Moves the user's read position in the room forward to `seq`. */
  markRead(room: string, seq: number): Promise<void> {
    return this.request("POST", `/api/rooms/${room}/read`, { seq });
  }

  /** The one-to-one conversation with this user, made on first use. */
  openDirect(user: string): Promise<CreatedRoom> {
    return this.request("POST", "/api/dm", { user });
  }

  /** The room's messages containing every word of `q`, newest first; `before` is the previous page's `next`. */
  searchRoom(room: string, q: string, before?: number): Promise<SearchPage> {
    const query = new URLSearchParams({ q });
    if (before !== undefined) query.set("before", String(before));
    return this.request("GET", `/api/rooms/${room}/search?${query}`);
  }

  /** The newest messages containing every word of `q` across all the user's rooms. */
  searchAll(q: string): Promise<MySearchPage> {
    return this.request("GET", `/api/me/search?${new URLSearchParams({ q })}`);
  }

  myRooms(): Promise<HomeRoomsResponse> {
    return this.request("GET", "/api/me/rooms");
  }

  /** Leaves a room: it leaves the home, and a private one needs a new invite to come back. */
  leaveRoom(room: string): Promise<void> {
    return this.request("DELETE", `/api/rooms/${room}/members/me`);
  }

  /** Leaves (hides) a direct conversation until it is opened again. */
  hideConversation(room: string): Promise<void> {
    return this.request("DELETE", `/api/me/rooms/${room}`);
  }

  block(user: string, name?: string): Promise<void> {
    return this.request("PUT", `/api/me/blocked/${encodeURIComponent(user)}`, name === undefined ? undefined : { name });
  }

  unblock(user: string): Promise<void> {
    return this.request("DELETE", `/api/me/blocked/${encodeURIComponent(user)}`);
  }

  blockedPeople(): Promise<BlockedList> {
    return this.request("GET", "/api/me/blocked");
  }

  conversationSettings(): Promise<ConversationSettings> {
    return this.request("GET", "/api/me/settings");
  }

  saveConversationSettings(settings: ConversationSettings): Promise<ConversationSettings> {
    return this.request("PUT", "/api/me/settings", settings);
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await this.fetcher(new URL(path, this.baseUrl).toString(), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (response.status === 204) return undefined as T;
    const parsed: unknown = await response.json().catch(() => undefined);
    if (response.ok && parsed !== undefined) return parsed as T;
    throw new ApiError(response.status, parsed);
  }
}
