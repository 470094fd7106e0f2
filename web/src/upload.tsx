// Uploads: a queue of files (from the picker, a folder picker or drag and drop), sent three
// requests at a time: small files of one folder together as one form (stored by the server in
// one commit group: a folder of photos or documents costs a request per hundred files, not one
// each), other files as raw PUT bodies, or through tus in chunks when they are large (tus.ts:
// resumable after a failure or a reload); with per-file and overall progress, speed, time
// left, cancel and retry. Folders in a dropped tree are created as needed. A name already taken
// in the folder is asked about first (upload_conflicts.tsx). The tray closes by itself once a
// batch is over without a failure. XMLHttpRequest, because fetch has no upload progress.
import type { ComponentChildren } from "preact";
import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, authHeader, describe, enc, refresh, type Node } from "./api";
import { bytes, duration } from "./format";
import { errorFromXhr, kResumableThreshold, TusUpload } from "./tus";
import { toastError } from "./ui";
import { ConflictDialog, resolveConflicts, takenNames, type Choice, type Question } from "./upload_conflicts";

export interface PickedFile {
  file: File;
  path: string; // relative, "a/b/name.txt" for files inside dropped folders
}

type State = "queued" | "uploading" | "done" | "failed" | "cancelled";

interface Item {
  id: number;
  file: File;
  path: string;
  folderId: number;
  folderPath: string; // absolute path of folderId, for resolving existing sub-folders
  state: State;
  sent: number;
  speed: number; // bytes per second, smoothed
  error?: string;
  xhr?: XMLHttpRequest; // shared by the files of one form
  tus?: TusUpload; // a large file's resumable upload
}

interface Uploads {
  add(folderId: number, folderPath: string, files: PickedFile[]): void;
  // Called with the folder id whenever an upload finished in it (or a folder was created).
  subscribe(listener: (folderId: number) => void): () => void;
}

const Context = createContext<Uploads>(null as unknown as Uploads);
export const useUploads = () => useContext(Context);

const kParallel = 3;
// How long the summary of a batch that went up without a failure stays before the tray closes.
const kCloseAfterMs = 5000;

// Which files go up together in one form (POST /api/v1/folders/{id}/files).
const kFormFileMax = 256 * 1024;
const kFormFiles = 100;
const kFormBytes = 8 * 1024 * 1024;
// Browsers escape '"', CR and LF in a form's file names (as %22, %0D, %0A), which a name may
// hold literally too: such names (and those with a '%' or '\\') go as a PUT of their own.
const formSafe = (path: string) => !/["\r\n%\\]/.test(path);
const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")));
const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);

// Folder ids by "parentId/name", so a tree of many files creates each folder once.
const folderCache = new Map<string, Promise<number>>();

async function ensureFolder(parentId: number, parentPath: string, name: string): Promise<number> {
  const key = `${parentId}/${name}`;
  let pending = folderCache.get(key);
  if (!pending) {
    pending = (async () => {
      try {
        const node = await api<Node>("/api/v1/folders", { method: "POST", body: { parent_id: parentId, name } });
        return node.id;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === "NAME_CONFLICT")) throw e;
        const path = (parentPath === "/" ? "" : parentPath) + "/" + name;
        const node = await api<Node>("/api/v1/nodes?path=" + enc(path));
        if (node.type !== "folder") throw new ApiError(409, "NAME_CONFLICT", `“${name}” exists and is not a folder`);
        return node.id;
      }
    })();
    folderCache.set(key, pending);
    pending.catch(() => folderCache.delete(key));
  }
  return pending;
}

function put(item: Item, folderId: number, name: string, onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    item.xhr = xhr;
    xhr.open("PUT", `/api/v1/folders/${folderId}/files/${enc(name)}`);
    xhr.setRequestHeader("Authorization", authHeader());
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      reject(errorFromXhr(xhr));
    };
    xhr.onerror = () => reject(new TypeError("network error"));
    xhr.onabort = () => reject(new DOMException("cancelled", "AbortError"));
    xhr.send(item.file);
  });
}

