import { LIMITS } from "../protocol";

/**
 * A file name as people see it: no path (a name like `../../etc/passwd` or `C:\x` keeps its
 * last part), no control, format or path characters, at most LIMITS.maxFileNameChars.
 */
export function cleanFileName(raw: string | undefined): string {
  const last = (raw ?? "").split(/[\\/]/).pop() ?? "";
  const cleaned = last
    .toWellFormed()
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu, "")
    .replace(/^[.\s]+|\s+$/g, "");
  return Array.from(cleaned).slice(0, LIMITS.maxFileNameChars).join("") || "file";
}

/**
 * `Content-Disposition` per RFC 6266: an ASCII fallback for old clients, and the real name in
 * `filename*` (RFC 8187, UTF-8, percent-encoded), so no name can break out of the header.
 */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
