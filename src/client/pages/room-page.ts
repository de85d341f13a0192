import { checkRoomId, LIMITS, type Member } from "../../protocol";
import { ApiError, ChatApi } from "../api";
import { ChatClient, type ConnectionStatus } from "../chat-client";
import { fromChatMessage, lastSeenLabel, renderMessage, type MessageViewModel } from "./message-view";
import { clearSession, goToSignIn, loadSession } from "./session";

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

function start(room: string, token: string, inviteKey: string): void {
  const invite = sessionStorage.getItem(inviteKey) ?? undefined;
  const client = new ChatClient({ baseUrl: location.origin, room, token, invite });
  const you = client.you;
  const list = $<HTMLOListElement>("messages");
  const textarea = $<HTMLTextAreaElement>("text");
  const members = new Map<string, Member>();
  const rendered = new Map<string, { model: MessageViewModel; element: HTMLLIElement }>();
  const typing = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();
  const draftKey = `edge-chat:draft:${room}`;
  let dmTarget: string | undefined;
  let olderState: "unknown" | "loading" | "none" = "unknown";

  document.title = `#${room} — edge-chat`;
  $("room-name").textContent = `#${room}`;
  textarea.value = sessionStorage.getItem(draftKey) ?? "";

  const nameOf = (id: string) => members.get(id)?.name ?? "someone";

  // ---- Messages --------------------------------------------------------------------------

  function show(model: MessageViewModel): void {
    const key = `${model.from.id}/${model.id}`;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    rendered.get(key)?.element.remove();
    const element = renderMessage(model, you, nameOf);
    rendered.set(key, { model, element });
    insertInOrder(element, model.seq);
    if (atBottom || model.from.id === you.id) list.scrollTop = list.scrollHeight;
  }

  /** Stored messages in seq order; messages still being sent after all of them. */
  function insertInOrder(element: HTMLLIElement, seq: number | undefined): void {
    if (seq === undefined) return void list.append(element);
    let before: Element | null = null;
    for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
      const other = (node as HTMLElement).dataset.seq;
      if (other !== undefined && Number(other) < seq) break;
      if (node.classList.contains("history-edge")) break;
      before = node;
    }
    list.insertBefore(element, before);
  }

  client.on("message", (message) => show(fromChatMessage(message)));
  client.on("pending", (pending) => show({ ...pending, from: you, ts: pending.createdAt, state: "sending" }));
  client.on("failed", ({ id, message }) => {
    const entry = rendered.get(`${you.id}/${id}`);
    if (entry) show({ ...entry.model, state: "failed", failure: message });
  });

  async function loadOlder(): Promise<void> {
    const oldest = list.querySelector<HTMLElement>("[data-seq]")?.dataset.seq;
    if (olderState !== "unknown" || oldest === undefined || Number(oldest) <= 1) return;
    olderState = "loading";
    try {
      const page = await client.loadOlder(Number(oldest));
      const height = list.scrollHeight;
      for (const message of page.messages) show(fromChatMessage(message));
      list.scrollTop += list.scrollHeight - height;
      olderState = page.more ? "unknown" : "none";
    } catch {
      olderState = "unknown";
    }
    if (olderState === "none") {
      const edge = document.createElement("li");
      edge.className = "history-edge";
      edge.textContent = "This is the beginning of the conversation.";
      list.prepend(edge);
    }
  }
  list.addEventListener("scroll", () => {
    if (list.scrollTop < 40) void loadOlder();
  });

  // ---- Members, presence, typing ---------------------------------------------------------

  function renderMembers(): void {
    const sorted = [...members.values()].sort(
      (a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name),
    );
    const items = sorted.map((member) => {
      const item = document.createElement("li");
      item.className = member.online ? "online" : "offline";
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.userId = member.id;
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.setAttribute("aria-label", member.online ? "online" : "offline");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = member.name;
      button.append(dot, name);
      if (member.id === you.id) {
        const tag = document.createElement("span");
        tag.className = "you";
        tag.textContent = "(you)";
        button.append(tag);
        button.disabled = true;
      } else {
        button.title = `Send ${member.name} a direct message`;
        button.addEventListener("click", () => setDmTarget(member.id));
      }
      if (!member.online) {
        const seen = document.createElement("span");
        seen.className = "seen";
        seen.textContent = lastSeenLabel(member.lastSeen);
        button.append(seen);
      }
      item.append(button);
      return item;
    });
    $("member-list").replaceChildren(...items);
  }

  function setMembers(list: Member[]): void {
    members.clear();
    for (const member of list) members.set(member.id, member);
    // A full list is a large room's: the server lists who is online and who was here lately.
    $("member-note").hidden = list.length < LIMITS.listedMembers;
    renderMembers();
  }

  client.on("welcome", (welcome) => {
    sessionStorage.removeItem(inviteKey);
    const { title, visibility } = welcome.room;
    $("room-name").textContent = title ?? `#${room}`;
    document.title = `${title ?? `#${room}`} — edge-chat`;
    $("visibility").textContent = visibility;
    $("invite").hidden = false;
    $("invite").dataset.visibility = visibility;
    setMembers(welcome.members);
  });
  client.on("members", setMembers);
  client.on("presence", ({ joined, left }) => {
    const now = Date.now();
    for (const user of joined) members.set(user.id, { ...user, online: true, lastSeen: now });
    for (const user of left) members.set(user.id, { ...user, online: false, lastSeen: now });
    renderMembers();
  });

  function renderTyping(): void {
    const names = [...typing.values()].map((t) => t.name);
    $("typing").textContent =
      names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
  }
  client.on("typing", (user) => {
    clearTimeout(typing.get(user.id)?.timer);
    typing.set(user.id, { name: user.name, timer: setTimeout(() => (typing.delete(user.id), renderTyping()), 4000) });
    renderTyping();
  });
  client.on("message", (message) => {
    const entry = typing.get(message.from.id);
    if (!entry) return;
    clearTimeout(entry.timer);
    typing.delete(message.from.id);
    renderTyping();
  });

  // ---- Connection status -----------------------------------------------------------------

  const status = $("status");
  let countdown: ReturnType<typeof setInterval> | undefined;
  function renderStatus(state: ConnectionStatus): void {
    clearInterval(countdown);
    status.dataset.state = state.state;
    delete status.dataset.transport;
    switch (state.state) {
      case "connecting":
        status.textContent = "Connecting…";
        break;
      case "online":
        status.dataset.transport = state.transport;
        status.textContent = state.transport === "http" ? "Online (over HTTP: WebSocket is unavailable here)" : "Online";
        break;
      case "reconnecting": {
        const tick = () => {
          const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
          status.textContent = seconds > 0 ? `Connection lost. Reconnecting in ${seconds} s…` : "Reconnecting…";
        };
        tick();
        countdown = setInterval(tick, 1000);
        break;
      }
      case "offline":
        status.textContent = "You are offline. Messages you write will be sent when the connection is back.";
        break;
      case "signed-out":
        clearSession();
        goToSignIn(location.pathname, `You were signed out (${state.message}). Sign in again to continue.`);
        break;
      case "forbidden":
        sessionStorage.removeItem(inviteKey);
        status.textContent = `You cannot enter this room: ${state.message}.`;
        break;
      case "closed":
        status.textContent = "Disconnected.";
        break;
    }
  }
  client.on("status", renderStatus);
  renderStatus(client.connection);

  // ---- Composer --------------------------------------------------------------------------

  function setDmTarget(id: string | undefined): void {
    dmTarget = id;
    $("dm-target").hidden = id === undefined;
    if (id !== undefined) $("dm-name").textContent = nameOf(id);
    textarea.focus();
  }
  $("dm-clear").addEventListener("click", () => setDmTarget(undefined));

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value;
    if (!text.trim()) return;
    client.send(text, dmTarget === undefined ? {} : { to: dmTarget });
    textarea.value = "";
    sessionStorage.removeItem(draftKey);
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $<HTMLFormElement>("composer").requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    sessionStorage.setItem(draftKey, textarea.value);
    if (textarea.value.trim()) client.typing();
  });

  // ---- Inviting --------------------------------------------------------------------------

  $("invite").addEventListener("click", async () => {
    const label = $("invite-label");
    let link = `${location.origin}/r/${room}`;
    if ($("invite").dataset.visibility === "private") {
      try {
        link = (await new ChatApi(location.origin, token).createInvite(room)).url;
      } catch (failure) {
        label.textContent = failure instanceof ApiError ? `Could not create an invite: ${failure.message}` : "Could not reach the server.";
        $("invite-panel").hidden = false;
        return;
      }
    }
    const input = $<HTMLInputElement>("invite-link");
    input.value = link;
    $("invite-panel").hidden = false;
    input.select();
    try {
      await navigator.clipboard.writeText(link);
      label.textContent = "Invite link copied to the clipboard (valid for 7 days):";
    } catch {
      label.textContent = "Copy this invite link (valid for 7 days):";
    }
    if ($("invite").dataset.visibility === "public") label.textContent = "Anyone signed in can join this public room with its address:";
  });
  $("invite-close").addEventListener("click", () => ($("invite-panel").hidden = true));

  $("toggle-members").addEventListener("click", () => {
    const open = $("members").classList.toggle("open");
    $("toggle-members").setAttribute("aria-expanded", String(open));
  });
}