// Sends `items` (files of one folder) as one form. Resolves with each file's error, or
// undefined for those stored (the server answers 201, or 207 with a result per file in order).
function postForm(items: Item[], folderId: number, onProgress: (sent: number) => void): Promise<(string | undefined)[]> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const item of items) form.append("file", item.file, nameOf(item.path));
    const xhr = new XMLHttpRequest();
    for (const item of items) item.xhr = xhr;
    xhr.open("POST", `/api/v1/folders/${folderId}/files`);
    xhr.setRequestHeader("Authorization", authHeader());
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status === 201) return resolve(items.map(() => undefined));
      if (xhr.status !== 207) return reject(errorFromXhr(xhr));
      try {
        const results: { status: number; error?: { message: string } }[] = JSON.parse(xhr.responseText).results;
        resolve(items.map((_, i) => (results[i]?.status === 201 ? undefined : (results[i]?.error?.message ?? "not stored"))));
      } catch {
        reject(errorFromXhr(xhr));
      }
    };
    xhr.onerror = () => reject(new TypeError("network error"));
    xhr.onabort = () => reject(new DOMException("cancelled", "AbortError"));
    xhr.send(form);
  });
}

export function UploadProvider(props: { children: ComponentChildren }) {
  const [items, setItems] = useState<Item[]>([]);
  const [collapsed, setCollapsed] = useState(false);
  const listeners = useRef(new Set<(folderId: number) => void>());
  const itemsRef = useRef<Item[]>([]);
  const nextId = useRef(1);
  const started = useRef(0); // when the current batch began, for the overall speed
  const inFlight = useRef(0); // requests (a file, or a form of files) under way
  // Batches wait for each other's questions about taken names, so the dialogs come one by one.
  const adding = useRef(Promise.resolve());
  const [question, setQuestion] = useState<Question | null>(null);
  const ask = (q: Omit<Question, "answer">) =>
    new Promise<[Choice, boolean]>((resolve) =>
      setQuestion({
        ...q,
        answer: (choice, toAll) => {
          setQuestion(null);
          resolve([choice, toAll]);
        },
      }),
    );

  const update = () => setItems([...itemsRef.current]);

  // Uploads one file, or several small files of one folder as one form.
  const run = async (group: Item[]) => {
    const [item] = group;
    for (const i of group) {
      i.state = "uploading";
      i.sent = 0;
      i.error = undefined;
    }
    update();
    try {
      const parts = item.path.split("/");
      const name = parts.pop()!;
      let folderId = item.folderId;
      let folderPath = item.folderPath;
      for (const part of parts) {
        folderId = await ensureFolder(folderId, folderPath, part);
        folderPath = (folderPath === "/" ? "" : folderPath) + "/" + part;
        listeners.current.forEach((l) => l(item.folderId));
      }
      if (group.every((i) => i.state !== "uploading")) return;
      group = group.filter((i) => i.state === "uploading");
      let last = performance.now();
      let lastSent = -1;
      const progress = (sent: number) => {
        const now = performance.now();
        // A resumed upload starts where the server stands: speed counts from there.
        if (lastSent < 0) {
          lastSent = sent;
          last = now;
        }
        const dt = (now - last) / 1000;
        if (dt > 0.2) {
          const rate = (sent - lastSent) / dt;
          item.speed = item.speed ? item.speed * 0.7 + rate * 0.3 : rate;
          last = now;
          lastSent = sent;
        }
        // A form's bytes fill its files in order (its part headers counted as file bytes).
        let left = sent;
        for (const i of group) {
          i.sent = Math.min(i.file.size, left);
          left -= i.sent;
        }
        update();
      };
      const send = async () => {
        if (group.length > 1) return postForm(group, folderId, progress);
        if (item.file.size >= kResumableThreshold) {
          item.tus = new TusUpload(item.file, folderId, name, progress);
          await item.tus.start();
        } else {
          await put(item, folderId, name, progress);
        }
        return [undefined];
      };
      let errors: (string | undefined)[];
      try {
        errors = await send();
      } catch (e) {
        // An access token that expired mid-queue: refresh once and send again.
        if (!(e instanceof ApiError && e.status === 401 && (await refresh()))) throw e;
        errors = await send();
      }
      group.forEach((i, n) => {
        i.state = errors[n] === undefined ? "done" : "failed";
        i.error = errors[n];
        i.sent = errors[n] === undefined ? i.file.size : 0;
      });
      listeners.current.forEach((l) => l(folderId));
    } catch (e) {
      for (const i of group) {
        if (i.state !== "uploading") continue;
        i.state = e instanceof DOMException && e.name === "AbortError" ? "cancelled" : "failed";
        i.error = i.state === "failed" ? describe(e) : undefined;
      }
    }
    for (const i of group) {
      i.xhr = undefined;
      i.tus = undefined;
    }
    // When the batch is over and nothing failed, fold the list away; the summary stays.
    if (itemsRef.current.every((i) => i.state === "done" || i.state === "cancelled")) setCollapsed(true);
    update();
  };

  // The next queued file, with the small files of its folder queued after it when it is one.
  const nextGroup = (queued: Item[]): Item[] => {
    const [first] = queued;
    const small = (i: Item) => i.file.size <= kFormFileMax && formSafe(i.path);
    if (!small(first)) return [first];
    const group = [first];
    let bytes = first.file.size;
    for (const i of queued.slice(1)) {
      if (group.length >= kFormFiles) break;
      if (!small(i) || i.folderId !== first.folderId || folderOf(i.path) !== folderOf(first.path)) continue;
      if (group.some((g) => g.path === i.path) || bytes + i.file.size > kFormBytes) continue;
      group.push(i);
      bytes += i.file.size;
    }
    return group;
  };

  const pump = () => {
    while (inFlight.current < kParallel) {
      const queued = itemsRef.current.filter((i) => i.state === "queued");
      if (queued.length === 0) break;
      const group = nextGroup(queued);
      for (const i of group) i.state = "uploading"; // taken: the next group is another
      inFlight.current++;
      void run(group).finally(() => {
        inFlight.current--;
        pump();
      });
    }
  };

  const enqueue = (folderId: number, folderPath: string, files: PickedFile[]) => {
    if (!itemsRef.current.some((i) => i.state === "uploading" || i.state === "queued")) {
      itemsRef.current = itemsRef.current.filter((i) => i.state !== "done");
      started.current = performance.now();
    }
    for (const f of files) {
      itemsRef.current.push({
        id: nextId.current++,
        file: f.file,
        path: f.path,
        folderId,
        folderPath,
        state: "queued",
        sent: 0,
        speed: 0,
      });
    }
    setCollapsed(false);
    update();
    pump();
  };

  const api_: Uploads = {
    // Files whose name is taken in the folder are asked about first (upload_conflicts.tsx).
    add(folderId, folderPath, files) {
      adding.current = adding.current
        .then(async () => {
          let chosen = files;
          if (files.some((f) => !f.path.includes("/"))) {
            const folder = folderPath === "/" ? "My files" : folderPath.slice(folderPath.lastIndexOf("/") + 1);
            chosen = await resolveConflicts(files, await takenNames(folderId), folder, ask);
          }
          if (chosen.length) enqueue(folderId, folderPath, chosen);
        })
        .catch(toastError);
    },
    subscribe(listener) {
      listeners.current.add(listener);
      return () => void listeners.current.delete(listener);
    },
  };
  // Everything api_ touches is a ref or a state setter, so the first one stays valid.
  const value = useRef(api_);

  const cancel = (item: Item) => {
    const wasRunning = item.state === "uploading";
    item.state = "cancelled";
    // The other files of its form go back to the queue, to go up without it.
    for (const other of itemsRef.current) {
      if (other !== item && item.xhr && other.xhr === item.xhr && other.state === "uploading") other.state = "queued";
    }
    item.xhr?.abort();
    // Deletes the resumable upload on the server; should that fail, it expires there anyway.
    item.tus?.terminate().catch(() => {});
    update();
    if (wasRunning) pump();
  };
  const retry = (item: Item) => {
    item.state = "queued";
    item.sent = 0;
    item.speed = 0;
    update();
    pump();
  };

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (itemsRef.current.some((i) => i.state === "uploading" || i.state === "queued")) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  const close = () => {
    itemsRef.current = [];
    update();
  };

  const live = items.filter((i) => i.state !== "cancelled");
  const total = live.reduce((n, i) => n + i.file.size, 0);
  const sent = live.reduce((n, i) => n + (i.state === "done" ? i.file.size : i.sent), 0);
  const running = items.filter((i) => i.state === "uploading");
  const speed = running.reduce((n, i) => n + i.speed, 0);
  const pending = items.some((i) => i.state === "uploading" || i.state === "queued");
  const done = items.filter((i) => i.state === "done").length;
  const failed = items.filter((i) => i.state === "failed").length;

  // A batch that is over without a failure has nothing left to say: the tray closes after a
  // moment, unless the keyboard is in it. A failure keeps it open until it is closed.
  const tray = useRef<HTMLElement>(null);
  useEffect(() => {
    if (items.length === 0 || pending || failed > 0) return;
    const timer = window.setTimeout(() => {
      if (!tray.current?.contains(document.activeElement)) close();
    }, kCloseAfterMs);
    return () => window.clearTimeout(timer);
  }, [items.length, pending, failed]);

  return (
    <Context.Provider value={value.current}>
      {props.children}
      {question && <ConflictDialog key={`${question.name}/${question.remaining}`} question={question} />}
      {items.length > 0 && (
        <section class="uploads" aria-label="Uploads" ref={tray}>
          <header>
            <h2 id="uploads-title">
              {pending ? `Uploading ${done} of ${live.length}` : `${done} uploaded` + (failed ? `, ${failed} failed` : "")}
            </h2>
            <button type="button" class="link" aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)}>
              {collapsed ? "Show" : "Hide"}
            </button>
            {!pending && (
              <button type="button" class="link" onClick={close}>
                Close
              </button>
            )}
          </header>
          <progress class="overall" max={total || 1} value={sent} aria-labelledby="uploads-title" />
          <p class="meta" aria-live="off">
            {bytes(sent)} of {bytes(total)}
            {pending && speed > 0 && ` · ${bytes(speed)}/s · ${duration((total - sent) / speed)} left`}
          </p>
          {!collapsed && (
            <ul>
              {items.map((item) => (
                <li key={item.id} class={"upload " + item.state} data-state={item.state}>
                  <span class="name" title={item.path}>
                    {item.path}
                  </span>
                  <progress max={item.file.size || 1} value={item.state === "done" ? item.file.size : item.sent}
                    aria-label={`Progress of ${item.path}`} />
                  <span class="meta">
                    {item.state === "uploading" &&
                      `${bytes(item.sent)} / ${bytes(item.file.size)}` +
                        (item.speed > 0 ? ` · ${bytes(item.speed)}/s · ${duration((item.file.size - item.sent) / item.speed)} left` : "")}
                    {item.state === "queued" && "Waiting"}
                    {item.state === "done" && "Done"}
                    {item.state === "cancelled" && "Cancelled"}
                    {item.state === "failed" && <span class="error">{item.error}</span>}
                  </span>
                  {(item.state === "uploading" || item.state === "queued") && (
                    <button type="button" onClick={() => cancel(item)} aria-label={`Cancel ${item.path}`}>
                      Cancel
                    </button>
                  )}
                  {(item.state === "failed" || item.state === "cancelled") && (
                    <button type="button" onClick={() => retry(item)} aria-label={`Retry ${item.path}`}>
                      Retry
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </Context.Provider>
  );
}

// Files from a drop: folders are walked (webkitGetAsEntry) so their files keep their paths.
export async function droppedFiles(data: DataTransfer): Promise<PickedFile[]> {
  const entries = [...data.items]
    .map((item) => (item.kind === "file" ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return [...data.files].map((file) => ({ file, path: file.name }));
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ file, path: prefix + entry.name });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns at most 100 entries a call: read until it returns none.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, prefix + entry.name + "/");
      }
    }
  };
  for (const entry of entries) await walk(entry, "");
  return out;
}

export function pickedFiles(list: FileList): PickedFile[] {
  return [...list].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
