// Search: the box in the top bar ("/" focuses it) and the results page at /search, whose address
// holds the query and the filters (so results can be bookmarked, and Back returns to them).
// Hits come ranked from GET /api/v1/search, a page at a time (cursor), each with its path and
// a snippet whose matched words are highlighted (rendered as elements, never as HTML).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Node } from "./api";
import { bytes, date, parseBytes, displayName } from "./format";
import { navigate, useQuery } from "./router";
import { Snippet } from "./snippet";
import { Preview } from "./preview";
import { ErrorText } from "./ui";
import "./search.css";

export interface SearchHit extends Node {
  path: string;
  status: "pending" | "active" | "archived" | "error";
  snippet: string;
  score: number;
  // Set for a node in another user's share: the shared node it was found under, and the owner.
  share_root_id?: number;
  owner?: { id: number; username: string };
}

const kPageSize = 20;
// The filters the page offers, as the API names its query parameters.
const kFilters = ["type", "mime", "tag", "status", "modified_after", "modified_before", "size_min", "size_max"] as const;
type Filter = (typeof kFilters)[number];

// The address of a search: the words and the filters that are set.
export function searchHref(q: string, filters: Partial<Record<Filter, string>> = {}): string {
  const params = new URLSearchParams({ q });
  for (const key of kFilters) if (filters[key]) params.set(key, filters[key]!);
  return "/search?" + params.toString();
}

// The search box of the top bar. "/" anywhere outside a text field focuses it, as on many sites.
export function SearchBox() {
  const query = useQuery();
  const onSearchPage = location.pathname === "/search";
  const [q, setQ] = useState(onSearchPage ? (query.get("q") ?? "") : "");
  const input = useRef<HTMLInputElement>(null);
  const current = onSearchPage ? (query.get("q") ?? "") : "";
  useEffect(() => setQ(current), [current]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement;
      if (target.closest("input, textarea, select, [contenteditable], dialog")) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <form
      role="search"
      class="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (!q.trim()) return;
        // A new search from the box keeps the filters of the page it is typed on.
        const filters: Partial<Record<Filter, string>> = {};
        if (onSearchPage) for (const key of kFilters) filters[key] = query.get(key) ?? "";
        navigate(searchHref(q.trim(), filters));
      }}
    >
      <label>
        <span class="visually-hidden">Search files</span>
        <input
          ref={input}
          type="search"
          placeholder="Search (press /)"
          aria-keyshortcuts="/"
          value={q}
          maxLength={1024}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </label>
    </form>
  );
}

