// Follows the change feed (GET /api/v1/changes, docs/api.md "Change feed") for whatever view
// is open: one long poll for the whole app while anybody listens, none otherwise.
import { api, ApiError } from "./api";

export interface Change {
  id: number;
  type: "created" | "updated" | "moved" | "deleted" | "shared" | "unshared";
  action: string;
  node_id: number;
  parent_id: number | null;
  name: string;
  detail: { from_parent_id?: number; to_parent_id?: number };
}

interface ChangePage {
  items: Change[];
  cursor: string;
}

// Called with the changes of each answer, or with null when some may have been missed (the
// cursor expired): then everything shown should be listed again.
type Listener = (changes: Change[] | null) => void;

const listeners = new Set<Listener>();
let running: AbortController | null = null;

const kWaitSeconds = 25;
const kRetryMs = 5000;

function tell(changes: Change[] | null) {
  for (const listener of [...listeners]) listener(changes);
}

async function follow(stop: AbortSignal) {
  let cursor: string | null = null;
  while (!stop.aborted) {
    try {
      if (cursor === null) {
        cursor = (await api<{ cursor: string }>("/api/v1/changes", { signal: stop })).cursor;
        continue;
      }
      const page: ChangePage = await api<ChangePage>(
        `/api/v1/changes?cursor=${encodeURIComponent(cursor)}&wait=${kWaitSeconds}`,
        { signal: stop },
      );
      cursor = page.cursor;
      if (page.items.length) tell(page.items);
    } catch (e) {
      if (stop.aborted) return;
      if (e instanceof ApiError && e.status === 410) {
        cursor = null;
        tell(null);
        continue;
      }
      // The server restarting, the network gone: try again in a while, quietly.
      await new Promise((resolve) => window.setTimeout(resolve, kRetryMs));
    }
  }
}

// Calls `listener` with every change until the returned function is called.
export function subscribeChanges(listener: Listener): () => void {
  listeners.add(listener);
  if (!running) {
    running = new AbortController();
    void follow(running.signal);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && running) {
      running.abort();
      running = null;
    }
  };
}

// Whether `change` touched what folder `folderId` lists.
export function touchesFolder(change: Change, folderId: number): boolean {
  return (
    change.parent_id === folderId ||
    change.node_id === folderId ||
    change.detail?.from_parent_id === folderId ||
    change.detail?.to_parent_id === folderId
  );
}
