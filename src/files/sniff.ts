/**
 * What a file is, from its first bytes, never from what the uploader claims: a page served as
 * `text/html` because a client said so would run in our origin. Images get their width and
 * height from their headers, so the page can reserve their space before they load.
 */
export interface Sniffed {
  type: "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "application/pdf" | "text/plain" | "application/octet-stream";
  width?: number;
  height?: number;
}

const ascii = (bytes: Uint8Array, at: number, text: string) => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

export function sniff(head: Uint8Array): Sniffed {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u16be = (at: number) => (at + 2 <= head.length ? view.getUint16(at) : 0);
  const u32be = (at: number) => (at + 4 <= head.length ? view.getUint32(at) : 0);
  const u16le = (at: number) => (at + 2 <= head.length ? view.getUint16(at, true) : 0);
  const u24le = (at: number) => (at + 3 <= head.length ? head[at]! | (head[at + 1]! << 8) | (head[at + 2]! << 16) : 0);

  if (head.length >= 24 && ascii(head, 0, "\x89PNG\r\n\x1a\n") && ascii(head, 12, "IHDR")) {
    return sized("image/png", u32be(16), u32be(20));
  }
  if (head.length >= 10 && (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a"))) return sized("image/gif", u16le(6), u16le(8));
  if (head.length >= 30 && ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
    if (ascii(head, 12, "VP8X")) return sized("image/webp", u24le(24) + 1, u24le(27) + 1);
    if (ascii(head, 12, "VP8L")) {
      // After the signature byte (0x2f): 14 bits of width - 1, then 14 of height - 1.
      const bits = (head[21]! | (head[22]! << 8) | (head[23]! << 16) | (head[24]! << 24)) >>> 0;
      return sized("image/webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    if (ascii(head, 12, "VP8 ")) return sized("image/webp", u16le(26) & 0x3fff, u16le(28) & 0x3fff);
    return { type: "image/webp" };
  }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return jpeg(head, u16be);
  if (ascii(head, 0, "%PDF-")) return { type: "application/pdf" };
  return isText(head) ? { type: "text/plain" } : { type: "application/octet-stream" };
}

function sized(type: Sniffed["type"], width: number, height: number): Sniffed {
  return width > 0 && height > 0 ? { type, width, height } : { type };
}

/** Walks a JPEG's markers to its frame header (SOF0-SOF15 but DHT, JPG and DAC), which holds its size. */
function jpeg(head: Uint8Array, u16be: (at: number) => number): Sniffed {
  let at = 2;
  while (at + 9 < head.length) {
    if (head[at] !== 0xff) return { type: "image/jpeg" };
    const marker = head[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return sized("image/jpeg", u16be(at + 7), u16be(at + 5));
    at += 2 + u16be(at + 2);
  }
  return { type: "image/jpeg" };
}

/** Valid UTF-8 without NUL or other control characters (tabs and line ends allowed): shown as text. */
function isText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  try {
    // A multi-byte character cut at the end of the head is not a reason to say "binary".
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(head.subarray(0, lastWholeCharacter(head)));
    return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

function lastWholeCharacter(head: Uint8Array): number {
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back]!;
    if ((byte & 0xc0) !== 0x80) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return need > back ? end - back : end;
    }
  }
  return end;
}
