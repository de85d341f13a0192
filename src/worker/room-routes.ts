import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { readAuthConfig } from "../config";
import {
  BATCH_QUERY,
  CHANGE_KINDS,
  checkChange,
  checkSearchText,
  checkForRequest,
  checkRoleRequest,
  checkCreateRoom,
  checkInviteRequest,
  checkOutgoingMessage,
  checkPageQuery,
  checkRoomId,
  checkSeqQuery,
  fail,
  INVITE_PROTOCOL_PREFIX,
  LIMITS,
  ok,
  PAGES,
  parseSeq,
  PROTOCOL,
  type ChangeKindName,
  type Checked,
  type CreatedInvite,
  type CreatedRoom,
  type PageBounds,
  type PageQuery,
  type PostedMessage,
} from "../protocol";
import { refuseEntry } from "../shared/refused-socket";
import { shardOf, toConnectRequest } from "../shared/connect-request";
import { shardName } from "../shard/shard-batch";
import { AuthError, offeredSubprotocols, signInvite, subprotocolValue, verifyInvite } from "../auth";
import { orRefuse, refuse } from "./api-exception";
import { jsonBody } from "./json-body";
import { noContent, reply, room, type RoomEnv } from "./room-stub";
import { serveFile, uploadFile } from "./file-routes";
import { randomId } from "../random-id";


/** The Worker checks what it can cheaply (room id, query, body, invite signature) and leaves the rest to the room. */
export const roomRoutes = new Hono<RoomEnv>();

const checkRoom = createMiddleware<RoomEnv>(async (c, next) => {
  c.set("roomId", orRefuse(checkRoomId(c.req.param("room"))).value);
  await next();
});
roomRoutes.use("/:room", checkRoom);
roomRoutes.use("/:room/*", checkRoom);

const smallBody = bodyLimit({
  maxSize: LIMITS.maxFrameBytes,
  onError: () => refuse("too_large", `request bodies must be at most ${LIMITS.maxFrameBytes} bytes`),
});

function seqQuery(c: Context<RoomEnv>, name: string): number | undefined {
  return orRefuse(checkSeqQuery(c.req.query(), name)).value;
}

/** The page a listing's request asks for, within the listing's bounds (PAGES). */
function pageQuery(c: Context<RoomEnv>, bounds: PageBounds): PageQuery {
  return orRefuse(checkPageQuery(c.req.query(), bounds)).value;
}

/**
 * Verifies an invite token presented for this room: its invite id, undefined when none was
 * presented, or the refusal for the caller to answer in its own way (a socket's is a frame).
 */
async function checkInvite(c: Context<RoomEnv>, token: string | undefined): Promise<Checked<string | undefined>> {
  if (!token) return ok(undefined);
  try {
    return ok(await verifyInvite(token, c.get("roomId"), readAuthConfig(c.env).verificationSecrets));
  } catch (error) {
    if (error instanceof AuthError) return fail("invalid_invite", error.message);
    throw error;
  }
}

/** Issues an invite link; the token travels in the fragment, so it never reaches a server's logs or a Referer. */
async function inviteLink(c: Context<RoomEnv>, roomId: string, invite: { id: string; expiresAt: number }): Promise<CreatedInvite> {
  const token = await signInvite(roomId, invite.id, invite.expiresAt, readAuthConfig(c.env).secret);
  const url = `${new URL(c.req.url).origin}/r/${roomId}#invite=${token}`;
  return { id: invite.id, url, expiresAt: invite.expiresAt };
}

roomRoutes.post("/", smallBody, async (c) => {
  const request = orRefuse(checkCreateRoom(await jsonBody(c))).value;
  // 128 random bits: a private room's id cannot be guessed.
  const roomId = randomId(16);
  const created = orRefuse(await room(c, roomId).create(roomId, c.get("user"), request));
  const body: CreatedRoom = { room: created.room };
  if (created.room.visibility === "private") {
    const invite = await room(c, roomId).createInvite(c.get("user"), { expiresIn: LIMITS.defaultInviteSeconds });
    if (invite.ok) body.invite = await inviteLink(c, roomId, invite);
  }
  return c.json(body, 201);
});

roomRoutes.get("/:room/ws", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    refuse("upgrade_required", "this endpoint takes a WebSocket upgrade");
  }
  const subprotocol = offeredSubprotocols(c.req.raw).includes(PROTOCOL);
  const after = seqQuery(c, "after");
  const invite = await checkInvite(c, subprotocolValue(c.req.raw, INVITE_PROTOCOL_PREFIX));
  if (!invite.ok) {
    return refuseEntry(invite, subprotocol);
  }
  const batch = c.req.query(BATCH_QUERY) === "1";
  const connect = { roomId: c.get("roomId"), user: c.get("user"), expiresAt: c.get("session").expiresAt, after, inviteId: invite.value, subprotocol, batch };
  const answer = await room(c).fetch(toConnectRequest(connect));
  // A large room holds some connections on fan-out shards: the room admitted this one and
  // chose its shard, and the shard takes the same upgrade (docs/sharding.md).
  const shard = shardOf(answer);
  if (shard === undefined) return answer;
  return c.env.SHARDS.get(c.env.SHARDS.idFromName(shardName(c.get("roomId"), shard))).fetch(toConnectRequest({ ...connect, shard }));
});

roomRoutes.get("/:room", async (c) => reply(c, await room(c).describe(c.get("roomId"), c.get("user"))));

