import { quoteOf } from "../../../protocol";
import type { ChatClient } from "../../chat-client";
import { fromChatMessage, renderMessage, type MessageViewModel } from "../message-view";
import type { RoomState } from "./room-state";

/**
 * The conversation: stored messages in seq order, the user's own still pending after them, and
 * older pages loaded as the list is scrolled to its top.
 */
export class MessageList {
  private readonly rendered = new Map<string, { model: MessageViewModel; element: HTMLLIElement }>();
  private older: "unknown" | "loading" | "none" = "unknown";

  constructor(
    private readonly list: HTMLOListElement,
    private readonly state: RoomState,
    private readonly fetchFile: (id: string) => Promise<string>,
  ) {}

  /** Wires the list to the client: messages, the user's pending and failed ones, and scrolling back. */
  follow(client: ChatClient): void {
    client.on("message", (message) => this.show(fromChatMessage(message)));
    client.on("changed", (messages) => messages.forEach((message) => this.show(fromChatMessage(message), false)));
    client.on("pending", ({ replyTo, files: _, attachments, ...pending }) => {
      const answered = replyTo === undefined ? undefined : client.messageAt(replyTo);
      this.show({
        ...pending,
        ...(answered ? { replyTo: quoteOf(answered) } : {}),
        ...(attachments?.length ? { files: attachments } : {}),
        from: this.state.you,
        ts: pending.createdAt,
        state: "pending",
      });
    });
    // What followed lies in a span the room no longer keeps: say so where it would have been.
    client.on("pruned", () => {
      this.older = "none";
      this.markStart(true);
    });
    client.on("gap", () => {
      const gap = document.createElement("li");
      gap.className = "history-gap";
      gap.textContent = "Some messages from while you were away are no longer kept.";
      this.list.append(gap);
    });
    client.on("failed", ({ id, message }) => {
      const entry = this.rendered.get(`${this.state.you.id}/${id}`);
      if (entry) this.show({ ...entry.model, state: "failed", failure: message });
    });
    this.list.addEventListener("scroll", () => {
      if (this.list.scrollTop < 40) void this.loadOlder(client);
    });
  }

  /** The newest of the user's own messages still there, for the Up arrow's edit. */
  lastOwn(): MessageViewModel | undefined {
    let last: MessageViewModel | undefined;
    for (const { model } of this.rendered.values()) {
      if (model.from.id === this.state.you.id && model.state === "sent" && !model.deleted && (last === undefined || model.seq! > last.seq!)) last = model;
    }
    return last;
  }

  /** The message at this seq, if it is shown. */
  at(seq: number): MessageViewModel | undefined {
    return [...this.rendered.values()].find((entry) => entry.model.seq === seq)?.model;
  }

  /** Scrolls to a message, loading older history until it is there (a reply's quote was clicked). */
  async goTo(seq: number, client: ChatClient): Promise<void> {
    while (!this.list.querySelector(`[data-seq="${seq}"]`) && this.older === "unknown") {
      const oldest = this.list.querySelector<HTMLElement>("[data-seq]")?.dataset.seq;
      await this.loadOlder(client);
      // Nothing older came (an empty list, or the first seq reached): the message is not there to go to.
      if (this.list.querySelector<HTMLElement>("[data-seq]")?.dataset.seq === oldest) break;
    }
    const element = this.list.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
    if (!element) return;
    element.scrollIntoView({ block: "center", behavior: "smooth" });
    element.classList.add("flash");
    setTimeout(() => element.classList.remove("flash"), 1500);
  }

  show(model: MessageViewModel, follow = true): void {
    if (this.state.people.noteAuthor(model.from)) this.rerender();
    const key = `${model.from.id}/${model.id}`;
    const list = this.list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    this.rendered.get(key)?.element.remove();
    const element = renderMessage(model, this.state, this.fetchFile);
    this.rendered.set(key, { model, element });
    this.insertInOrder(element, model.seq);
    if (follow && (atBottom || model.from.id === this.state.you.id)) list.scrollTop = list.scrollHeight;
  }

  /** Draws every message again, in place: how people are shown, or what the user may do, has changed. */
  rerender(): void {
    for (const [key, entry] of this.rendered) {
      const element = renderMessage(entry.model, this.state, this.fetchFile);
      entry.element.replaceWith(element);
      this.rendered.set(key, { model: entry.model, element });
    }
  }

  /** Stored messages in seq order; messages still being sent after all of them. */
  private insertInOrder(element: HTMLLIElement, seq: number | undefined): void {
    if (seq === undefined) return void this.list.append(element);
    let before: Element | null = null;
    for (let node = this.list.lastElementChild; node; node = node.previousElementSibling) {
      const other = (node as HTMLElement).dataset.seq;
      if (other !== undefined && Number(other) < seq) break;
      if (node.classList.contains("history-edge")) break;
      before = node;
    }
    this.list.insertBefore(element, before);
  }

  private async loadOlder(client: ChatClient): Promise<void> {
    const oldest = this.list.querySelector<HTMLElement>("[data-seq]")?.dataset.seq;
    if (this.older !== "unknown" || oldest === undefined || Number(oldest) <= 1) return;
    this.older = "loading";
    try {
      const page = await client.loadOlder(Number(oldest));
      const height = this.list.scrollHeight;
      for (const message of page.messages) this.show(fromChatMessage(message));
      this.list.scrollTop += this.list.scrollHeight - height;
      this.older = page.more ? "unknown" : "none";
      if (this.older === "none") this.markStart(page.pruned === true);
    } catch {
      this.older = "unknown";
    }
  }

  /** The top of the history: the conversation's beginning, or where what the room keeps begins. */
  private markStart(pruned: boolean): void {
    this.list.querySelector(".history-edge")?.remove();
    const edge = document.createElement("li");
    edge.className = "history-edge";
    edge.textContent = pruned ? "Older messages are no longer kept." : "This is the beginning of the conversation.";
    this.list.prepend(edge);
  }
}
