// A small tus 1.0 client for large files (POST /api/v1/uploads, PATCH in chunks, HEAD to learn
// where the server stands, DELETE to give up). The upload's address is kept in localStorage
// under the folder, name, size and modification time of the file, so that after a failure, a
// reload or a closed tab, choosing the same file again continues where the server stands
// instead of sending it all again. XMLHttpRequest for the chunks, for the upload progress.
import { ApiError, authHeader, refresh } from "./api";

const MiB = 1024 * 1024;
// Files from this size up go through tus; smaller ones are one PUT (a chunk's round trips and
// the stored state would cost more than sending them again).
export const kResumableThreshold = 8 * MiB;
// Each PATCH: what a failure can lose, and what one request's progress events span.
const kChunkSize = 4 * MiB;
// Pauses after a network error (or a 5xx/429) before asking for the offset and going on, in
// seconds; after the last the upload fails and the user can retry it.
const kRetryDelays = [1, 2, 4];
const kStorePrefix = "coffer.tus:";

// The error an XMLHttpRequest ended with: the API's JSON error, or the status alone.
export function errorFromXhr(xhr: XMLHttpRequest): ApiError {
  try {
    const body = JSON.parse(xhr.responseText);
    if (body?.error?.code) return new ApiError(xhr.status, body.error.code, body.error.message, body.error.request_id);
  } catch {
    // not JSON: the status says it
  }
  return new ApiError(xhr.status, "HTTP_" + xhr.status, `The server answered ${xhr.status}.`);
}

function base64(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, seconds * 1000));
}

const cancelled = () => new DOMException("cancelled", "AbortError");

// Worth trying again after a pause: the network, the server busy or failing for a moment.
function transient(e: unknown): boolean {
  return e instanceof TypeError || (e instanceof ApiError && (e.status >= 500 || e.status === 429) && e.code !== "QUOTA_EXCEEDED");
}

interface State {
  offset: number;
  fileId: number | null; // set once the last byte is in and the upload became a file
}

function stateFrom(headers: { get(name: string): string | null }): State {
  const id = headers.get("Coffer-File-Id");
  return { offset: Number(headers.get("Upload-Offset") ?? 0), fileId: id ? Number(id) : null };
}

export class TusUpload {
  private url: string | null = null;
  private xhr: XMLHttpRequest | null = null;
  private stopped = false;

  constructor(
    private readonly file: File,
    private readonly folderId: number,
    private readonly name: string,
    // Bytes the server holds (durable), plus the part of the chunk in flight.
    private readonly onProgress: (sent: number) => void,
  ) {}

  private get storeKey(): string {
    return `${kStorePrefix}${this.folderId}:${this.name}:${this.file.size}:${this.file.lastModified}`;
  }
  private remember(url: string | null) {
    this.url = url;
    try {
      if (url) localStorage.setItem(this.storeKey, url);
      else localStorage.removeItem(this.storeKey);
    } catch {
      // no storage: resuming works within this page only
    }
  }
  private remembered(): string | null {
    try {
      return localStorage.getItem(this.storeKey);
    } catch {
      return null;
    }
  }

  // One request other than a PATCH; an expired access token is renewed once.
  private async send(method: string, url: string, headers: Record<string, string> = {}): Promise<Response> {
    const attempt = () =>
      fetch(url, { method, headers: { ...headers, "Tus-Resumable": "1.0.0", Authorization: authHeader() }, cache: "no-store" });
    let response = await attempt();
    if (response.status === 401 && (await refresh())) response = await attempt();
    if (!response.ok) {
      let body: { error?: { code: string; message: string; request_id?: string } } = {};
      try {
        body = await response.json();
      } catch {
        // HEAD has no body
      }
      if (body.error) throw new ApiError(response.status, body.error.code, body.error.message, body.error.request_id);
      throw new ApiError(response.status, "HTTP_" + response.status, `The server answered ${response.status}.`);
    }
    return response;
  }

  // Where the server stands; null when it no longer knows the upload (expired, deleted).
  private async head(): Promise<State | null> {
    try {
      return stateFrom((await this.send("HEAD", this.url!)).headers);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  private async create(): Promise<void> {
    const response = await this.send("POST", "/api/v1/uploads", {
      "Upload-Length": String(this.file.size),
      "Upload-Metadata": `filename ${base64(this.name)},parent_id ${base64(String(this.folderId))}`,
    });
    const location = response.headers.get("Location");
    if (!location) throw new ApiError(response.status, "HTTP_" + response.status, "The server named no upload address.");
    this.remember(new URL(location, window.location.href).pathname);
  }

  private patchOnce(offset: number): Promise<State> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open("PATCH", this.url!);
      xhr.setRequestHeader("Authorization", authHeader());
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.upload.onprogress = (e) => this.onProgress(offset + e.loaded);
      xhr.onload = () => {
        if (xhr.status === 204) resolve(stateFrom({ get: (name) => xhr.getResponseHeader(name) }));
        else reject(errorFromXhr(xhr));
      };
      xhr.onerror = () => reject(new TypeError("network error"));
      xhr.onabort = () => reject(cancelled());
      xhr.send(this.file.slice(offset, offset + kChunkSize));
    });
  }

  private async patch(offset: number): Promise<State> {
    try {
      return await this.patchOnce(offset);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401 && (await refresh()))) throw e;
      return this.patchOnce(offset);
    }
  }

  // Sends the file, continuing an upload of the same file started earlier if the server still
  // has it; resolves with the id of the file it became. Rejects with an AbortError once
  // abort() or terminate() was called, else with the error that ended it (ApiError: the
  // server's refusal, such as a quota; TypeError: the network, after the retries).
  async start(): Promise<number> {
    this.stopped = false;
    let state: State | null = null;
    this.url = this.remembered();
    if (this.url) {
      state = await this.head();
      if (!state) this.remember(null);
    }
    if (!state) {
      await this.create();
      state = { offset: 0, fileId: null };
    }
    let failures = 0;
    for (;;) {
      if (this.stopped) throw cancelled();
      this.onProgress(state.offset);
      if (state.fileId !== null) {
        this.remember(null);
        return state.fileId;
      }
      try {
        state = await this.patch(state.offset);
        failures = 0;
        continue;
      } catch (e) {
        if (this.stopped) throw cancelled();
        const mismatch = e instanceof ApiError && e.code === "OFFSET_MISMATCH";
        if (e instanceof ApiError && e.status === 404) this.remember(null); // expired: a retry starts over
        if (!mismatch && !transient(e)) throw e;
        if (!mismatch) {
          if (failures >= kRetryDelays.length) throw e;
          await sleep(kRetryDelays[failures++]);
        }
      }
      // After an error the server's offset is the truth: only durable bytes count.
      try {
        const now = await this.head();
        if (!now) throw new ApiError(404, "NOT_FOUND", "The upload expired on the server; retry to start it again.");
        state = now;
      } catch (e) {
        if (!transient(e)) throw e;
        // still unreachable: the next PATCH fails too and counts against the retries
      }
    }
  }

  // Stops sending; the server keeps what it has, for a later start() with the same file.
  abort() {
    this.stopped = true;
    this.xhr?.abort();
  }

  // Stops and deletes the upload on the server, and forgets it here.
  async terminate(): Promise<void> {
    this.abort();
    const url = this.url ?? this.remembered();
    this.remember(null);
    if (!url) return;
    try {
      await this.send("DELETE", url);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
}
