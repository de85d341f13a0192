import { expect } from "vitest";
import { Conversation } from "../../src/client/conversation";
import type { ChatMessage, ClientFrame, MessagesPage, ServerFrame, UpdateFrame } from "../../src/protocol";
import type { TestSocket } from "./test-socket";

/** One person acting in the room over their socket. */
export interface Actor {
  id: string;
  socket: TestSocket;
}

const EMOJI = ["👍", "🎉", "😂", "❤️", "🚀"];

/** A small seeded generator (mulberry32), so a failing sequence can be run again. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sends one frame and waits for its ack or its refusal. */
async function act(actor: Actor, frame: ClientFrame & { id: string }): Promise<void> {
  actor.socket.send(frame);
  const deadline = Date.now() + 5000;
  while (!actor.socket.pending("ack").some((a) => a.id === frame.id) && !actor.socket.pending("error").some((e) => e.id === frame.id)) {
    if (Date.now() > deadline) throw new Error(`no answer to ${JSON.stringify(frame)}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Plays `count` random sends (some replies, some direct), edits, deletions and reactions by the
 * actors, one at a time, choosing targets from what `known` holds (the view of the observer,
 * who acts as the first actor).
 */
export async function playScript(actors: Actor[], known: () => ChatMessage[], count: number, random: () => number, first = 0): Promise<void> {
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)];
  for (let n = first; n < first + count; n++) {
    const actor = actors[n % actors.length]!;
    const visible = known().filter((m) => !m.deleted);
    const own = visible.filter((m) => m.from.id === actor.id && m.to === undefined);
    const roll = random();
    const id = `op-${n}`;
    if (roll < 0.4 || visible.length === 0) {
      const frame: ClientFrame & { id: string } = { type: "send", id, text: `message ${n} ${"x".repeat(Math.floor(random() * 30))}` };
      // Half the direct messages go to the first actor: the observer's, so it sees some.
      const others = actors.filter((a) => a.id !== actor.id);
      const other = random() < 0.5 && actor.id !== actors[0]!.id ? actors[0] : pick(others);
      if (random() < 0.15 && other) frame.to = other.id;
      else if (random() < 0.3) {
        const answered = pick(visible.filter((m) => m.to === undefined));
        if (answered) frame.replyTo = answered.seq;
      }
      await act(actor, frame);
    } else if (roll < 0.6 && own.length > 0) {
      await act(actor, { type: "edit", id, target: pick(own)!.seq, text: `edited at ${n}` });
    } else if (roll < 0.7 && own.length > 0) {
      await act(actor, { type: "delete", id, target: pick(own)!.seq });
    } else {
      await act(actor, { type: "react", id, target: pick(visible)!.seq, emoji: pick(EMOJI)!, on: random() < 0.7 });
    }
  }
}

/** Records what a socket is shown, in the order shown, for replaying up to any seq. */
export class Recorder {
  readonly frames: (ChatMessage | UpdateFrame)[] = [];
  readonly conversation: Conversation;

  constructor(you: string, socket: TestSocket, first: { messages: ChatMessage[]; updates?: UpdateFrame[] }) {
    this.conversation = new Conversation(you);
    this.take(first.messages, first.updates);
    socket.ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as ServerFrame;
      if (frame.type === "message" || frame.type === "update") this.take(frame.type === "message" ? [frame] : [], frame.type === "update" ? [frame] : []);
    });
  }

  /** What the socket's reader knew once everything up to `seq` had reached it. */
  upTo(you: string, seq: number): Conversation {
    const replay = new Conversation(you);
    replay.page(
      this.frames.filter((f): f is ChatMessage => f.type === "message" && f.seq <= seq),
      this.frames.filter((f): f is UpdateFrame => f.type === "update" && f.seq <= seq),
    );
    return replay;
  }

  private take(messages: ChatMessage[], updates: UpdateFrame[] = []): void {
    this.frames.push(...messages, ...updates);
    this.conversation.page(messages, updates);
  }
}

/**
 * Resumes from `after` as a returning client does: the state it had, the socket's history
 * frame, then pages over HTTP while there is more. Returns the messages it ends with.
 */
export async function resumeFrom(
  state: Conversation,
  open: (after: number) => Promise<TestSocket>,
  read: (after: number) => Promise<MessagesPage>,
  after: number,
): Promise<ChatMessage[]> {
  const socket = await open(after);
  const { history } = await socket.joined();
  state.page(history.messages, history.updates);
  let cursor = Math.max(after, ...history.messages.map((m) => m.seq), ...(history.updates ?? []).map((u) => u.seq));
  for (let more = history.more; more; ) {
    const page = await read(cursor);
    state.page(page.messages, page.updates);
    cursor = Math.max(cursor, ...page.messages.map((m) => m.seq), ...(page.updates ?? []).map((u) => u.seq));
    more = page.more;
  }
  await socket.close();
  return state.list();
}

/** Waits until the observer has been shown what storage holds for it; returns that. */
export async function caughtUp(recorder: Recorder, truth: () => Promise<ChatMessage[]>): Promise<ChatMessage[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const stored = await truth();
    try {
      expect(recorder.conversation.list()).toEqual(stored);
      return stored;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Everything the reader may see, read from storage from the start, as a fresh client would. */
export async function readAll(you: string, read: (after: number) => Promise<MessagesPage>): Promise<Conversation> {
  const all = new Conversation(you);
  for (let after = 0, more = true; more; ) {
    const page = await read(after);
    all.page(page.messages, page.updates);
    after = Math.max(after, ...page.messages.map((m) => m.seq), ...(page.updates ?? []).map((u) => u.seq));
    more = page.more;
  }
  return all;
}
