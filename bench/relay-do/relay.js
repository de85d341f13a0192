import { DurableObject } from "cloudflare:workers";

export class Relay extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  async fetch(request) {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    // For the resume scenario: one frame of the requested size, as a room's history would be.
    const replay = Number(new URL(request.url).searchParams.get("replay") ?? 0);
    if (replay > 0) server.send("r".repeat(replay));
    return new Response(null, { status: 101, webSocket: client });
  }

  webSocketMessage(ws, message) {
    for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(message);
  }

  webSocketClose(ws, code) {
    ws.close(code === 1005 || code === 1006 ? 1000 : code);
  }
}

export default {
  fetch(request, env) {
    const room = new URL(request.url).pathname.split("/")[2] ?? "room";
    return env.ROOMS.get(env.ROOMS.idFromName(room)).fetch(request);
  },
};
