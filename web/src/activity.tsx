// The Activity section of the details panel: who did what to a file, or to a folder and the
// items in it (GET /api/v1/nodes/{id}/activity), newest first, with relative times and
// "Show more" for older events (keyset pages).
import { useEffect, useState } from "preact/hooks";
import { api } from "./api";
import { date, displayName } from "./format";
import { ErrorText, useAction } from "./ui";

export interface ActivityEvent {
  id: number;
  at: string;
  actor: { id: number; username: string };
  action: string;
  node_id: number;
  parent_id: number | null;
  name: string;
  detail: Record<string, unknown>;
}

interface ActivityPage {
  items: ActivityEvent[];
  next_cursor: string | null;
}

const kPageSize = 20;

// "just now", "5 minutes ago", "3 days ago"; older than a month: the date.
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  const units: [number, Intl.RelativeTimeFormatUnit][] = [
    [60, "minute"],
    [3600, "hour"],
    [86400, "day"],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (seconds < 3600) return format.format(-Math.round(seconds / 60), units[0][1]);
  if (seconds < 86400) return format.format(-Math.round(seconds / 3600), units[1][1]);
  if (seconds < 30 * 86400) return format.format(-Math.round(seconds / 86400), units[2][1]);
  return date(iso);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

// One line for people: "renamed “a.txt” to “b.txt”". `self` is the node whose panel is open:
// events of its children name the child.
export function describeEvent(e: ActivityEvent, self: number): string {
  const d = e.detail ?? {};
  const what = e.node_id === self ? "" : ` “${displayName(e.name)}”`;
  switch (e.action) {
    case "created":
      return `created folder${what}`;
    case "uploaded":
      return `uploaded${what}`;
    case "new_version":
      return `uploaded a new version${what ? ` of${what}` : ""}`;
    case "renamed":
      return `renamed “${text(d.old_name)}” to “${text(d.new_name)}”`;
    case "moved":
      if (e.node_id === self) return "moved this to another folder";
      return `moved${what} ${e.parent_id === self ? "into this folder" : "elsewhere"}`;
    case "copied":
      return `copied “${text(d.source_name)}”${e.name !== text(d.source_name) ? ` as “${e.name}”` : ""}`;
    case "tagged": {
      const tags = Array.isArray(d.tags) ? (d.tags as string[]) : [];
      return `set the tags${what} to ${tags.length ? tags.join(", ") : "none"}`;
    }
    case "status_changed":
      return `changed the status${what} from ${text(d.from)} to ${text(d.to)}`;
    case "metadata_changed":
      return `changed the metadata${what}`;
    case "deleted":
      return `moved${what} to the trash`;
    case "restored":
      return `restored${what} from the trash`;
    case "version_restored":
      return `restored an older version${what ? ` of${what}` : ""}`;
    case "version_deleted":
      return `deleted an older version${what ? ` of${what}` : ""}`;
    case "shared":
      return `shared${what} with ${text(d.recipient)} (${text(d.permission)})`;
    case "unshared":
      return `stopped sharing${what} with ${text(d.recipient)}`;
    case "link_created":
      return `created a public link${what ? ` to${what}` : ""}${d.password ? " with a password" : ""}`;
    case "link_removed":
      return `removed a public link${what ? ` to${what}` : ""}`;
    default:
      return `${e.action.replace(/_/g, " ")}${what}`;
  }
}

// `refresh` changes when the panel's node changed, so the list reloads with the newest events.
export function Activity(props: { nodeId: number; refresh?: unknown }) {
  const [items, setItems] = useState<ActivityEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const fetchPage = (cursor: string | null) =>
    api<ActivityPage>(
      `/api/v1/nodes/${props.nodeId}/activity?limit=${kPageSize}${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
  const reload = async () => {
    const page = await fetchPage(null);
    setItems(page.items);
    setNext(page.next_cursor);
    setError(null);
  };
  useEffect(() => {
    setItems([]);
    setNext(null);
    reload().catch(setError);
  }, [props.nodeId, props.refresh]);

  const more = useAction(async () => {
    const page = await fetchPage(next);
    setItems([...items, ...page.items]);
    setNext(page.next_cursor);
  });

  return (
    <section aria-labelledby="activity-title" class="activity">
      <div class="activity-head">
        <h3 id="activity-title">Activity</h3>
        <button type="button" class="link" onClick={() => void reload().catch(setError)}>
          Refresh
        </button>
      </div>
      <ErrorText error={error ?? more.error} />
      {items.length === 0 && !error ? <p class="muted">No activity yet.</p> : null}
      <ol class="activity-list">
        {items.map((e) => (
          <li key={e.id} data-action={e.action}>
            <span>
              <strong>{e.actor.username || "a deleted user"}</strong> {describeEvent(e, props.nodeId)}
            </span>
            <time class="muted" dateTime={e.at} title={date(e.at)}>
              {relativeTime(e.at)}
            </time>
          </li>
        ))}
      </ol>
      {next !== null && (
        <button type="button" onClick={() => void more.run()} disabled={more.busy}>
          Show more
        </button>
      )}
    </section>
  );
}
