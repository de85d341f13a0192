import type { Variables } from "./config";
import type { ChatRoom } from "./room/chat-room";

/** Bindings and variables the Worker and the room receive (see wrangler.toml and docs/configuration.md). */
export interface Env extends Variables {
  ROOMS: DurableObjectNamespace<ChatRoom>;
  ASSETS: Fetcher;
}
// The test helpers (`cloudflare:test`) type their `env` as Cloudflare.Env.
type EdgeChatEnv = Env;
declare global {
  namespace Cloudflare {
    interface Env extends EdgeChatEnv {}
  }
}
