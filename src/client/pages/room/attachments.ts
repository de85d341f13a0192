import type { ApiErrorBody, FileInfo } from "../../../protocol";
import { formatSize } from "./file-view";

interface Upload {
  row: HTMLLIElement;
  request?: XMLHttpRequest;
  file?: FileInfo;
}

/**
 * Files for the next message: picked with the button, pasted, or dropped on the composer.
 * Each uploads at once, with a progress bar and a cancel button, and is attached to the
 * message when it is sent; a failure says why (too large, over the day's quota, not allowed).
 * The message then carries only the files' ids, so a resend after a reconnect uploads nothing again.
 */
export class Attachments {
  private readonly uploads = new Set<Upload>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly room: string,
    private readonly token: () => string,
  ) {}

  /** Wires the ways a file comes in: the button's file input, paste, and drop on `target`. */
  follow(input: HTMLInputElement, button: HTMLButtonElement, target: HTMLElement): void {
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      for (const file of input.files ?? []) this.add(file);
      input.value = "";
    });
    target.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      files.forEach((file) => this.add(file));
    });
    target.addEventListener("dragover", (event) => {
      if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
    });
    target.addEventListener("drop", (event) => {
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      files.forEach((file) => this.add(file));
    });
  }

  /** How many files are uploaded and waiting for the message. */
  get uploaded(): number {
    return [...this.uploads].filter((upload) => upload.file !== undefined).length;
  }

  /** Whether every file is uploaded (a message waits for its files). */
  get ready(): boolean {
    return [...this.uploads].every((upload) => upload.file !== undefined);
  }

  /** The uploaded files, which the next message carries; clears the list. */
  take(): FileInfo[] {
    const files = [...this.uploads].flatMap((upload) => (upload.file ? [upload.file] : []));
    this.uploads.clear();
    this.list.replaceChildren();
    delete this.list.dataset.waiting;
    return files;
  }

  add(file: File): void {
    const row = document.createElement("li");
    row.className = "upload";
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = `${file.name} (${formatSize(file.size)})`;
    const progress = document.createElement("progress");
    progress.max = 1;
    progress.value = 0;
    const status = document.createElement("span");
    status.className = "upload-status";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link";
    cancel.textContent = "Cancel";
    row.append(name, progress, status, cancel);
    this.list.append(row);

    const upload: Upload = { row };
    this.uploads.add(upload);
    cancel.addEventListener("click", () => {
      upload.request?.abort();
      this.uploads.delete(upload);
      row.remove();
    });

    const request = new XMLHttpRequest();
    upload.request = request;
    request.open("POST", `/api/rooms/${encodeURIComponent(this.room)}/files?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader("Authorization", `Bearer ${this.token()}`);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = event.loaded / event.total;
    });
    request.addEventListener("load", () => {
      if (request.status === 201) {
        upload.file = (JSON.parse(request.responseText) as { file: FileInfo }).file;
        progress.value = 1;
        status.textContent = "ready";
        cancel.textContent = "Remove";
        row.classList.add("done");
        return;
      }
      this.failed(upload, status, progress, explain(request.status, request.responseText));
    });
    request.addEventListener("error", () => this.failed(upload, status, progress, "the upload failed: check your connection and try again"));
    request.send(file);
  }

  private failed(upload: Upload, status: HTMLElement, progress: HTMLProgressElement, why: string): void {
    this.uploads.delete(upload);
    progress.remove();
    status.textContent = why;
    upload.row.classList.add("failed");
  }
}

/** Why an upload was refused, in the words the server gave (its limit, the quota, the room). */
function explain(status: number, body: string): string {
  try {
    const { error } = JSON.parse(body) as ApiErrorBody;
    return status === 429 && error.retryAfterMs ? `${error.message} (try again in ${Math.ceil(error.retryAfterMs / 3600_000)} h)` : error.message;
  } catch {
    return `the upload failed (${status})`;
  }
}
