import { checkRoomId } from "../../protocol";
import { ApiError, ChatApi } from "../api";
import { ChatClient } from "../chat-client";
import { composer } from "./room/composer";
import { inviteButton } from "./room/invite-button";
import { renderMembers } from "./room/member-panel";
import { Attachments } from "./room/attachments";
import { fileFetcher } from "./room/file-view";
import { wireMessageActions } from "./room/message-actions";
import { MessageList } from "./room/message-list";
import { People } from "./room/people";
import { markReadWhenSeen } from "./room/read-marker";
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
  const you = client.you;
  const people = new People();
  const currentToken = () => loadSession()?.token ?? token;
  const messages = new MessageList($<HTMLOListElement>("messages"), you, people, fileFetcher(room, currentToken));

  document.title = `#${room} — edge-chat`;
  $("room-name").textContent = `#${room}`;

  messages.follow(client);
  markReadWhenSeen(client, $("messages"));
  followTyping(client, $("typing"));
  const attachments = new Attachments($<HTMLUListElement>("uploads"), room, currentToken);
  attachments.follow($<HTMLInputElement>("file-input"), $<HTMLButtonElement>("attach"), $("composer"));
  const { setDmTarget, replyTo, edit } = composer(client, people, `edge-chat:draft:${room}`, () => messages.lastOwn(), attachments);
  wireMessageActions($("messages"), messages, client, { replyTo, edit });
  inviteButton(room, token);

  const openDirect = async (user: string) => {
    try {
      const { room: direct } = await new ChatApi(location.origin, loadSession()?.token ?? token).openDirect(user);
      location.assign(`/r/${direct.id}`);
    } catch (error) {
      $("member-note").hidden = false;
      $("member-note").textContent = error instanceof ApiError ? error.message : "Could not reach the server; try again.";
    }
  };
  let role: "owner" | "moderator" | "member" = "member";
  const moderate = async (member: string, action: "mute" | "unmute" | "ban" | "moderator" | "member") => {
    const seconds = action === "mute" ? 3600 : action === "ban" ? 86_400 : undefined;
    try {
      await new ChatApi(location.origin, loadSession()?.token ?? token).moderate(room, member, action, seconds);
      if (action === "moderator" || action === "member") client.who();
    } catch (error) {
      $("member-note").hidden = false;
      $("member-note").textContent = error instanceof ApiError ? error.message : "Could not reach the server; try again.";
    }
  };
  const showMembers = (tagsChanged: boolean) => {
    renderMembers($("member-list"), $("member-note"), people, you, {
      pick: setDmTarget,
      openDirect: (user) => void openDirect(user),
      ...(role === "member" ? {} : { moderate: { canAppoint: role === "owner", act: (user, action) => void moderate(user, action) } }),
    });
    if (tagsChanged) messages.rerender();
  };
  client.on("welcome", (welcome) => {
    sessionStorage.removeItem(inviteKey);
    const { visibility, owner, direct } = welcome.room;
    // A conversation of two is called after the other person.
    const title = direct ? welcome.members.find((member) => member.id !== you.id)?.name : welcome.room.title;
    $("room-name").textContent = title ?? `#${room}`;
    document.title = `${title ?? `#${room}`} — edge-chat`;
    $("visibility").textContent = direct ? "direct" : visibility;
    $("invite").hidden = Boolean(direct);
    $("invite").dataset.visibility = visibility;
    role = welcome.role ?? "member";
    showMuted(welcome.mutedUntil === undefined ? { muted: false } : { muted: true, until: welcome.mutedUntil });
    const ownerChanged = people.owner !== owner;
    people.owner = owner;
    showMembers(people.setMembers(welcome.members) || ownerChanged);
  });
  client.on("members", (list) => showMembers(people.setMembers(list)));
  client.on("muted", (state) => showMuted(state));
  client.on("presence", ({ joined, left }) => showMembers(people.presence(joined, left, Date.now())));

  const renderStatus = statusBanner($("status"), {
    onSignedOut: () => {
      clearSession();
      goToSignIn(location.pathname, "signed-out");
    },
    onForbidden: () => sessionStorage.removeItem(inviteKey),
  });
  client.on("status", renderStatus);
  renderStatus(client.connection);

  /** A muted person sees why, and when it ends, where the composer was. */
  function showMuted(state: { muted: boolean; until?: number | null }): void {
    $("composer").hidden = state.muted;
    $("muted-notice").hidden = !state.muted;
    if (!state.muted) return;
    const until = state.until;
    $("muted-notice").textContent =
      until === null || until === undefined
        ? "You are muted in this room until a moderator unmutes you. You can still read."
        : `You are muted in this room until ${new Date(until).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}. You can still read.`;
  }

  $("toggle-members").addEventListener("click", () => {
    const open = $("members").classList.toggle("open");
    $("toggle-members").setAttribute("aria-expanded", String(open));
  });
}
