import { checkDisplayName, checkRoomId } from "../../protocol";
import { ChatApi } from "../api";
import { failureText } from "./failure-text";
import { HomeFeed } from "../home-feed";
import { conversationSettings } from "./home/conversation-settings";
import { mentionNotifier } from "./home/mention-notifier";
import { roomActions } from "./home/room-actions";
import { searchAll } from "./home/search-all";
import { renderRoomList } from "./home/room-list";
import { clearSession, keepSessionFresh, loadSession, saveSession, SIGN_IN_REASONS, type SignInReason } from "./session";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const params = new URLSearchParams(location.search);
const next = safeNext(params.get("next"));

let feed: HomeFeed | undefined;

function render(): void {
  const session = loadSession();
  $("sign-in").hidden = Boolean(session);
  $("signed-in").hidden = !session;
  if (session) $("who").textContent = session.user.name;
  if (session && !feed && !next) feed = followRooms(session.token);
  const reason = params.get("reason");
  const notice = reason !== null && Object.hasOwn(SIGN_IN_REASONS, reason) ? SIGN_IN_REASONS[reason as SignInReason] : undefined;
  $("notice").hidden = !notice;
  $("notice").textContent = notice ?? "";
}

/** The signed-in home: every room of the user's, kept live by the hub socket. */
function followRooms(token: string): HomeFeed {
  const currentToken = () => loadSession()?.token ?? token;
  const api = () => new ChatApi(location.origin, currentToken());
  const refreshSettings = conversationSettings(api, {
    panel: $<HTMLDetailsElement>("conversation-settings"),
    reopen: $<HTMLInputElement>("reopen-on-message"),
    list: $("blocked-list"),
    empty: $("no-blocked"),
    error: $("settings-error"),
  });
  const actions = roomActions(api, $("home-error"), refreshSettings);
  searchAll(api, { form: $<HTMLFormElement>("search-all"), input: $<HTMLInputElement>("search-all-q"), results: $<HTMLOListElement>("search-all-results"), note: $("search-all-note") });
  const home = new HomeFeed({ baseUrl: location.origin, token: currentToken });
  home.on("rooms", (rooms) => renderRoomList($("room-list"), $("no-rooms"), rooms, actions));
  const notify = mentionNotifier($<HTMLButtonElement>("notify"));
  home.on("changed", ({ room, before }) => notify(room, before));
  home.on("signed-out", () => {
    clearSession();
    feed = undefined;
    render();
  });
  return home;
}

/** Only a room page of this site may be a destination after sign-in: no open redirect. */
function safeNext(value: string | null): string | undefined {
  const room = value?.startsWith("/r/") ? checkRoomId(value.slice(3)) : undefined;
  return room?.ok ? `/r/${room.value}` : undefined;
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("sign-in-error");
  const name = checkDisplayName(($("name") as HTMLInputElement).value);
  if (!name.ok) {
    error.textContent = name.message;
    return;
  }
  error.textContent = "";
  try {
    saveSession(await new ChatApi(location.origin, undefined).signIn(name.value));
  } catch (failure) {
    error.textContent = failureText(failure);
    return;
  }
  if (next) location.assign(next);
  else render();
});

$("join").addEventListener("submit", (event) => {
  event.preventDefault();
  const room = checkRoomId(($("room") as HTMLInputElement).value.trim());
  if (room.ok) location.assign(`/r/${room.value}`);
});

$("create").addEventListener("submit", async (event) => {
  event.preventDefault();
  const session = loadSession();
  if (!session) return render();
  const title = ($("title") as HTMLInputElement).value.trim();
  const visibility = ($("private") as HTMLInputElement).checked ? "private" : "public";
  try {
    const { room } = await new ChatApi(location.origin, session.token).createRoom(title ? { title, visibility } : { visibility });
    location.assign(`/r/${room.id}`);
  } catch (failure) {
    $("create-error").textContent = failureText(failure);
  }
});

$("sign-out").addEventListener("click", () => {
  const token = loadSession()?.token;
  // The server forgets the session too; signing out here does not wait for it, nor fail without it.
  if (token) void new ChatApi(location.origin, token).signOut().catch(() => undefined);
  clearSession();
  feed?.close();
  feed = undefined;
  render();
});

render();
if (loadSession() && next) location.replace(next);
else keepSessionFresh(() => render());
