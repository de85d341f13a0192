import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ApiErrorBody, CreatedRoom, FileInfo, MessagesPage } from "../../src/protocol";
import { FileList } from "../../src/room/files/file-list";
import { RoomHooks } from "../../src/room/lifecycle/room-hooks";
import { MessageLog } from "../../src/room/history/message-log";
import { ReactionList } from "../../src/room/history/reaction-list";
import { api, connect, newRoom, newUser, type TestUser } from "./helpers";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 2, 128, 0, 0, 1, 224, 8, 6, 0, 0, 0, ...new Array(100).fill(7)]);

async function upload(user: TestUser, room: string, body: BodyInit, name: string, type = "application/octet-stream"): Promise<Response> {
  return SELF.fetch(`https://chat.test/api/rooms/${room}/files?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": type },
    body,
  });
}

async function uploaded(user: TestUser, room: string, body: BodyInit, name: string, type?: string): Promise<FileInfo> {
  const response = await upload(user, room, body, name, type);
  expect(response.status).toBe(201);
  return ((await response.json()) as { file: FileInfo }).file;
}

function download(user: TestUser, room: string, id: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`https://chat.test/api/rooms/${room}/files/${id}`, { headers: { Authorization: `Bearer ${user.token}`, ...headers } });
}

describe("uploading a file", () => {
  it("stores it as what its bytes are, with an image's size and a cleaned name", async () => {
    const room = newRoom("files");
    const ada = await newUser("Ada");
    await connect(room, ada);
    const file = await uploaded(ada, room, PNG, "../../shots/\u202escreen.png", "text/html");
    expect(file).toEqual({ id: file.id, name: "screen.png", size: PNG.length, type: "image/png", width: 640, height: 480 });
    expect(file.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const page = await uploaded(ada, room, "<script>alert(1)</script>", "page.html", "text/html");
    expect(page.type).toBe("text/plain");
  });

  it("is refused past MAX_FILE_BYTES with the limit, and when the uploader may not post here", async () => {
    const room = newRoom("too-big");
    const ada = await newUser("Ada");
    const refused = await upload(ada, room, new Uint8Array(1024 * 1024 + 1), "big.bin");
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as ApiErrorBody).error.message).toBe("files must be at most 1 MiB");

    const owner = await newUser("Owner");
    const { room: secret } = (await (await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) })).json()) as { room: { id: string } };
    expect((await upload(await newUser("Stranger"), secret.id, PNG, "x.png")).status).toBe(403);
  });
});

