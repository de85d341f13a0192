import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { LocalChat } from "./local-chat";

/** Debian's chromium by default; CHROMIUM_PATH points elsewhere (a local Chrome, for instance). */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(EXECUTABLE)) {
    throw new Error(`No Chromium at ${EXECUTABLE}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: EXECUTABLE,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A person in their own browser profile, with every dialog and page error recorded. */
export interface Person {
  context: BrowserContext;
  page: Page;
  dialogs: string[];
  /** How the person answers the next dialogs: no, unless a test says yes. */
  answer: "dismiss" | "accept";
  errors: string[];
  /** Every URL the browser asked a server for, WebSocket upgrades included (a fragment is never sent, so none is here). */
  urls: string[];
}

export async function newPerson(browser: Browser, options: { withoutWebSocket?: boolean } = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  if (options.withoutWebSocket) {
    await context.addInitScript(() => {
      delete (window as { WebSocket?: unknown }).WebSocket;
    });
  }
  const page = await context.newPage();
  const person: Person = { context, page, dialogs: [], answer: "dismiss", errors: [], urls: [] };
  context.on("request", (request) => person.urls.push(request.url()));
  page.on("websocket", (socket) => person.urls.push(socket.url()));
  page.on("dialog", (dialog) => {
    person.dialogs.push(dialog.message());
    void (person.answer === "accept" ? dialog.accept() : dialog.dismiss());
  });
  page.on("pageerror", (error) => person.errors.push(error.message));
  return person;
}

/** Signs in on the start page and enters a room, as a person would. */
export async function signInAndJoin(person: Person, base: string, name: string, room: string): Promise<void> {
  const { page } = person;
  await page.goto(`${base}/r/${room}`);
  await page.waitForURL(/\/\?next=/);
  await page.fill("#name", name);
  await page.click("#sign-in button[type=submit]");
  await page.waitForURL(`${base}/r/${room}`);
  await page.locator(`#member-list button:has-text("${name}")`).waitFor();
}

export async function say(person: Person, text: string): Promise<void> {
  await person.page.fill("#text", text);
  await person.page.press("#text", "Enter");
}

/** The texts of the messages shown, in order, with their state ("sent", "sending", "failed"). */
export function shownMessages(person: Person): Promise<string[]> {
  return person.page.locator("#messages .message .text").allTextContents();
}

/**
 * For a browser test file: the real Worker and a Chromium, started before its tests and
 * stopped after them, and `person()` for a new person in their own browser profile.
 */
export function useBrowserChat(vars: Record<string, string> = {}): { chat: () => LocalChat; person: (options?: { withoutWebSocket?: boolean }) => Promise<Person> } {
  let chat: LocalChat | undefined;
  let browser: Browser | undefined;
  const people: Person[] = [];
  beforeAll(async () => {
    [chat, browser] = await Promise.all([LocalChat.start(vars), launchBrowser()]);
  });
  afterAll(async () => {
    await Promise.all(people.map((p) => p.context.close()));
    await browser?.close();
    await chat?.stop();
  });
  return {
    chat: () => chat!,
    async person(options = {}) {
      const p = await newPerson(browser!, options);
      people.push(p);
      return p;
    },
  };
}
