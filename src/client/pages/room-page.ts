import { checkRoomId } from "../../protocol";
import { ApiError, ChatApi } from "../api";
import { ChatClient } from "../chat-client";
import { composer } from "./room/composer";
import { inviteButton } from "./room/invite-button";
import { renderMembers } from "./room/member-panel";
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
  const messages = new MessageList($<HTMLOListElement>("messages"), you, people);

  document.title = `#${room} — edge-chat`;
  $("room-name").textContent = `#${room}`;

  messages.follow(client);
  markReadWhenSeen(client, $("messages"));
  followTyping(client, $("typing"));
  const { setDmTarget, replyTo, edit } = composer(client, people, `edge-chat:draft:${room}`, () => messages.lastOwn());
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
  const showMembers = (tagsChanged: boolean) => {
    renderMembers($("member-list"), $("member-note"), people, you, { pick: setDmTarget, openDirect: (user) => void openDirect(user) });
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
    const ownerChanged = people.owner !== owner;
    people.owner = owner;
    showMembers(people.setMembers(welcome.members) || ownerChanged);
  });
  client.on("members", (list) => showMembers(people.setMembers(list)));
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

  $("toggle-members").addEventListener("click", () => {
    const open = $("members").classList.toggle("open");
    $("toggle-members").setAttribute("aria-expanded", String(open));
  });
}