describe("a file in a message", () => {
  it("goes out with the message to everyone who may see it, served safely, in ranges, and cached", async () => {
    const room = newRoom("shared");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    await connect(room, cy);
    const image = await uploaded(ada, room, PNG, "diagram.png");
    const doc = await uploaded(ada, room, "line one\nline two\n", "notes ünïcode \"quoted\".txt");
    // Before it is sent, only its uploader can fetch it.
    expect((await download(bob, room, image.id)).status).toBe(404);

    a.send({ type: "send", id: "with-files", text: "", files: [image.id, doc.id] });
    await a.next("ack");
    expect((await b.next("message")).files).toEqual([image, doc]);

    const img = await download(bob, room, image.id);
    expect(img.status).toBe(200);
    expect(img.headers.get("Content-Type")).toBe("image/png");
    expect(img.headers.get("Content-Disposition")).toBe(`inline; filename="diagram.png"; filename*=UTF-8''diagram.png`);
    expect(img.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(img.headers.get("Content-Security-Policy")).toBeNull();
    expect(img.headers.get("Cache-Control")).toBe("private, max-age=3600");
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(PNG);

    const text = await download(cy, room, doc.id, { Range: "bytes=5-7" });
    expect(text.status).toBe(206);
    expect(text.headers.get("Content-Range")).toBe(`bytes 5-7/${doc.size}`);
    expect(await text.text()).toBe("one");
    expect(text.headers.get("Content-Security-Policy")).toBe("sandbox");
    expect(text.headers.get("Content-Disposition")).toBe(`attachment; filename="notes _n_code _quoted_.txt"; filename*=UTF-8''notes%20%C3%BCn%C3%AFcode%20%22quoted%22.txt`);

    const again = await download(cy, room, image.id, { "If-None-Match": img.headers.get("ETag")! });
    expect(again.status).toBe(304);

    const history = (await (await api(cy, `/api/rooms/${room}/messages`)).json()) as MessagesPage;
    expect(history.messages[0]!.files).toEqual([image, doc]);
  });

  it("is refused with 412 when the copy a client holds is not the one stored (If-Match)", async () => {
    const room = newRoom("if-match");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const a = await connect(room, ada);
    await connect(room, bob);
    const image = await uploaded(ada, room, PNG, "diagram.png");
    a.send({ type: "send", id: "with-file", text: "", files: [image.id] });
    await a.next("ack");
    const etag = (await download(bob, room, image.id)).headers.get("ETag")!;

    expect((await download(bob, room, image.id, { "If-Match": '"another-copy"' })).status).toBe(412);
    expect((await download(bob, room, image.id, { "If-Match": etag, Range: "bytes=0-3" })).status).toBe(206);
    expect((await download(bob, room, image.id, { "If-Match": etag, "If-None-Match": etag })).status).toBe(304);
  });

  it("is attached once, by its uploader only; a direct message's files are its two people's", async () => {
    const room = newRoom("file-rules");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    await connect(room, cy);
    const file = await uploaded(ada, room, PNG, "private.png");

    b.send({ type: "send", id: "steal", text: "mine now", files: [file.id] });
    expect(await b.next("error")).toMatchObject({ id: "steal", message: "only files you uploaded to this room can be attached" });
    a.send({ type: "send", id: "dm", text: "for you", to: bob.id, files: [file.id] });
    await a.next("ack");
    a.send({ type: "send", id: "again", text: "and everyone", files: [file.id] });
    expect(await a.next("error")).toMatchObject({ id: "again", message: "each file can be attached to one message only" });

    expect((await download(bob, room, file.id)).status).toBe(200);
    expect((await download(cy, room, file.id)).status).toBe(404);
  });
});

describe("a file's bytes", () => {
  it("are deleted from R2 with its message, and an hour after upload when never attached", async () => {
    const room = newRoom("file-cleanup");
    const ada = await newUser("Ada");
    const a = await connect(room, ada);
    const sent = await uploaded(ada, room, PNG, "sent.png");
    const forgotten = await uploaded(ada, room, PNG, "forgotten.png");
    a.send({ type: "send", id: "m1", text: "look", files: [sent.id] });
    const { seq } = await a.next("ack");
    expect(await env.FILES.head(`${room}/${sent.id}`)).not.toBeNull();

    a.send({ type: "delete", id: "d1", target: seq });
    await a.next("ack");
    await expect.poll(() => env.FILES.head(`${room}/${sent.id}`)).toBeNull();
    expect((await download(ada, room, sent.id)).status).toBe(404);

    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    await runInDurableObject(stub, (_, state) => state.storage.sql.exec("UPDATE files SET created_at = created_at - 3600001"));
    expect(await env.FILES.head(`${room}/${forgotten.id}`)).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await expect.poll(() => env.FILES.head(`${room}/${forgotten.id}`)).toBeNull();
    expect((await download(ada, room, forgotten.id)).status).toBe(404);
  });
});

describe("a person's daily upload quota", () => {
  it("counts every room together, and refuses past it with when to try again", async () => {
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await uploaded(ada, newRoom("quota-a"), new Uint8Array(2000).fill(65), "a.txt");
    const refused = await upload(ada, newRoom("quota-b"), new Uint8Array(2000).fill(65), "b.txt");
    expect(refused.status).toBe(429);
    const { error } = (await refused.json()) as ApiErrorBody;
    expect(error.message).toBe("you can upload 3 KiB a day, and this file would pass that");
    expect(error.retryAfterMs).toBeGreaterThan(23 * 3600_000);
    expect(refused.headers.get("Retry-After")).not.toBeNull();
    await uploaded(bob, newRoom("quota-c"), new Uint8Array(2000).fill(65), "c.txt");
  });

  it("counts uploads too, however small: past FILE_UPLOADS_PER_USER_DAY one-byte files are refused, and the hub keeps one row per hour, not per upload", async () => {
    const ada = await newUser("Ada");
    const room = newRoom("quota-count");
    for (let n = 0; n < 8; n++) await uploaded(ada, room, new Uint8Array(1).fill(65), `${n}.txt`);
    const refused = await upload(ada, room, new Uint8Array(1).fill(65), "one-too-many.txt");
    expect(refused.status).toBe(429);
    const { error } = (await refused.json()) as ApiErrorBody;
    expect(error.message).toBe("you can upload 8 files a day; try again later");
    expect(error.retryAfterMs).toBeGreaterThan(23 * 3600_000);

    const rows = await runInDurableObject(env.HUBS.get(env.HUBS.idFromName(ada.id)), (_, state) =>
      state.storage.sql.exec<{ name: string; rows: number }>("SELECT 'hours' AS name, count(*) AS rows FROM upload_hours UNION ALL SELECT 'in flight', count(*) FROM uploads_in_flight").toArray(),
    );
    expect(rows).toEqual([{ name: "hours", rows: 1 }, { name: "in flight", rows: 0 }]);
  });
});

describe("an upload whose record was lost after its bytes were stored", () => {
  it("is swept from R2 by the uploader's hub an hour later, while recorded uploads keep theirs", async () => {
    const ada = await newUser("Ada");
    const room = newRoom("orphan");
    const kept = await uploaded(ada, room, PNG, "kept.png");
    const hub = env.HUBS.get(env.HUBS.idFromName(ada.id));
    // What the Worker does up to the room's record, which then fails: reserve, then the bytes.
    const orphan = { roomId: room, fileId: "orphanorphan0001", uploader: { id: ada.id, name: ada.name }, bytes: 5 };
    expect(await hub.reserveUpload(orphan, { bytesPerDay: 3000, uploadsPerDay: 8 })).toEqual({ ok: true });
    await env.FILES.put(`${room}/${orphan.fileId}`, "bytes");

    await runInDurableObject(hub, (_, state) => state.storage.sql.exec("UPDATE uploads_in_flight SET started_at = started_at - 3600001"));
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect(await env.FILES.head(`${room}/${orphan.fileId}`)).toBeNull();
    expect(await env.FILES.head(`${room}/${kept.id}`)).not.toBeNull();
    expect((await download(ada, room, kept.id)).status).toBe(200);
  });
});

describe("an upload whose record reached the room but whose notice to the hub was lost", () => {
  it("keeps its bytes, even once its uploader can no longer see the room", async () => {
    const [owner, ada] = [await newUser("Owner"), await newUser("Ada")];
    const created = await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) });
    const { room, invite } = (await created.json()) as CreatedRoom;
    const token = new URL(invite!.url).hash.slice("#invite=".length);
    expect((await api(ada, `/api/rooms/${room.id}/join`, { method: "POST", body: JSON.stringify({ invite: token }) })).status).toBe(200);
    const file = await uploaded(ada, room.id, PNG, "recorded.png");
    const hub = env.HUBS.get(env.HUBS.idFromName(ada.id));
    // As if the Worker's "recorded" notice to the hub had failed: the upload is still in flight there.
    const pending = { roomId: room.id, fileId: file.id, uploader: { id: ada.id, name: ada.name }, bytes: file.size };
    expect(await hub.reserveUpload(pending, { bytesPerDay: 3000, uploadsPerDay: 8 })).toEqual({ ok: true });
    expect((await api(owner, `/api/rooms/${room.id}/members/${ada.id}`, { method: "DELETE" })).status).toBe(204);

    await runInDurableObject(hub, (_, state) => state.storage.sql.exec("UPDATE uploads_in_flight SET started_at = started_at - 3600001"));
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect(await env.FILES.head(`${room.id}/${file.id}`)).not.toBeNull();
  });
});

