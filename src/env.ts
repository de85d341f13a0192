import type { ChatRoom } from "./room/chat-room";

/** Bindings and variables the Worker and the room receive (see wrangler.toml and docs/configuration.md). */
export interface Env {
  ROOMS: DurableObjectNamespace<ChatRoom>;
  ASSETS: Fetcher;
  /** HS256 key for session tokens; at least 32 bytes. A secret: `wrangler secret put JWT_SECRET`. */
  JWT_SECRET?: string;
  ALLOW_GUESTS?: string;
  SESSION_TTL_SECONDS?: string;
  /** Optional external identity provider: tokens signed by this JWK set are accepted too. */
  JWT_JWKS_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  HISTORY_LIMIT?: string;
  RATE_LIMIT_MESSAGES?: string;
  RATE_LIMIT_WINDOW_SECONDS?: string;
}

// The test helpers (`cloudflare:test`) type their `env` as Cloudflare.Env.
type EdgeChatEnv = Env;
declare global {
  namespace Cloudflare {
    interface Env extends EdgeChatEnv {}
  }
}
