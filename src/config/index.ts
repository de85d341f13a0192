export * from "./read-config";
