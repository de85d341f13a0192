// Baseline (b) for the benchmarks: the relay people write when they do not use the edge, a
// plain Node `ws` server forwarding each frame to the others in its room. No auth, no storage.
import { WebSocketServer } from "ws";

const port = Number(process.argv[2] ?? 0);
const rooms = new Map();
const server = new WebSocketServer({ host: "127.0.0.1", port });

server.on("connection", (ws, request) => {
  const url = new URL(request.url, "http://relay");
  const room = url.pathname.split("/")[2] ?? "room";
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(ws);
  const replay = Number(url.searchParams.get("replay") ?? 0);
  if (replay > 0) ws.send("r".repeat(replay));
  ws.on("message", (data, isBinary) => {
    const text = isBinary ? data : data.toString();
    if (text === "ping") return ws.send("pong");
    for (const other of members) if (other !== ws) other.send(text);
  });
  ws.on("close", () => members.delete(ws));
});

server.on("listening", () => console.log(JSON.stringify({ port: server.address().port })));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
