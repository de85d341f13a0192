import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthError } from "../../src/auth";
import { ApiError } from "../../src/client/api";
import { ConfigError } from "../../src/config";
import { checkOutgoingMessage, failure, fail, readErrorBody, STATUS_OF, type ApiErrorBody } from "../../src/protocol";
import { orRefuse, refuse } from "../../src/worker/api-exception";
import { answerError, answerNotFound } from "../../src/worker/http-error";

// The Worker's one error model: whatever a route throws comes out as `{"error": {...}}` with
// the code's status, and the client reads the same body back.
const app = new Hono();
app.get("/refused", () => refuse("rate_limited", "slow down", { retryAfterMs: 1500 }));
app.get("/room-refused", () => {
  orRefuse(failure(404, "bad_message", "no such invite"));
  return new Response("not reached");
});
app.get("/checked", () => {
  orRefuse(checkOutgoingMessage({ id: "m1", text: "x".repeat(4001) }));
  return new Response("not reached");
});
app.get("/accepted", (c) => c.json(orRefuse({ ok: true as const, seq: 7 })));
app.get("/auth", () => {
  throw new AuthError("token expired");
});
app.get("/config", () => {
  throw new ConfigError("JWT_SECRET", "JWT_SECRET is shorter than 32 bytes");
});
app.get("/bug", () => {
  throw new TypeError("cannot read properties of undefined (secret detail)");
});
app.post("/small", bodyLimit({ maxSize: 4, onError: () => refuse("too_large", "at most 4 bytes") }), (c) => c.text("fine"));
app.notFound(answerNotFound);
app.onError(answerError);

async function call(path: string, init?: RequestInit) {
  const response = await app.request(path, init);
  return { status: response.status, headers: response.headers, body: (await response.json()) as ApiErrorBody };
}

afterEach(() => vi.restoreAllMocks());

describe("the Worker's error answers", () => {
  it("give a refusal its code's status, its message, and Retry-After in whole seconds", async () => {
    const { status, headers, body } = await call("/refused");
    expect(status).toBe(429);
    expect(headers.get("Retry-After")).toBe("2");
    expect(body).toEqual({ error: { code: "rate_limited", message: "slow down", retryAfterMs: 1500 } });
  });

  it("keep the status a room gave its refusal", async () => {
    expect(await call("/room-refused")).toMatchObject({ status: 404, body: { error: { code: "bad_message", message: "no such invite" } } });
  });

  it("keep a check's code, and answer it with that code's status", async () => {
    const { status, body } = await call("/checked");
    expect(status).toBe(413);
    // The HTTP caller knows which message it sent: the check's id stays out of the body.
    expect(body).toEqual({ error: { code: "too_large", message: "text must be at most 4000 characters" } });
  });

  it("pass a success through", async () => {
    expect(await (await app.request("/accepted")).json()).toEqual({ ok: true, seq: 7 });
  });

  it("answer a refused token with 401 and the bearer challenge", async () => {
    const { status, headers, body } = await call("/auth");
    expect(status).toBe(401);
    expect(headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    expect(body).toEqual({ error: { code: "invalid_token", message: "token expired" } });
  });

  it("name a misconfigured variable, and log it", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const { status, body } = await call("/config");
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: "server_misconfigured", message: "JWT_SECRET is shorter than 32 bytes" } });
    expect(JSON.parse(String(logged.mock.calls[0]?.[0]))).toMatchObject({ event: "worker.misconfigured", variable: "JWT_SECRET" });
  });

  it("hide an unforeseen error's detail from the client, and log it", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const { status, body } = await call("/bug");
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: "internal", message: "the server failed to handle this request" } });
    expect(JSON.parse(String(logged.mock.calls[0]?.[0]))).toMatchObject({ event: "worker.failed", path: "/bug", error: "TypeError" });
  });

  it("answer a body over the limit from a middleware's refusal", async () => {
    expect(await call("/small", { method: "POST", body: "too long" })).toMatchObject({ status: 413, body: { error: { code: "too_large" } } });
  });

  it("answer an unknown route with not_found", async () => {
    expect(await call("/nowhere", { method: "DELETE" })).toMatchObject({ status: 404, body: { error: { code: "not_found", message: "no route for DELETE /nowhere" } } });
  });
});

describe("error codes", () => {
  it("each have the status the protocol documents", () => {
    expect(STATUS_OF).toEqual({
      bad_message: 400,
      too_large: 413,
      rate_limited: 429,
      too_many_connections: 429,
      unknown_user: 400,
      invalid_token: 401,
      forbidden: 403,
      invalid_invite: 403,
      guests_disabled: 403,
      not_found: 404,
      upgrade_required: 426,
      internal: 500,
      server_misconfigured: 500,
    });
    expect(fail("forbidden", "no")).toEqual({ ok: false, status: 403, code: "forbidden", message: "no" });
  });
});

describe("the client's ApiError", () => {
  it("reads the code, message and wait of the body the Worker wrote", async () => {
    const response = await app.request("/refused");
    const error = new ApiError(response.status, await response.json());
    expect(error).toMatchObject({ status: 429, code: "rate_limited", message: "slow down", retryAfterMs: 1500 });
  });

  it("names an answer without an error body by its status", () => {
    expect(new ApiError(502, "<html>Bad gateway</html>")).toMatchObject({ status: 502, code: "internal", message: "the server answered 502" });
    expect(new ApiError(500, { error: { code: "internal" } }).message).toBe("the server answered 500");
    expect(readErrorBody({ error: { code: "forbidden", message: "no", retryAfterMs: "soon" } })).toEqual({ code: "forbidden", message: "no" });
  });
});
