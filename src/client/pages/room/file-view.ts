import type { FileInfo } from "../../../protocol";

/** Largest box an image is shown in, keeping its shape; a click opens it whole. */
const MAX_WIDTH = 360;
const MAX_HEIGHT = 280;

/**
 * A message's files: images inline, their space reserved from the size the server read from
 * their bytes (nothing jumps while they load), other files as a card to download. An `<img>`
 * cannot send the token, so each file is fetched with it and shown from a blob URL.
 */
export function renderFiles(files: FileInfo[], fetchFile: (id: string) => Promise<string>): HTMLDivElement {
  const box = document.createElement("div");
  box.className = "files";
  for (const file of files) box.append(file.type.startsWith("image/") ? image(file, fetchFile) : card(file, fetchFile));
  return box;
}

function image(file: FileInfo, fetchFile: (id: string) => Promise<string>): HTMLElement {
  const link = document.createElement("a");
  link.className = "file-image";
  link.href = "#";
  link.title = `${file.name} (${formatSize(file.size)})`;
  const img = document.createElement("img");
  img.alt = file.name;
  if (file.width && file.height) {
    const scale = Math.min(1, MAX_WIDTH / file.width, MAX_HEIGHT / file.height);
    img.width = Math.round(file.width * scale);
    img.height = Math.round(file.height * scale);
  }
  void fetchFile(file.id).then((url) => {
    img.src = url;
    link.href = url;
    link.target = "_blank";
  });
  link.append(img);
  return link;
}

function card(file: FileInfo, fetchFile: (id: string) => Promise<string>): HTMLElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "file-card";
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = file.name;
  const about = document.createElement("span");
  about.className = "file-about";
  about.textContent = `${formatSize(file.size)} · ${file.type === "application/octet-stream" ? "file" : file.type}`;
  button.append(name, about);
  button.addEventListener("click", async () => {
    const anchor = document.createElement("a");
    anchor.href = await fetchFile(file.id);
    anchor.download = file.name;
    anchor.click();
  });
  return button;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Fetches each file once, with the token, as a blob URL the page can show or download. */
export function fileFetcher(room: string, token: () => string): (id: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (id) => {
    let url = cache.get(id);
    if (!url) {
      url = fetch(`/api/rooms/${encodeURIComponent(room)}/files/${id}`, { headers: { Authorization: `Bearer ${token()}` } }).then(async (response) => {
        if (!response.ok) throw new Error(`file ${id}: ${response.status}`);
        return URL.createObjectURL(await response.blob());
      });
      // A failed fetch is tried again the next time the file is drawn.
      url.catch(() => cache.delete(id));
      cache.set(id, url);
    }
    return url;
  };
}
