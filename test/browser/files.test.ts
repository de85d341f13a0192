import { describe, expect, it } from "vitest";
import { shownMessages, signInAndJoin, useBrowserChat } from "../support/browser";

// A small limit, so "too large" can be shown with a small file.
const { chat, person } = useBrowserChat({ MAX_FILE_BYTES: "4096" });
const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

// A 1x1 PNG (grey and alpha): a real image Chromium decodes.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

describe("files in a room", () => {
  it("upload with progress, go out with a message, show inline with their size reserved or as a card, and explain a refusal", async () => {
    const [ada, bob] = [await person(), await person()];
    await signInAndJoin(ada, chat().base, "Ada", "gallery");
    await signInAndJoin(bob, chat().base, "Bob", "gallery");

    await ada.page.setInputFiles("#file-input", [
      { name: "dot.png", mimeType: "image/png", buffer: PNG },
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("meeting notes\n") },
      { name: "huge.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(5000, 1) },
    ]);
    await poll(() => ada.page.locator(".upload.done").count()).toBe(2);
    await poll(() => ada.page.locator(".upload.failed .upload-status").textContent()).toBe("files must be at most 4 KiB");
    await ada.page.fill("#text", "the diagram and my notes");
    await ada.page.press("#text", "Enter");

    await poll(() => shownMessages(bob)).toEqual(["the diagram and my notes"]);
    const image = bob.page.locator(".message .file-image img");
    await expect(image.getAttribute("width")).resolves.toBe("1");
    await expect(image.getAttribute("height")).resolves.toBe("1");
    await poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    await expect(bob.page.locator(".message .file-card .file-name").textContent()).resolves.toBe("notes.txt");
    await expect(bob.page.locator(".message .file-card .file-about").textContent()).resolves.toBe("14 B · text/plain");
    // The sender sees the same, without a reload.
    await poll(() => ada.page.locator(".message:not(.pending) .file-image img").count()).toBe(1);
  });
});
