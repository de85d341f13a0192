export { readAllowedOrigins, readAuthConfig, readFileLimits, readGuestLimit, readHubConfig, readRoomConfig, type HubConfig, type AuthConfig, type RoomConfig } from "./read-config";
export { ConfigError, MIN_SECRET_BYTES } from "./read-variable";
export { PLATFORM_SOCKETS_PER_OBJECT, VARIABLES, type VariableSpec, type Variables } from "./variables";
