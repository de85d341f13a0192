import { checkRoomId, type RoomInfo } from "../../protocol";
import { ChatApi } from "../api";
import { failureText } from "./failure-text";
import { ChatClient } from "../chat-client";
import { composer } from "./room/composer";
import { inviteButton } from "./room/invite-button";
import { renderMembers, type ModerationAction } from "./room/member-panel";
import { Attachments } from "./room/attachments";
import { fileFetcher } from "./room/file-view";
import { wireMessageActions } from "./room/message-actions";
import { MessageList } from "./room/message-list";
import { announceMessages } from "./room/message-announcer";
import { membersDrawer } from "./room/members-drawer";
import { markReadWhenSeen } from "./room/read-marker";
import { RoomState, type MuteState } from "./room/room-state";
import { searchPanel } from "./room/search-panel";
import { statusBanner } from "./room/status-banner";
import { followTyping } from "./room/typing-line";
import { clearSession, goToSignIn, keepSessionFresh, loadSession } from "./session";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const roomId = checkRoomId(decodeURIComponent(location.pathname.split("/")[2] ?? ""));
const session = loadSession();

if (!roomId.ok) location.replace("/");
else {
  // An invite link's token is in the fragment; keep it for this tab (through sign-in, if need be)
  // and take it out of the address bar, so it is not copied or bookmarked with the room.
  const inviteKey = `edge-chat:invite:${roomId.value}`;
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("invite");
  if (fromLink) {
    sessionStorage.setItem(inviteKey, fromLink);
    history.replaceState(null, "", location.pathname);
  }
  if (!session) goToSignIn(location.pathname);
  else start(roomId.value, session.token, inviteKey);
}

/** The room page: each part of it in ./room/, joined here to one client. */
function start(room: string, token: string, inviteKey: string): void {
  const invite = sessionStorage.getItem(inviteKey) ?? undefined;
  // Every reconnection uses the newest session, which any tab may have renewed.
  const client = new ChatClient({ baseUrl: location.origin, room, token, invite, getToken: () => loadSession()?.token ?? token });
  keepSessionFresh((renewed) => client.useToken(renewed.token));
  const state = new RoomState(client.you);
  state.follow(client);
  const currentToken = () => loadSession()?.token ?? token;
  const messages = new MessageList($<HTMLOListElement>("messages"), state, fileFetcher(room, currentToken));

  document.title = `#${room} — edge-chat`;
  $("room-name").textContent = `#${room}`;

  messages.follow(client);
  markReadWhenSeen(client, $("messages"));
  followTyping(client, $("typing"));
  announceMessages(client, client.you, $("announcer"));
  const attachments = new Attachments($<HTMLUListElement>("uploads"), room, currentToken);
  attachments.follow($<HTMLInputElement>("file-input"), $<HTMLButtonElement>("attach"), $("composer"));
  const { setDmTarget, replyTo, edit } = composer(client, state, `edge-chat:draft:${room}`, () => messages.lastOwn(), attachments);
  wireMessageActions($("messages"), messages, client, { replyTo, edit });
  goToLinkedMessage(messages, client);
  searchPanel(
    () => new ChatApi(location.origin, currentToken()),
    room,
    {
      open: $<HTMLButtonElement>("open-search"),
      panel: $("search-panel"),
      form: $<HTMLFormElement>("search-form"),
      input: $<HTMLInputElement>("search-q"),
      results: $<HTMLOListElement>("search-results"),
      more: $<HTMLButtonElement>("search-more"),
      note: $("search-note"),
    },
    (seq) => void messages.goTo(seq, client),
  );
  inviteButton(room, token);

  const openDirect = async (user: string) => {
    try {
      const { room: direct } = await new ChatApi(location.origin, loadSession()?.token ?? token).openDirect(user);
      location.assign(`/r/${direct.id}`);
    } catch (error) {
      $("member-note").hidden = false;
      $("member-note").textContent = failureText(error);
    }
  };
  const moderate = async (member: string, action: ModerationAction) => {
    const seconds = action === "mute" ? 3600 : action === "ban" ? 86_400 : undefined;
    try {
      await new ChatApi(location.origin, loadSession()?.token ?? token).moderate(room, member, action, seconds);
      if (action === "moderator" || action === "member") client.who();
    } catch (error) {
      $("member-note").hidden = false;
      $("member-note").textContent = failureText(error);
    }
  };
  const showMembers = () =>
    renderMembers($("member-list"), $("member-note"), state, {
      pick: setDmTarget,
      openDirect: (user) => void openDirect(user),
      moderate: (user, action) => void moderate(user, action),
    });
  client.on("welcome", () => sessionStorage.removeItem(inviteKey));
  state.on("change", (changed) => {
    if (changed.has("room") && state.room) showRoom(state.room);
    if (changed.has("mute")) showMuted(state.mute);
    if (changed.has("members") || changed.has("people")) showMembers();
    if (changed.has("people")) messages.rerender();
  });

  const renderStatus = statusBanner($("status"), {
    onSignedOut: () => {
      clearSession();
      goToSignIn(location.pathname, "signed-out");
    },
    onForbidden: () => sessionStorage.removeItem(inviteKey),
  });
  client.on("status", renderStatus);
  renderStatus(client.connection);

  function showRoom({ visibility, title: named, direct }: RoomInfo): void {
    // A conversation of two is called after the other person.
    const title = direct ? state.people.memberList().find((member) => member.id !== state.you.id)?.name : named;
    $("room-name").textContent = title ?? `#${room}`;
    document.title = `${title ?? `#${room}`} — edge-chat`;
    $("visibility").textContent = direct ? "direct" : visibility;
    $("invite").hidden = Boolean(direct);
    $("invite").dataset.visibility = visibility;
  }

  /** A muted person sees why, and when it ends, where the composer was. */
  function showMuted(mute: MuteState): void {
    $("composer").hidden = mute.muted;
    $("muted-notice").hidden = !mute.muted;
    if (!mute.muted) return;
    const until = mute.until;
    $("muted-notice").textContent =
      until === null || until === undefined
        ? "You are muted in this room until a moderator unmutes you. You can still read."
        : `You are muted in this room until ${new Date(until).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}. You can still read.`;
  }

  membersDrawer($<HTMLButtonElement>("toggle-members"), $("members"));
}

/**
 * A link to a message (`/r/<room>#seq=<n>`, from the home's search) opens the room there: once
 * the history is shown, the list goes to it, loading older pages as needed.
 */
function goToLinkedMessage(messages: MessageList, client: ChatClient): void {
  const seq = Number(new URLSearchParams(location.hash.slice(1)).get("seq"));
  if (!Number.isInteger(seq) || seq < 1) return;
  history.replaceState(null, "", location.pathname);
  const list = $("messages");
  const giveUpAt = Date.now() + 10_000;
  const go = () => {
    if (list.querySelector("[data-seq]")) void messages.goTo(seq, client);
    else if (Date.now() < giveUpAt) requestAnimationFrame(go);
  };
  requestAnimationFrame(go);
}