describe("a file's safety", () => {
  it("refuses a body over the limit from its length, having read almost none of it", async () => {
    const room = newRoom("no-buffering");
    const ada = await newUser("Ada");
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const response = await SELF.fetch(
      new Request(`https://chat.test/api/rooms/${room}/files?name=big.bin`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ada.token}`, "Content-Length": String(10 * 1024 * 1024 + 1) },
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(1024 * 1024);
  });

  it("serves HTML named .png as a sandboxed text download, never as a page or inline", async () => {
    const room = newRoom("disguised");
    const ada = await newUser("Ada");
    const a = await connect(room, ada);
    const file = await uploaded(ada, room, "<html><script>steal()</script></html>", "cat.png", "image/png");
    expect(file.type).toBe("text/plain");
    a.send({ type: "send", id: "m1", text: "cute cat", files: [file.id] });
    await a.next("ack");
    const served = await download(ada, room, file.id);
    expect(served.headers.get("Content-Type")).toBe("text/plain");
    expect(served.headers.get("Content-Disposition")).toMatch(/^attachment; /);
    expect(served.headers.get("Content-Security-Policy")).toBe("sandbox");
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("is kept from strangers to a private room and from a removed member", async () => {
    const [owner, member, stranger] = [await newUser("Owner"), await newUser("Member"), await newUser("Stranger")];
    const created = (await (await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) })).json()) as { room: { id: string }; invite: { url: string } };
    const room = created.room.id;
    await api(member, `/api/rooms/${room}/join`, { method: "POST", body: JSON.stringify({ invite: new URL(created.invite.url).hash.slice(8) }) });
    const o = await connect(room, owner);
    const file = await uploaded(owner, room, PNG, "plan.png");
    o.send({ type: "send", id: "m1", text: "the plan", files: [file.id] });
    await o.next("ack");

    expect((await download(member, room, file.id)).status).toBe(200);
    expect((await download(stranger, room, file.id)).status).toBe(403);
    expect((await api(owner, `/api/rooms/${room}/members/${member.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await download(member, room, file.id)).status).toBe(403);
  });
});

