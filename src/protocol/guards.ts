import { LIMITS } from "./constants";
import type { ChatMessage, Member, UserRef } from "./frames";

// Type guards for values parsed from JSON, shared by the checks of client frames and the
// parsers of server frames.

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isUserId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= LIMITS.maxUserIdChars;
}

export function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

export function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function isUserRef(value: unknown): value is UserRef {
  return isObject(value) && typeof value.id === "string" && typeof value.name === "string";
}

export function isUserList(value: unknown): value is UserRef[] {
  return Array.isArray(value) && value.every(isUserRef);
}

export function isMemberList(value: unknown): value is Member[] {
  return Array.isArray(value) && value.every((m) => isUserRef(m) && typeof (m as Member).online === "boolean");
}

export function isChatMessage(value: unknown): value is ChatMessage {
  return (
    isObject(value) &&
    value.type === "message" &&
    isNumber(value.seq) &&
    typeof value.id === "string" &&
    isUserRef(value.from) &&
    typeof value.text === "string" &&
    isNumber(value.ts) &&
    (value.to === undefined || typeof value.to === "string") &&
    (value.mentions === undefined || (Array.isArray(value.mentions) && value.mentions.every((m) => typeof m === "string")))
  );
}