// "2024-03-01" from a date input, as the start of that day where the user is, in RFC 3339.
function dayToInstant(day: string): string {
  return day ? new Date(day + "T00:00:00").toISOString() : "";
}
function instantToDay(instant: string | null): string {
  if (!instant) return "";
  const d = new Date(instant);
  if (isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function Filters(props: { query: URLSearchParams }) {
  const { query } = props;
  const [type, setType] = useState(query.get("type") ?? "");
  const [mime, setMime] = useState(query.get("mime") ?? "");
  const [tag, setTag] = useState(query.get("tag") ?? "");
  const [status, setStatus] = useState(query.get("status") ?? "");
  const [after, setAfter] = useState(instantToDay(query.get("modified_after")));
  const [before, setBefore] = useState(instantToDay(query.get("modified_before")));
  const [sizeMin, setSizeMin] = useState(query.get("size_min") ?? "");
  const [sizeMax, setSizeMax] = useState(query.get("size_max") ?? "");
  const [error, setError] = useState<string | null>(null);

  const apply = (e: Event) => {
    e.preventDefault();
    const min = parseBytes(sizeMin);
    const max = parseBytes(sizeMax);
    if (min === undefined || max === undefined) {
      setError("Sizes are a number of bytes or a size such as 500 KiB or 2 MB.");
      return;
    }
    setError(null);
    navigate(
      searchHref(query.get("q") ?? "", {
        type,
        mime: mime.trim(),
        tag: tag.trim(),
        status,
        modified_after: dayToInstant(after),
        modified_before: dayToInstant(before),
        size_min: min === null ? "" : String(min),
        size_max: max === null ? "" : String(max),
      }),
    );
  };
  const clear = () => navigate(searchHref(query.get("q") ?? ""));

  return (
    <form class="search-filters" aria-label="Filters" onSubmit={apply}>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="">Files and folders</option>
          <option value="file">Files</option>
          <option value="folder">Folders</option>
        </select>
      </label>
      <label>
        Kind (MIME type)
        <input list="mime-families" placeholder="image/ or application/pdf" value={mime}
          onInput={(e) => setMime(e.currentTarget.value)} />
        <datalist id="mime-families">
          <option value="image/" />
          <option value="application/pdf" />
          <option value="text/" />
          <option value="audio/" />
          <option value="video/" />
        </datalist>
      </label>
      <label>
        Tag
        <input value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
      </label>
      <label>
        Status
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">Any but archived</option>
          <option value="pending">Pending</option>
          <option value="active">Active</option>
          <option value="archived">Archived</option>
          <option value="error">Error</option>
        </select>
      </label>
      <label>
        Modified from
        <input type="date" value={after} onInput={(e) => setAfter(e.currentTarget.value)} />
      </label>
      <label>
        Modified before
        <input type="date" value={before} onInput={(e) => setBefore(e.currentTarget.value)} />
      </label>
      <label>
        Size at least
        <input placeholder="e.g. 1 MiB" value={sizeMin} onInput={(e) => setSizeMin(e.currentTarget.value)} />
      </label>
      <label>
        Size at most
        <input placeholder="e.g. 50 MiB" value={sizeMax} onInput={(e) => setSizeMax(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" onClick={clear}>
          Clear filters
        </button>
        <button class="primary">Apply filters</button>
      </div>
    </form>
  );
}

// Where a hit lives: its folder, with the hit selected there. A node shared by itself has no
// folder the caller may open: a shared folder opens as itself, a shared file is listed under
// "Shared with me".
function folderHref(hit: SearchHit): string {
  if (hit.share_root_id === hit.id) return hit.type === "folder" ? `/files/${hit.id}` : "/shared";
  return `/files/${hit.parent_id}?select=${hit.id}`;
}

export function SearchPage() {
  const query = useQuery();
  const key = query.toString();
  const q = query.get("q") ?? "";
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [preview, setPreview] = useState<SearchHit | null>(null);
  const generation = useRef(0);

  const load = async (more: boolean) => {
    const gen = more ? generation.current : ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const params = new URLSearchParams();
      for (const [k, v] of query) if (k === "q" || (kFilters as readonly string[]).includes(k)) params.set(k, v);
      params.set("limit", String(kPageSize));
      if (more && cursor) params.set("cursor", cursor);
      const page = await api<{ items: SearchHit[]; next_cursor: string | null }>("/api/v1/search?" + params.toString());
      if (gen !== generation.current) return;
      setHits((old) => (more ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (e) {
      if (gen === generation.current) setError(e);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  };

  useEffect(() => {
    setHits([]);
    setCursor(null);
    if (q.trim()) void load(false);
    else ++generation.current;
  }, [key]);

  const open = (hit: SearchHit) => {
    if (hit.type === "folder") navigate(`/files/${hit.id}`);
    else setPreview(hit);
  };
  const active = kFilters.filter((f) => query.get(f)).length;

  return (
    <section class="page search-page" aria-labelledby="search-title">
      <div class="page-head">
        <h1 id="search-title">{q ? `Results for “${q}”` : "Search"}</h1>
      </div>
      <details class="search-filter-box" open={active > 0}>
        <summary>Filters{active ? ` (${active} set)` : ""}</summary>
        <Filters key={key} query={query} />
      </details>
      {!q.trim() && <p class="muted">Type words to search for in the box at the top (press “/” to get there).</p>}
      <ErrorText error={error} />
      <ol class="hits" aria-label="Results" aria-busy={loading}>
        {hits.map((hit) => (
          <li key={hit.id} class="hit" data-hit={hit.name}>
            <div class="hit-head">
              <span class={"kind " + hit.type} aria-hidden="true" />
              <a
                href={hit.type === "folder" ? `/files/${hit.id}` : folderHref(hit)}
                class="hit-name"
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                  e.preventDefault();
                  e.stopPropagation();
                  open(hit);
                }}
              >
                {displayName(hit.name)}
              </a>
              {hit.status !== "active" && <span class={"badge " + hit.status}>{hit.status}</span>}
            </div>
            <p class="hit-path mono">{hit.path}</p>
            {hit.snippet && (
              <p class="hit-snippet">
                <Snippet html={hit.snippet} />
              </p>
            )}
            <p class="hit-meta muted">
              {hit.type === "file" ? `${bytes(hit.size)} · ` : ""}
              {date(hit.modified)} ·{" "}
              {hit.owner && `shared by ${hit.owner.username} · `}
              <a href={folderHref(hit)} aria-label={`Show in folder: ${hit.name}`}>
                Show in folder
              </a>
            </p>
          </li>
        ))}
      </ol>
      {q.trim() && !loading && !error && hits.length === 0 && <p class="empty">Nothing matches.</p>}
      <p class="status-line" aria-live="polite">
        {loading ? "Searching…" : q.trim() ? `${hits.length}${cursor ? "+" : ""} result${hits.length === 1 && !cursor ? "" : "s"}` : ""}
      </p>
      {cursor && (
        <button type="button" disabled={loading} onClick={() => void load(true)}>
          More results
        </button>
      )}
      {preview && (
        <Preview
          node={preview}
          siblings={hits.filter((h) => h.type === "file")}
          onStep={setPreview}
          onClose={() => setPreview(null)}
          onDetails={(id) => {
            const hit = hits.find((h) => h.id === id);
            setPreview(null);
            if (hit) navigate(folderHref(hit));
          }}
        />
      )}
    </section>
  );
}
