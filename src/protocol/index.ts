/**
 * The edge-chat wire protocol, version 1: every frame's shape, the limits, and the validation
 * of everything a client may send. The room, the Worker, the browser client and the tests all
 * import this module, so a shape changes in one place. Documented in docs/protocol.md.
 *
 * It must run in the Workers runtime, in browsers and in Node, so it uses only the language.
 */
export * from "./constants";
export * from "./frames";
export * from "./home";
export * from "./api-bodies";
export { fail, failure, ok, STATUS_OF, type Checked, type Failure, type FailureStatus, type Result } from "./result";
export { errorBody, readErrorBody } from "./error-body";
export { hasFormatCharacter, isBlank, withoutFormatCharacters } from "./text";
export * from "./checks";
export { applyChange, CHANGE_KINDS, checkChange, checkEmoji, isChangeKind, type ChangeKind, type ChangeKindName } from "./change-kinds";
export * from "./page-query";
export * from "./plain-text";
export * from "./parse-server";
export { quoteOf } from "./quote";
export { checkForRequest, checkRoleRequest } from "./moderation-checks";
