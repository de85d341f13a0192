import { VARIABLES, type VariableName, type VariableSpec, type Variables } from "./variables";

/** A variable that is set but unusable; the message names it so an operator can fix it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export const MIN_SECRET_BYTES = 32;
/** A secret with fewer different characters than this is a placeholder ("aaaa…"), not 32 bytes of entropy. */
const MIN_DISTINCT_CHARACTERS = 8;
const HOW_TO_GENERATE = "generate one with `openssl rand -base64 48`";

/** What a variable of this spec reads as: its default when it has one, else `undefined` when unset. */
export type VariableValue<Spec extends VariableSpec> = Spec extends { type: "secret" }
  ? Spec extends { required: true }
    ? Uint8Array
    : Uint8Array | undefined
  : Spec extends { type: "positiveInt"; default: number }
    ? number
    : Spec extends { type: "positiveInt" }
    ? number | undefined
    : Spec extends { type: "boolean" }
      ? boolean
      : Spec extends { type: "list" }
        ? string[]
        : Spec extends { type: "url" }
          ? URL | undefined
          : string | undefined;

/** Reads one variable as its entry in VARIABLES says, throwing a ConfigError that names it if it is unusable. */
export function readVariable<Name extends VariableName>(env: Variables, name: Name): VariableValue<(typeof VARIABLES)[Name]> {
  // `NAME = ""` keeps the default rather than being refused, as every reader did before the table.
  const raw = env[name] || undefined;
  return parse(name, VARIABLES[name], raw) as VariableValue<(typeof VARIABLES)[Name]>;
}

function parse(name: VariableName, spec: VariableSpec, raw: string | undefined): unknown {
  switch (spec.type) {
    case "secret":
      if (raw === undefined && spec.required) {
        throw new ConfigError(name, `${name} is not set; set it with \`wrangler secret put ${name}\` (in development, in .dev.vars)`);
      }
      return raw === undefined ? undefined : parseSecret(name, raw);
    case "positiveInt":
      return raw === undefined ? (spec.default ?? undefined) : Math.min(parsePositiveInt(name, raw), spec.atMost ?? Infinity);
    case "boolean":
      return raw === undefined ? spec.default : parseBoolean(name, raw);
    case "list": {
      const items = (raw ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
      return spec.of === "origin" ? items.map((item) => parseOrigin(name, item)) : items;
    }
    case "url":
      return raw === undefined ? undefined : parseUrl(name, raw);
    case "string":
      return raw;
  }
}

function parseSecret(name: VariableName, raw: string): Uint8Array {
  const secret = new TextEncoder().encode(raw);
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(name, `${name} is shorter than ${MIN_SECRET_BYTES} bytes; ${HOW_TO_GENERATE} and set it with \`wrangler secret put ${name}\``);
  }
  if (new Set(raw).size < MIN_DISTINCT_CHARACTERS) {
    throw new ConfigError(name, `${name} looks like a placeholder (fewer than ${MIN_DISTINCT_CHARACTERS} different characters); ${HOW_TO_GENERATE}`);
  }
  return secret;
}

function parsePositiveInt(name: VariableName, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(name, `${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

function parseBoolean(name: VariableName, raw: string): boolean {
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError(name, `${name} must be "true" or "false", got "${raw}"`);
}

function parseOrigin(name: VariableName, item: string): string {
  try {
    return new URL(item).origin;
  } catch {
    throw new ConfigError(name, `${name} has "${item}", which is not an origin like https://chat.example.com`);
  }
}

function parseUrl(name: VariableName, raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new ConfigError(name, `${name} is not a valid URL`);
  }
}
