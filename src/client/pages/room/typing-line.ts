import type { ChatClient } from "../../chat-client";

/** How long a typing notice is shown; the sender's client repeats it every 2 s while typing. */
const SHOWN_FOR_MS = 4000;

/** "Bob is typing…": shown for a while after each notice, and ended at once by that person's message. */
export function followTyping(client: ChatClient, line: HTMLElement): void {
  const typing = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();
  const render = () => {
    const names = [...typing.values()].map((t) => t.name);
    line.textContent = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
  };
  client.on("typing", (user) => {
    clearTimeout(typing.get(user.id)?.timer);
    typing.set(user.id, { name: user.name, timer: setTimeout(() => (typing.delete(user.id), render()), SHOWN_FOR_MS) });
    render();
  });
  client.on("message", (message) => {
    const entry = typing.get(message.from.id);
    if (!entry) return;
    clearTimeout(entry.timer);
    typing.delete(message.from.id);
    render();
  });
}
