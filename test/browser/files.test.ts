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

describe("pasting and downloading", () => {
  it("a pasted image shows its upload's progress and appears inline for the other person; a PDF downloads whole", async () => {
    const [ada, bob] = [await person(), await person()];
    await signInAndJoin(ada, chat().base, "Ada", "paste");
    await signInAndJoin(bob, chat().base, "Bob", "paste");

    // What a browser hands the page on Ctrl+V of a screenshot: a paste event carrying the file.
    await ada.page.evaluate((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], "screenshot.png", { type: "image/png" }));
      document.getElementById("text")!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, PNG.toString("base64"));
    await poll(() => ada.page.locator(".upload progress").evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
    await poll(() => ada.page.locator(".upload.done .upload-status").textContent()).toBe("ready");

    const pdf = Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
    await ada.page.setInputFiles("#file-input", { name: "agenda.pdf", mimeType: "application/pdf", buffer: pdf });
    await poll(() => ada.page.locator(".upload.done").count()).toBe(2);
    await ada.page.press("#text", "Enter");

    const image = bob.page.locator(".message .file-image img");
    await poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    await expect(bob.page.locator(".message .file-card .file-about").textContent()).resolves.toBe(`${pdf.length} B · application/pdf`);
    const [download] = await Promise.all([bob.page.waitForEvent("download"), bob.page.locator(".message .file-card").click()]);
    expect(download.suggestedFilename()).toBe("agenda.pdf");
    const saved = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of saved) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(pdf)).toBe(true);
  });
});
