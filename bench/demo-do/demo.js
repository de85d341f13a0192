import { DurableObject } from "cloudflare:workers";

// The per-message path of workers-chat-demo's ChatRoom (src/chat.mjs), kept line for line where
// it does work: see wrangler.toml for what is left out and why.
export class DemoRoom extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.sessions = new Map();
    for (const webSocket of ctx.getWebSockets()) {
      this.sessions.set(webSocket, { ...webSocket.deserializeAttachment(), blockedMessages: [] });
    }
    this.lastTimestamp = 0;
  }

  async fetch() {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({});
    const session = { blockedMessages: [] };
    this.sessions.set(server, session);
    for (const other of this.sessions.values()) if (other.name) session.blockedMessages.push(JSON.stringify({ joined: other.name }));
    const backlog = [...(await this.ctx.storage.list({ reverse: true, limit: 100 })).values()].reverse();
    session.blockedMessages.push(...backlog);
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(webSocket, msg) {
    try {
      const session = this.sessions.get(webSocket);
      if (session.quit) return webSocket.close(1011, "WebSocket broken.");
      let data = JSON.parse(msg);
      if (!session.name) {
        session.name = "" + (data.name || "anonymous");
        webSocket.serializeAttachment({ ...webSocket.deserializeAttachment(), name: session.name });
        if (session.name.length > 32) {
          webSocket.send(JSON.stringify({ error: "Name too long." }));
          return webSocket.close(1009, "Name too long.");
        }
        for (const queued of session.blockedMessages) webSocket.send(queued);
        delete session.blockedMessages;
        this.broadcast({ joined: session.name });
        webSocket.send(JSON.stringify({ ready: true }));
        return;
      }
      data = { name: session.name, message: "" + data.message };
      if (data.message.length > 256) return webSocket.send(JSON.stringify({ error: "Message too long." }));
      data.timestamp = Math.max(Date.now(), this.lastTimestamp + 1);
      this.lastTimestamp = data.timestamp;
      const dataStr = JSON.stringify(data);
      this.broadcast(dataStr);
      await this.ctx.storage.put(new Date(data.timestamp).toISOString(), dataStr);
    } catch (err) {
      webSocket.send(JSON.stringify({ error: err.stack }));
    }
  }

  webSocketClose(webSocket, code) {
    this.quit(webSocket);
    webSocket.close(code === 1005 || code === 1006 ? 1000 : code);
  }

  webSocketError(webSocket) {
    this.quit(webSocket);
  }

  quit(webSocket) {
    const session = this.sessions.get(webSocket) ?? {};
    session.quit = true;
    this.sessions.delete(webSocket);
    if (session.name) this.broadcast({ quit: session.name });
  }

  broadcast(message) {
    if (typeof message !== "string") message = JSON.stringify(message);
    const quitters = [];
    this.sessions.forEach((session, webSocket) => {
      if (session.name) {
        try {
          webSocket.send(message);
        } catch {
          session.quit = true;
          quitters.push(session);
          this.sessions.delete(webSocket);
        }
      } else {
        session.blockedMessages.push(message);
      }
    });
    for (const quitter of quitters) if (quitter.name) this.broadcast({ quit: quitter.name });
  }
}

export default {
  fetch(request, env) {
    const room = new URL(request.url).pathname.split("/")[2] ?? "room";
    return env.ROOMS.get(env.ROOMS.idFromName(room)).fetch(request);
  },
};