describe("a message pruned from the history", () => {
  it("takes its files and reactions with it", async () => {
    const stub = env.ROOMS.get(env.ROOMS.idFromName(newRoom("pruned-files")));
    const discarded = await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      const gone: string[] = [];
      const files = new FileList(sql, (ids) => gone.push(...ids));
      const reactions = new ReactionList(sql);
      // Wired as the room wires them: the side tables hear of what the log drops.
      const hooks = new RoomHooks();
      hooks.gone.on((gone) => reactions.forget(gone));
      hooks.gone.on((gone) => files.discardGone(gone));
      const log = new MessageLog(sql, 5, reactions, hooks);
      const from = { id: "g_writer", name: "Writer" };
      const file = { id: "f".repeat(22), name: "old.png", size: 10, type: "image/png" };
      files.add(from.id, file, 1000);
      const first = log.append(from, { id: "m0", text: "with a file", files: [file.id] }, 1000, [file])!;
      files.attach([file.id], first.seq);
      reactions.set(first.seq, "👍", "g_fan", true);
      for (let n = 1; n <= 100; n++) log.append(from, { id: `m${n}`, text: `message ${n}` }, 1000 + n);
      return { gone, reactions: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM reactions").one().n };
    });
    expect(discarded).toEqual({ gone: ["f".repeat(22)], reactions: 0 });
  });
});
