import { hubOf } from "./hub-stub";
import type { Context } from "hono";
import { readFileLimits } from "../config";
import { contentDisposition, cleanFileName } from "../files/file-names";
import { sniff } from "../files/sniff";
import { failure, FILE_ID, type FileInfo } from "../protocol";
import { randomId } from "../random-id";
import { formatBytes } from "../shared/format-bytes";
import { ApiException, orRefuse, refuse } from "./api-exception";
import { room, type RoomEnv } from "./room-stub";

/** Enough of a file's start to know its type and, for any common image, its size. */
const HEAD_BYTES = 64 * 1024;

/**
 * `POST /api/rooms/:room/files`: the file is the raw body, its name in `?name=` or
 * `X-File-Name`. A body over MAX_FILE_BYTES is refused from its Content-Length before a byte
 * is read; the rest is streamed into R2 (only its first 64 KiB are held, to learn its type).
 */
export async function uploadFile(c: Context<RoomEnv>): Promise<Response> {
  const { maxBytes: max, quotaPerDay, uploadsPerDay } = readFileLimits(c.env);
  const length = Number(c.req.header("Content-Length"));
  if (!c.req.raw.body || !Number.isSafeInteger(length) || length <= 0) {
    // 411 Length Required: the length is what lets an upload be refused before it is read.
    throw new ApiException(failure(411, "bad_message", "send the file as the request body, with its Content-Length"));
  }
  if (length > max) refuse("too_large", `files must be at most ${formatBytes(max)}`);
  orRefuse(await room(c).mayUpload(c.get("user")));
  const hub = hubOf(c.env, c.get("user").id);
  const roomId = c.get("roomId");
  const fileId = randomId(16);
  orRefuse(await hub.reserveUpload({ roomId, fileId, uploader: c.get("user"), bytes: length }, { bytesPerDay: quotaPerDay, uploadsPerDay }));

  const reader = c.req.raw.body.getReader();
  const head = await readHead(reader, Math.min(HEAD_BYTES, length));
  const { type, width, height } = sniff(head);
  const file: FileInfo = { id: fileId, name: cleanFileName(c.req.query("name") ?? c.req.header("X-File-Name")), size: length, type };
  if (width !== undefined && height !== undefined) Object.assign(file, { width, height });

  // A body longer or shorter than it said errors the fixed-length stream, and R2 stores nothing.
  const body = new FixedLengthStream(length);
  const pump = (async () => {
    const writer = body.writable.getWriter();
    await writer.write(head);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) await writer.write(chunk.value);
    await writer.close();
  })();
  try {
    await Promise.all([
      c.env.FILES.put(`${roomId}/${file.id}`, body.readable, { httpMetadata: { contentType: type } }),
      pump,
    ]);
  } catch {
    await hub.releaseUpload(roomId, fileId);
    refuse("bad_message", `the body was not the ${length} bytes its Content-Length said`);
  }
  // Should the record fail, the hub still counts the upload as in flight and sweeps its bytes.
  await room(c).recordUpload(c.get("user"), file);
  await hub.settleUpload(roomId, fileId);
  return c.json({ file }, 201);
}

/**
 * `GET /api/rooms/:room/files/:id`: for those who may see the message it went out with. Served
 * as the type its bytes showed, images inline and anything else as a download in a sandbox,
 * never sniffed by the browser, with ranges for media and resumed downloads.
 */
export async function serveFile(c: Context<RoomEnv>): Promise<Response> {
  const id = c.req.param("file") ?? "";
  if (!FILE_ID.test(id)) refuse("not_found", "no such file, or not one you can see");
  const { file } = orRefuse(await room(c).fileFor(c.get("user"), id));
  const range = parseRange(c.req.header("Range"), file.size);
  if (range === "unsatisfiable") return c.body(null, 416, { "Content-Range": `bytes */${file.size}` });
  const object = await c.env.FILES.get(`${c.get("roomId")}/${id}`, {
    ...(range ? { range: { offset: range.start, length: range.end - range.start + 1 } } : {}),
    onlyIf: c.req.raw.headers,
  });
  if (!object) refuse("not_found", "no such file, or not one you can see");
  const image = file.type.startsWith("image/");
  const headers = new Headers({
    "Content-Type": file.type,
    "Content-Disposition": contentDisposition(image ? "inline" : "attachment", file.name),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=3600",
    "Accept-Ranges": "bytes",
    ETag: object.httpEtag,
  });
  if (!image) headers.set("Content-Security-Policy", "sandbox");
  // R2 answers any unmet precondition with the object's metadata and no body.
  if (!("body" in object)) return new Response(null, { status: unmetPreconditionStatus(c.req.raw.headers, object), headers });
  if (range) headers.set("Content-Range", `bytes ${range.start}-${range.end}/${file.size}`);
  return new Response(object.body, { status: range ? 206 : 200, headers });
}

async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>, want: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let have = 0;
  while (have < want) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    have += value.byteLength;
  }
  const head = new Uint8Array(have);
  let at = 0;
  for (const chunk of chunks) {
    head.set(chunk, at);
    at += chunk.byteLength;
  }
  return head;
}

/**
 * R2 says only that a precondition was not met, not which, and HTTP answers them apart
 * (RFC 9110, evaluating preconditions): a failed If-Match, or If-Unmodified-Since without
 * If-Match, is 412, so a client resuming a download learns the file changed; a met
 * If-None-Match or If-Modified-Since is 304, so a client keeps its copy.
 */
function unmetPreconditionStatus(headers: Headers, object: R2Object): 304 | 412 {
  const ifMatch = headers.get("If-Match");
  if (ifMatch !== null) return ifMatch.trim() === "*" || ifMatch.split(",").some((tag) => tag.trim() === object.httpEtag) ? 304 : 412;
  const unmodifiedSince = Date.parse(headers.get("If-Unmodified-Since") ?? "");
  // HTTP dates count whole seconds.
  return Math.floor(object.uploaded.getTime() / 1000) * 1000 > unmodifiedSince ? 412 : 304;
}

/** One range of `Range: bytes=a-b`, `a-` or `-n`; undefined for none (or several: the whole file is sent). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (match[1] === "") {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? "unsatisfiable" : { start, end };
}