roomRoutes.post("/:room/join", smallBody, async (c) => {
  const body = await jsonBody(c);
  const token = typeof body === "object" && body !== null ? (body as { invite?: unknown }).invite : undefined;
  if (token !== undefined && typeof token !== "string") refuse("bad_message", "invite must be the token from an invite link");
  const invite = orRefuse(await checkInvite(c, token)).value;
  return reply(c, await room(c).join(c.get("roomId"), c.get("user"), invite));
});

roomRoutes.get("/:room/messages", async (c) => {
  const page = pageQuery(c, PAGES.messages);
  const wait = seqQuery(c, "wait") ?? 0;
  if (wait > LIMITS.maxWaitSeconds) refuse("bad_message", `wait: must be at most ${LIMITS.maxWaitSeconds} seconds`);
  return reply(c, await room(c).readMessages(c.get("user"), page, wait * 1000));
});

roomRoutes.get("/:room/search", async (c) => {
  const typed = orRefuse(checkSearchText(c.req.query("q"))).value;
  return reply(c, await room(c).searchMessages(c.get("user"), typed, pageQuery(c, PAGES.search)));
});

roomRoutes.post("/:room/messages", smallBody, async (c) => {
  const message = orRefuse(checkOutgoingMessage(await jsonBody(c))).value;
  const result = orRefuse(await room(c).postMessage(c.get("roomId"), c.get("user"), message));
  const posted: PostedMessage = { id: result.message.id, seq: result.message.seq, ts: result.message.ts };
  return c.json(posted, result.created ? 201 : 200);
});

/**
 * Changes to a message over HTTP, one route per kind (protocol/change-kinds.ts): the body is
 * the socket frame's without `type` and `target`, which the route gives. Answered as a post:
 * 201 for a change stored, 200 for a retransmit or a change that changed nothing.
 */
async function changeRoute(c: Context<RoomEnv>, kind: ChangeKindName): Promise<Response> {
  const body = await jsonBody(c);
  const target = parseSeq(c.req.param("seq"));
  if (!target.ok || target.value === undefined) refuse("bad_message", "the message's seq must be a whole number");
  const change = orRefuse(checkChange(kind, { ...(typeof body === "object" && body !== null ? body : {}), target: target.value })).value;
  const result = orRefuse(await room(c).changeMessage(c.get("user"), change));
  const answer: PostedMessage = { id: change.id, seq: result.seq, ts: result.ts };
  if (result.update) answer.update = result.update;
  return c.json(answer, result.created ? 201 : 200);
}

roomRoutes.post("/:room/files", uploadFile);
roomRoutes.get("/:room/files/:file", serveFile);

for (const kind of Object.keys(CHANGE_KINDS) as ChangeKindName[]) {
  const { method, path } = CHANGE_KINDS[kind].route;
  roomRoutes.on(method, `/:room/messages/:seq${path}`, smallBody, (c) => changeRoute(c, kind));
}

roomRoutes.post("/:room/invites", smallBody, async (c) => {
  const request = orRefuse(checkInviteRequest(await jsonBody(c))).value;
  const invite = orRefuse(await room(c).createInvite(c.get("user"), request));
  return c.json(await inviteLink(c, c.get("roomId"), invite), 201);
});

roomRoutes.get("/:room/invites", async (c) => {
  const { limit, before } = pageQuery(c, PAGES.invites);
  return reply(c, await room(c).listInvites(c.get("user"), limit, before));
});

roomRoutes.delete("/:room/invites/:invite", async (c) => noContent(c, await room(c).revokeInvite(c.get("user"), c.req.param("invite"))));

roomRoutes.post("/:room/read", smallBody, async (c) => {
  const body = await jsonBody(c);
  const seq = typeof body === "object" && body !== null ? (body as { seq?: unknown }).seq : undefined;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) refuse("bad_message", "seq must be a whole number of at least 0");
  return noContent(c, await room(c).markRead(c.get("user"), seq as number));
});

roomRoutes.delete("/:room/members/me", async (c) => noContent(c, await room(c).leave(c.get("user"))));

roomRoutes.delete("/:room/members/:member", async (c) => noContent(c, await room(c).removeMember(c.get("user"), c.req.param("member"))));

roomRoutes.put("/:room/members/:member", smallBody, async (c) => {
  const { role } = orRefuse(checkRoleRequest(await jsonBody(c))).value;
  return noContent(c, await room(c).setRole(c.get("user"), c.req.param("member"), role));
});

roomRoutes.post("/:room/members/:member/mute", smallBody, async (c) => {
  const { seconds } = orRefuse(checkForRequest(await jsonBody(c))).value;
  return reply(c, await room(c).mute(c.get("user"), c.req.param("member"), seconds));
});

roomRoutes.delete("/:room/members/:member/mute", async (c) => noContent(c, await room(c).unmute(c.get("user"), c.req.param("member"))));

roomRoutes.post("/:room/members/:member/ban", smallBody, async (c) => {
  const { seconds } = orRefuse(checkForRequest(await jsonBody(c))).value;
  return reply(c, await room(c).ban(c.get("user"), c.req.param("member"), seconds));
});

roomRoutes.get("/:room/moderation", async (c) => {
  const { limit, before } = pageQuery(c, PAGES.moderation);
  return reply(c, await room(c).moderationLog(c.get("user"), limit, before));
});

roomRoutes.post("/:room/members/:member/readmit", async (c) => noContent(c, await room(c).readmit(c.get("user"), c.req.param("member"))));
