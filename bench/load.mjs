// The load generator: real WebSocket clients on 127.0.0.1 against one target, one scenario per
// run, the result printed as one JSON line. bench/run.mjs starts it as a separate process.
//   node bench/load.mjs '{"target":{"kind":"edge-chat","base":"http://127.0.0.1:8787"},"scenario":"fanout"}'
import WebSocket from "ws";
import { usage } from "./targets.mjs";

const { target, scenario, pid, historyBytes } = JSON.parse(process.argv[2]);
const isProject = target.kind === "edge-chat";
const isDemo = target.kind === "demo-do";
const wsBase = target.base.replace(/^http/, "ws");
let counter = 0;

/**
 * A chat message as edge-chat delivers it, which is what relay clients send each other: the
 * relays then carry the same bytes and the load generator parses the same JSON for every
 * target, so the ratios compare the servers rather than the sizes of their frames.
 */
function relayFrame(text, n) {
  return JSON.stringify({ type: "message", seq: n, id: `m${n}`, from: { id: "g_0123456789abcdef", name: "Load 123" }, text, ts: Date.now() });
}

/** A guest session for edge-chat: the token a client keeps and reconnects with. */
async function signIn() {
  const response = await fetch(`${target.base}/api/session`, { method: "POST", body: JSON.stringify({ name: `Load ${++counter}` }) });
  return (await response.json()).token;
}

/**
 * One chat participant; for edge-chat it signs in and speaks the protocol, for relays it sends
 * edge-chat's message frames as they are. `onPayload` gets each chat message's text.
 * `onHistory` gets the size of the frame that brings the past (edge-chat's history, a relay's
 * replay), the messages in it, and when it arrived: taken before the frame is parsed, so a
 * resume is timed to the same point for every server.
 */
async function participant(room, { onPayload = () => {}, onHistory = () => {}, query = "", token } = {}) {
  let protocols;
  if (isProject) protocols = ["edge-chat.v1", `bearer.${token ?? (await signIn())}`];
  // edge-chat's own client reads `batch` frames, and says so (docs/protocol.md).
  const path = isProject ? `/api/rooms/${room}/ws${query ? `${query}&` : "?"}batch=1` : `/ws/${room}${query}`;
  const ws = new WebSocket(`${wsBase}${path}`, protocols, { perMessageDeflate: false });
  const client = { ws, acks: 0, sent: 0 };
  const name = `Load ${++counter}`;
  await new Promise((resolve, reject) => {
    ws.once("error", reject);
    // The demo's clients name themselves first, and are sent the room's traffic once it says ready.
    if (isDemo) ws.once("open", () => ws.send(JSON.stringify({ name })));
    else if (!isProject) ws.once("open", resolve);
    ws.on("message", (data) => {
      const receivedAt = performance.now();
      const text = data.toString();
      if (text === "pong") return;
      if (isDemo) {
        const frame = JSON.parse(text);
        if (frame.ready) resolve();
        // The demo echoes a message to its sender too; the others count as deliveries.
        else if (frame.message !== undefined && frame.name !== name) onPayload(frame.message);
        return;
      }
      if (!isProject) {
        if (text.startsWith("{")) return onPayload(JSON.parse(text).text);
        return onHistory(text.length, undefined, receivedAt);
      }
      const outer = JSON.parse(text);
      for (const frame of outer.type === "batch" ? outer.frames : [outer]) {
        if (frame.type === "message") onPayload(frame.text);
        else if (frame.type === "ack") client.acks++;
        else if (frame.type === "history") {
          onHistory(text.length, frame.messages.length, receivedAt);
          resolve();
        }
      }
    });
  });
  client.send = (payload) => {
    if (isProject) ws.send(JSON.stringify({ type: "send", id: `m${++client.sent}`, text: payload }));
    else if (isDemo) ws.send(JSON.stringify({ message: payload }));
    else ws.send(relayFrame(payload, ++client.sent));
  };
  /** Closes, and resolves once the server has answered the close: the room has seen it go. */
  client.close = () => new Promise((resolve) => (ws.once("close", resolve), ws.close()));
  return client;
}

/** Connects `count` participants, `batch` at a time; returns them and how long it took. */
async function connectMany(count, roomOf, onPayloadFor = () => undefined, batch = 50) {
  const started = performance.now();
  const all = [];
  for (let i = 0; i < count; i += batch) {
    const size = Math.min(batch, count - i);
    all.push(...(await Promise.all(Array.from({ length: size }, (_, j) => participant(roomOf(i + j), { onPayload: onPayloadFor(i + j) })))));
  }
  return { all, connectMs: performance.now() - started };
}

