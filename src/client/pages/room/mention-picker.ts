import type { Member, UserRef } from "../../../protocol";
import type { RoomState } from "./room-state";

/** Suggestions shown at once: enough to pick from, few enough to scan. */
const SHOWN = 6;
/** `@` at the start or after a space, then what has been typed of a name, up to the caret. */
const TYPED_MENTION = /(?:^|\s)@([^\s@]{0,32})$/u;

/**
 * `@` in the message box offers the room's members by name: arrows move, Enter or Tab picks,
 * Escape closes. A picked member is mentioned when the message is sent, if their `@Name` is
 * still in the text; their home then counts it as a mention.
 */
export class MentionPicker {
  private readonly picked = new Map<string, UserRef>();
  private offered: Member[] = [];
  private active = 0;

  constructor(
    private readonly textarea: HTMLTextAreaElement,
    private readonly list: HTMLUListElement,
    private readonly state: RoomState,
  ) {
    textarea.addEventListener("input", () => this.update());
    textarea.addEventListener("keydown", (event) => this.onKey(event));
    textarea.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  /** The ids of the picked members still named in `text`. */
  mentionsIn(text: string): string[] {
    return [...this.picked.values()].filter((user) => text.includes(`@${user.name}`)).map((user) => user.id);
  }

  /** After a send: nothing is picked any more. */
  reset(): void {
    this.picked.clear();
    this.close();
  }

  private update(): void {
    const typed = TYPED_MENTION.exec(this.textarea.value.slice(0, this.textarea.selectionStart))?.[1];
    if (typed === undefined) return this.close();
    const query = typed.toLocaleLowerCase();
    this.offered = this.state.people
      .memberList()
      .filter((member) => member.id !== this.state.you.id && member.name.toLocaleLowerCase().includes(query))
      .sort((a, b) => Number(b.name.toLocaleLowerCase().startsWith(query)) - Number(a.name.toLocaleLowerCase().startsWith(query)) || Number(b.online) - Number(a.online))
      .slice(0, SHOWN);
    this.active = 0;
    this.render();
  }

  private onKey(event: KeyboardEvent): void {
    if (this.list.hidden) return;
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      this.active = (this.active + moves[event.key]! + this.offered.length) % this.offered.length;
      this.render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.pick(this.offered[this.active]!);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return;
    }
    // The composer must not send, nor focus move, while a suggestion is being chosen.
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  private pick(member: Member): void {
    const caret = this.textarea.selectionStart;
    const before = this.textarea.value.slice(0, caret).replace(/@[^\s@]*$/u, `@${member.name} `);
    this.textarea.value = before + this.textarea.value.slice(caret);
    this.textarea.setSelectionRange(before.length, before.length);
    this.picked.set(member.id, { id: member.id, name: member.name });
    this.close();
    this.textarea.dispatchEvent(new Event("input"));
    this.textarea.focus();
  }

  private render(): void {
    this.list.hidden = this.offered.length === 0;
    this.list.replaceChildren(
      ...this.offered.map((member, index) => {
        const item = document.createElement("li");
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", String(index === this.active));
        item.textContent = member.name;
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          this.pick(member);
        });
        return item;
      }),
    );
  }

  private close(): void {
    this.offered = [];
    this.list.hidden = true;
    this.list.replaceChildren();
  }
}
