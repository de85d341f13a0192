import type { Variables } from "./config";
import type { UserHub } from "./hub/user-hub";
import type { ChatRoom } from "./room/chat-room";
import type { FanoutShard } from "./shard/fanout-shard";
import type { SignInCounter } from "./sign-in-limiter/sign-in-counter";

/** Bindings and variables the Worker and the room receive (see wrangler.toml and docs/configuration.md). */
export interface Env extends Variables {
  ROOMS: DurableObjectNamespace<ChatRoom>;
  SIGN_IN_COUNTERS: DurableObjectNamespace<SignInCounter>;
  /** A large room's fan-out shards, named `<room>/shard-<k>` (src/shard/). */
  SHARDS: DurableObjectNamespace<FanoutShard>;
  /** One hub per user id: their rooms and home sockets (src/hub/). */
  HUBS: DurableObjectNamespace<UserHub>;
  /** Optional: Cloudflare's Rate Limiting binding, used for guest sign-ins instead of SIGN_IN_COUNTERS when configured. */
  GUEST_SIGNIN_RATE_LIMITER?: RateLimit;
  ASSETS: Fetcher;
  /** Uploaded files, under `<room>/<file id>` (src/worker/file-routes.ts). */
  FILES: R2Bucket;
}
// The test helpers (`cloudflare:test`) type their `env` as Cloudflare.Env.
type EdgeChatEnv = Env;
declare global {
  namespace Cloudflare {
    interface Env extends EdgeChatEnv {}
  }
}