/**
 * Counts deliveries, duplicates and latency; payloads are "sender:n:sentAt". Receipts are
 * flags in one typed array and latencies go into a preallocated one: a Set of 100,000 string
 * keys made the load process pause to rehash it, and the pause showed up as every server's
 * latency.
 */
function tracker(receivers, senders, perSender) {
  const receipts = new Uint8Array(receivers * senders * perSender);
  const latencies = new Float64Array(receipts.length);
  let [delivered, duplicates, last] = [0, 0, 0];
  return {
    record(receiver, payload) {
      const [sender, n, sentAt] = payload.split(":", 3).map(Number);
      if (!(sender < senders && n < perSender)) throw new Error(`a payload the load process never sent: ${payload}`);
      last = performance.now();
      const slot = (receiver * senders + sender) * perSender + n;
      if (receipts[slot] === 1) return void duplicates++;
      receipts[slot] = 1;
      latencies[delivered++] = last - sentAt;
    },
    get delivered() {
      return delivered;
    },
    get duplicates() {
      return duplicates;
    },
    get last() {
      return last;
    },
    get latencies() {
      return latencies.subarray(0, delivered);
    },
  };
}

async function drained(track, expected, timeoutMs = 30_000) {
  const deadline = performance.now() + timeoutMs;
  while (track.delivered < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Sends as fast as the socket takes it, pausing only when its buffer fills. */
async function blast(client, sender, count) {
  for (let n = 0; n < count; n++) {
    client.send(`${sender}:${n}:${performance.now()}`);
    if (client.ws.bufferedAmount > 1 << 20 || n % 50 === 49) await new Promise((r) => setImmediate(r));
  }
}

function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function close(clients) {
  for (const c of clients) c.close();
}

/** Each sender sends `count` messages `interval` ms apart, the senders' moments spread evenly over an interval. */
function onSchedule(senders, started, interval, count) {
  return Promise.all(senders.map(async (c, s) => {
    const t0 = started + (s / senders.length) * interval;
    for (let n = 0; n < count; n++) {
      const wait = t0 + n * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      c.send(`${s}:${n}:${performance.now()}`);
    }
  }));
}

/**
 * One room of 150 where everyone sends `perSecond` messages/s for `seconds`, at evenly spread
 * moments: deliveries/s over the whole run, the runtime's CPU per delivery, latency.
 */
async function everyoneTalks(perSecond, seconds) {
  const clients = 150;
  const count = Math.round(perSecond * seconds);
  const interval = 1000 / perSecond;
  const track = tracker(clients, clients, count);
  const room = `many-${Date.now()}`;
  const { all } = await connectMany(clients, () => room, (i) => (payload) => track.record(i, payload));
  await new Promise((r) => setTimeout(r, 500));
  const before = usage(pid);
  const started = performance.now();
  await onSchedule(all, started, interval, count);
  const expected = clients * count * (clients - 1);
  await drained(track, expected);
  const after = usage(pid);
  close(all);
  const l = track.latencies;
  return {
    deliveriesPerSecond: track.delivered / ((track.last - started) / 1000),
    cpuUsPerDelivery: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / track.delivered,
    p50: percentile(l, 50),
    p99: percentile(l, 99),
    lost: expected - track.delivered,
    duplicates: track.duplicates,
  };
}


const scenarios = {
  /** One room of 100, 5 of them sending as fast as they can: deliveries per second at saturation. */
  async fanout() {
    const [clients, senders, each] = [100, 5, 300];
    const track = tracker(clients, senders, each);
    const room = `fanout-${Date.now()}`;
    const { all, connectMs } = await connectMany(clients, () => room, (i) => (payload) => track.record(i, payload));
    const started = performance.now();
    await Promise.all(all.slice(0, senders).map((c, s) => blast(c, s, each)));
    const expected = senders * each * (clients - 1);
    await drained(track, expected);
    close(all);
    return { connectMs, deliveriesPerSecond: track.delivered / ((track.last - started) / 1000), lost: expected - track.delivered, duplicates: track.duplicates };
  },

  /** The same room at a fixed 10,000 deliveries/s, below saturation: fan-out latency. */
  async fixedLoad() {
    const [clients, senders, seconds, deliveriesPerSecond] = [100, 5, 10, 10_000];
    const perSender = deliveriesPerSecond / (clients - 1) / senders;
    const interval = 1000 / perSender;
    const count = Math.round(perSender * seconds);
    const track = tracker(clients, senders, count);
    const room = `fixed-${Date.now()}`;
    const { all } = await connectMany(clients, () => room, (i) => (payload) => track.record(i, payload));
    await onSchedule(all.slice(0, senders), performance.now(), interval, count);
    const expected = senders * count * (clients - 1);
    await drained(track, expected);
    close(all);
    const l = track.latencies;
    return { p50: percentile(l, 50), p95: percentile(l, 95), p99: percentile(l, 99), lost: expected - track.delivered, duplicates: track.duplicates };
  },

  /**
   * One room of 150 where everyone talks, each at 1.9 messages/s (under edge-chat's default
   * 2/s): the shape where group commit has little to share and the per-message path shows.
   * Deliveries/s over the whole run, and the runtime's CPU per delivery.
   */
  async manySenders() {
    return everyoneTalks(1.9, 10);
  },

  /** The same room with everyone sending 5 messages/s, more than any target delivers: deliveries/s at saturation. */
  async manySendersSaturated() {
    return everyoneTalks(5, 6);
  },

  /**
   * 1,000 clients in one room, 5 of them sending as fast as they can. bench/run.mjs runs it on
   * edge-chat twice: with SHARD_CAPACITY=100 (the room and nine shards) and unsharded, to
   * compare the CPU a delivery costs through shards with the same load in one object.
   */
  async thousand() {
    const [clients, senders, each, paced] = [1000, 5, 40, 30];
    const track = tracker(clients, senders, each + paced);
    const room = `thousand-${Date.now()}`;
    const { all, connectMs } = await connectMany(clients, () => room, (i) => (payload) => track.record(i, payload));
    await new Promise((r) => setTimeout(r, 500));
    const before = usage(pid);
    const started = performance.now();
    await Promise.all(all.slice(0, senders).map((c, s) => blast(c, s, each)));
    let expected = senders * each * (clients - 1);
    await drained(track, expected, 60_000);
    const after = usage(pid);
    const deliveries = track.delivered;
    const deliveriesPerSecond = deliveries / ((track.last - started) / 1000);
    const l = Float64Array.from(track.latencies);
    // Then one message at a time, each waiting until all have it: every message is a batch of
    // its own, so what sharding adds per batch (one call per shard) shows undiluted.
    for (let n = each; n < each + paced; n++) {
      all[0].send(`0:${n}:${performance.now()}`);
      expected += clients - 1;
      await drained(track, expected);
    }
    const end = usage(pid);
    close(all);
    return {
      connectMs,
      deliveriesPerSecond,
      cpuUsPerDelivery: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / deliveries,
      cpuMsPerPacedMessage: ((end.cpuSeconds - after.cpuSeconds) * 1000) / paced,
      p50: percentile(l, 50),
      p99: percentile(l, 99),
      lost: expected - track.delivered,
      duplicates: track.duplicates,
    };
  },

  /** 50 rooms of 4, everyone sending: how the runtime spreads many small rooms. */
  async manyRooms() {
    const [rooms, perRoom, each] = [50, 4, 40];
    const track = tracker(rooms * perRoom, rooms * perRoom, each);
    const tag = Date.now();
    const roomOf = (i) => `many-${tag}-${Math.floor(i / perRoom)}`;
    const { all } = await connectMany(rooms * perRoom, roomOf, (i) => (payload) => track.record(i, payload));
    const started = performance.now();
    await Promise.all(all.map((c, s) => blast(c, s, each)));
    const expected = rooms * perRoom * each * (perRoom - 1);
    await drained(track, expected);
    close(all);
    return { deliveriesPerSecond: track.delivered / ((track.last - started) / 1000), lost: expected - track.delivered, duplicates: track.duplicates };
  },

  /**
   * 500 mostly idle clients: connect time, memory per connection, and the CPU of the room while
   * they are quiet (left long enough for the runtime to hibernate it) and then while they ping.
   */
  async idle() {
    const [clients, windowSeconds, pingEveryMs] = [500, 10, 2500];
    const room = `idle-${Date.now()}`;
    // One client first, so the code, the object and its storage are loaded before we measure:
    // what is left is the memory each further connection costs.
    (await participant(room)).close();
    await new Promise((r) => setTimeout(r, 500));
    const before = usage(pid);
    const { all, connectMs } = await connectMany(clients, () => room);
    await new Promise((r) => setTimeout(r, 1000));
    const connected = usage(pid);
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    const quiet = usage(pid);
    // Pings are spread evenly, as 500 clients on their own clocks would send them.
    const timers = all.map((c, i) => setTimeout(() => {
      c.ws.send("ping");
      c.timer = setInterval(() => c.ws.send("ping"), pingEveryMs);
    }, (i / clients) * pingEveryMs));
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    const after = usage(pid);
    timers.forEach(clearTimeout);
    all.forEach((c) => clearInterval(c.timer));
    close(all);
    return {
      connectMs,
      bytesPerConnection: (connected.rss - before.rss) / clients,
      idleCpuSeconds: after.cpuSeconds - quiet.cpuSeconds,
      quietCpuSeconds: quiet.cpuSeconds - connected.cpuSeconds,
      pings: Math.round((windowSeconds * 1000 * clients) / pingEveryMs),
    };
  },

  /**
   * A client that missed 500 messages comes back: time until it has all of them. One return
   * takes a few milliseconds, so a single one is mostly noise: it comes back five times (each
   * time missing the same 500) and the median counts.
   */
  async resume() {
    const [missed, returns] = [500, 5];
    const room = `resume-${Date.now()}`;
    const times = [];
    const returnOf = async (options) => {
      const started = performance.now();
      let arrived;
      const history = new Promise((resolve) => (arrived = resolve));
      const client = await participant(room, { ...options, onHistory: (bytes, messages, at) => arrived({ bytes, messages, at }) });
      const { bytes, messages, at } = await history;
      times.push(at - started);
      await client.close();
      return { bytes, messages };
    };
    if (!isProject) {
      // The room is running already, as edge-chat's is when its client returns.
      await (await participant(room)).close();
      for (let r = 0; r < returns; r++) await returnOf({ query: `?replay=${historyBytes}` });
      return { resumeMs: percentile(times, 50), bytes: historyBytes };
    }
    // The returning client was a member before: it keeps its token and asks for what came
    // after the last message it saw (none, in this new room). The time starts at the socket.
    const token = await signIn();
    await (await participant(room, { token })).close();
    const writers = await Promise.all(Array.from({ length: 25 }, () => participant(room)));
    const each = missed / writers.length;
    for (const [w, writer] of writers.entries()) for (let n = 0; n < each; n++) writer.send(`${w}:${n}:${"x".repeat(60)}`);
    while (writers.some((w) => w.acks < each)) await new Promise((r) => setTimeout(r, 20));
    // Wait until the room has seen them go, so the resume is timed alone.
    await Promise.all(writers.map((w) => w.close()));
    let received;
    for (let r = 0; r < returns; r++) received = await returnOf({ query: "?after=0", token });
    return { resumeMs: percentile(times, 50), ...received };
  },
};

/**
 * A room of 1,000 members, most of them away, one of them talking at a steady 100 messages/s to
 * 20 members online: the CPU the server spends per message, with `homes` of the members also
 * sitting on their home page (a hub socket each). Run with 0 and with 20 homes (docs/home.md):
 * what the homes add to a message is the difference.
 */
async function roomWithHomes(homes) {
  const [members, online, messages, perSecond] = [1000, 20, 500, 100];
  const room = `homes-${Date.now()}`;
  const tokens = [];
  for (let i = 0; i < members; i += 50) {
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(50, members - i) }, () => signIn()))));
  }
  for (let i = 0; i < members; i += 50) {
    await Promise.all(tokens.slice(i, i + 50).map((token) =>
      fetch(`${target.base}/api/rooms/${room}/join`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: "{}" })));
  }
  let delivered = 0;
  const readers = await Promise.all(tokens.slice(1, 1 + online).map((token) => participant(room, { token, onPayload: () => delivered++ })));
  const sender = await participant(room, { token: tokens[0] });
  let news = 0;
  const homeSockets = await Promise.all(tokens.slice(online + 1, online + 1 + homes).map((token) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase}/api/me/ws`, ["edge-chat.v1", `bearer.${token}`], { perMessageDeflate: false });
    ws.on("message", (data) => {
      if (JSON.parse(data.toString()).type === "rooms") resolve(ws);
      else news++;
    });
    ws.once("error", reject);
  })));
  await new Promise((r) => setTimeout(r, 1000));
  const before = usage(pid);
  for (let n = 0; n < messages; n++) {
    sender.send(`0:${n}:${performance.now()}`);
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  while (sender.acks < messages || delivered < messages * online) await new Promise((r) => setTimeout(r, 20));
  // The last coalesced news goes out within a second.
  await new Promise((r) => setTimeout(r, 1500));
  const after = usage(pid);
  close([...readers, sender]);
  for (const ws of homeSockets) ws.close();
  return { cpuMsPerMessage: ((after.cpuSeconds - before.cpuSeconds) * 1000) / messages, homeNews: news, lost: messages * online - delivered, duplicates: 0 };
}
/**
 * One person in 200 rooms: what joining a room costs them (a newcomer's room asks their hub,
 * docs/home.md), and what a load of their home costs once the hub has its copies, with no news
 * since: the load asks no room then, where it once asked every one.
 */
scenarios.homeLoad = async () => {
  const [rooms, loads] = [200, 20];
  const token = await signIn();
  const headers = { Authorization: `Bearer ${token}` };
  const tag = Date.now();
  const home = async () => (await (await fetch(`${target.base}/api/me/rooms`, { headers })).json()).rooms.length;
  const beforeJoins = usage(pid);
  const joinsStarted = performance.now();
  for (let i = 0; i < rooms; i++) {
    const response = await fetch(`${target.base}/api/rooms/load-home-${tag}-${i}/join`, { method: "POST", headers, body: "{}" });
    if (!response.ok) throw new Error(`join ${i}: ${response.status}`);
  }
  const joinMs = (performance.now() - joinsStarted) / rooms;
  const afterJoins = usage(pid);
  // Until every room is listed: the first loads fill the hub's copies, HOME_READS_PER_LOAD at a time.
  while ((await home()) < rooms) await new Promise((r) => setTimeout(r, 50));
  const before = usage(pid);
  const times = [];
  for (let n = 0; n < loads; n++) {
    const started = performance.now();
    if ((await home()) !== rooms) throw new Error("a load lost a room");
    times.push(performance.now() - started);
  }
  const after = usage(pid);
  // The floor: a request that asks the same hub for its smallest answer (the person's settings).
  for (let n = 0; n < loads; n++) await fetch(`${target.base}/api/me/settings`, { headers }).then((r) => r.json());
  const floor = usage(pid);
  return {
    joinMs,
    cpuMsPerJoin: ((afterJoins.cpuSeconds - beforeJoins.cpuSeconds) * 1000) / rooms,
    loadMs: percentile(times, 50),
    cpuMsPerLoad: ((after.cpuSeconds - before.cpuSeconds) * 1000) / loads,
    cpuMsPerSettingsRead: ((floor.cpuSeconds - after.cpuSeconds) * 1000) / loads,
    lost: 0,
    duplicates: 0,
  };
};

/**
 * Scrolling back: one page of 50 messages read back from a random point (`?before=`) in a room
 * of 1,000 messages and in one of 100,000 (written by 20 clients over sockets), 50 pages each.
 * A page should cost the same however long the room's history is (docs/performance.md).
 */
scenarios.historyPages = async () => {
  const figures = {};
  for (const size of [1_000, 100_000]) {
    const room = `history-${size}-${Date.now()}`;
    const writers = await Promise.all(Array.from({ length: 20 }, () => participant(room)));
    const each = size / writers.length;
    await Promise.all(writers.map((writer, s) => blast(writer, s, each)));
    while (writers.some((writer) => writer.acks < each)) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(writers.map((writer) => writer.close()));
    const headers = { Authorization: `Bearer ${await signIn()}` };
    const times = [];
    const before = usage(pid);
    for (let n = 0; n < 50; n++) {
      const from = 60 + Math.floor(Math.random() * (size - 60));
      const started = performance.now();
      const page = await (await fetch(`${target.base}/api/rooms/${room}/messages?before=${from}&limit=50`, { headers })).json();
      if (page.messages.length !== 50) throw new Error(`a page of ${page.messages.length} messages before ${from} in a room of ${size}`);
      times.push(performance.now() - started);
    }
    const after = usage(pid);
    figures[`pageMs${size}`] = percentile(times, 50);
    figures[`cpuMsPerPage${size}`] = ((after.cpuSeconds - before.cpuSeconds) * 1000) / 50;
  }
  return { ...figures, lost: 0, duplicates: 0 };
};

scenarios.homesClosed = () => roomWithHomes(0);
scenarios.homesOpen = () => roomWithHomes(20);

const result = await scenarios[scenario]();
console.log(JSON.stringify(result));
process.exit(0);
