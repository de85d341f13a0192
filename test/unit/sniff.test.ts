import { describe, expect, it } from "vitest";
import { sniff } from "../../src/files/sniff";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === "string" ? [...part].map((c) => c.charCodeAt(0)) : part)));
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];

describe("what a file is, from its first bytes", () => {
  it.each([
    ["a PNG", bytes("\x89PNG\r\n\x1a\n", be32(13), "IHDR", be32(640), be32(480), [8, 6, 0, 0, 0]), { type: "image/png", width: 640, height: 480 }],
    ["a GIF", bytes("GIF89a", le16(32), le16(16), [0, 0, 0]), { type: "image/gif", width: 32, height: 16 }],
    ["an extended WebP", bytes("RIFF", [0, 0, 0, 0], "WEBPVP8X", [10, 0, 0, 0, 0, 0, 0, 0], le24(1919), le24(1079)), { type: "image/webp", width: 1920, height: 1080 }],
    [
      "a JPEG, past an APP0 segment to its frame header",
      bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF\0", [1, 1, 0, 0, 1, 0, 1, 0, 0], [0xff, 0xc0, 0, 17, 8], [0x01, 0xe0], [0x02, 0x80], [3, 1, 0x22, 0]),
      { type: "image/jpeg", width: 640, height: 480 },
    ],
    ["a PDF", bytes("%PDF-1.7\n%…"), { type: "application/pdf" }],
    ["plain text, a multi-byte character cut at the end", new TextEncoder().encode("hello, wörld 👋").subarray(0, 16), { type: "text/plain" }],
    ["HTML that claims nothing is still just text, never a page", bytes("<script>alert(1)</script>"), { type: "text/plain" }],
    ["binary with NUL bytes", bytes([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]), { type: "application/octet-stream" }],
    ["an empty file", bytes(), { type: "application/octet-stream" }],
    ["a PNG cut before its size", bytes("\x89PNG\r\n\x1a\n"), { type: "application/octet-stream" }],
  ])("%s", (_, head, expected) => {
    expect(sniff(head)).toEqual(expected);
  });
});
