// The file browser: one folder at a time (the user's own, or one shared with them), with
// breadcrumbs, a sortable list that pages through the cursor API as it scrolls and renders only
// the rows in view (folders of 10,000 entries stay fast), multi-select, keyboard navigation,
// drag-and-drop upload and the file actions (sharing and zip downloads among them).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, download, enc, signedUrl, type Node } from "./api";
import { bytes, date, displayName } from "./format";
import { navigate, useQuery } from "./router";
import { ConfirmDialog, PromptDialog, toast, toastError } from "./ui";
import { droppedFiles, pickedFiles, useUploads } from "./upload";
import { FolderPicker } from "./folder_picker";
import { Preview } from "./preview";
import { Details } from "./details";
import { ShareDialog } from "./share";
import { sharedRoots, type SharedItem } from "./shared";
import { downloadZip } from "./zip";
import { subscribeChanges, touchesFolder } from "./changes";
import { Grid, storedView, storeView, type View } from "./grid";

type SortKey = "name" | "modified" | "size";
const kRowHeight = 44;
const kPageSize = 500;
// Changes reported by the feed within this long of each other reload the folder once.
const kChangeSettleMs = 300;

interface Crumb {
  id: number;
  name: string;
}

// Where a folder sits: its ancestors, root first, by following parent_id up to the user's
// root, or up to a folder shared with the user (above which nothing is theirs to see), under
// a "Shared with me" crumb. `shared` is that share, if any: it decides what may be changed.
const kSharedCrumb = -1;

async function loadCrumbs(folderId: number, rootId: number): Promise<{ crumbs: Crumb[]; shared: SharedItem | null }> {
  const crumbs: Crumb[] = [];
  let id: number | null = folderId;
  let shared: SharedItem | null = null;
  let roots: Map<number, SharedItem> | null = null;
  while (id !== null && crumbs.length < 64) {
    if (id === rootId) {
      crumbs.unshift({ id, name: "My files" });
      break;
    }
    const node: Node = await api<Node>(`/api/v1/nodes/${id}`);
    crumbs.unshift({ id: node.id, name: node.name });
    // The user's own folders never need the list of shares; a parent they cannot see does.
    if (node.parent_id !== null && node.parent_id !== rootId) {
      roots ??= await sharedRoots();
      shared = roots.get(node.id) ?? null;
      if (shared) {
        crumbs.unshift({ id: kSharedCrumb, name: "Shared with me" });
        break;
      }
    }
    id = node.parent_id;
  }
  return { crumbs, shared };
}

const crumbHref = (c: Crumb) => (c.id === kSharedCrumb ? "/shared" : `/files/${c.id}`);

export function absolutePath(crumbs: Crumb[]): string {
  return "/" + crumbs.slice(1).map((c) => c.name).join("/");
}

type Dialog =
  | { kind: "new-folder" }
  | { kind: "rename"; node: Node }
  | { kind: "move" | "copy"; nodes: Node[] }
  | { kind: "delete"; nodes: Node[] }
  | { kind: "share"; node: Node }
  | null;

export function FileBrowser(props: { folderId: number; rootId: number; isAdmin: boolean }) {
  const { folderId, rootId } = props;
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const [shared, setShared] = useState<SharedItem | null>(null);
  const [items, setItems] = useState<Node[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [sort, setSort] = useState<SortKey>("name");
  const [order, setOrder] = useState<"asc" | "desc">("asc");
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [active, setActive] = useState(0);
  const [anchor, setAnchor] = useState(0);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [detailsId, setDetailsId] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(600);
  const listRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>(storedView);
  const [gridLast, setGridLast] = useState(0);
  const query = useQuery();
  // ?select=ID (from a search hit): the item to select once its page is loaded.
  const wanted = Number(query.get("select")) || null;
  // ?preview=ID: the file the preview shows. It lives in the address so that Back, Forward, a
  // reload and a shared link all show the file the address names.
  const previewId = Number(query.get("preview")) || null;
  const [previewNode, setPreviewNode] = useState<Node | null>(null);
  const generation = useRef(0);
  const uploads = useUploads();

  const load = async (reset: boolean) => {
    if (loading && !reset) return;
    const gen = reset ? ++generation.current : generation.current;
    setLoading(true);
    setLoadError(null);
    try {
      const query = `sort=${sort}&order=${order}&limit=${kPageSize}` + (!reset && cursor ? `&cursor=${enc(cursor)}` : "");
      const page = await api<{ items: Node[]; next_cursor: string | null }>(`/api/v1/folders/${folderId}/children?${query}`);
      if (gen !== generation.current) return;
      setItems((old) => (reset ? page.items : [...old, ...page.items]));
      setCursor(page.next_cursor);
    } catch (e) {
      if (gen === generation.current) setLoadError(e);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  };
  const reload = () => void load(true);

  useEffect(() => {
    setSelected(new Set());
    setActive(0);
    setAnchor(0);
    setDetailsId(null);
    listRef.current?.scrollTo(0, 0);
    gridRef.current?.scrollTo(0, 0);
    loadCrumbs(folderId, rootId).then(
      (where) => {
        setCrumbs(where.crumbs);
        setShared(where.shared);
      },
      (e) => {
        setLoadError(e);
        setCrumbs([]);
      },
    );
  }, [folderId]);

  useEffect(reload, [folderId, sort, order]);

  useEffect(() => uploads.subscribe((id) => id === folderId && reload()), [folderId, sort, order]);

  // Changes made elsewhere (another tab, a sync client, someone sharing the folder) show up
  // by themselves; a burst of them is one reload.
  useEffect(() => {
    let timer = 0;
    const unsubscribe = subscribeChanges((changes) => {
      if (changes !== null && !changes.some((c) => touchesFolder(c, folderId))) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(reload, kChangeSettleMs);
    });
    return () => {
      window.clearTimeout(timer);
      unsubscribe();
    };
  }, [folderId, sort, order]);

  useEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, [view]);

  // The next page is fetched once the rows in view come near the end of what is loaded.
  const first = Math.max(0, Math.floor(scrollTop / kRowHeight) - 10);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewHeight) / kRowHeight) + 10);
  const lastInView = view === "grid" ? gridLast : last;
  useEffect(() => {
    if (cursor && !loading && lastInView >= items.length - 50) void load(false);
  }, [lastInView, cursor, loading, items.length]);

  // The item a search hit named: selected and brought into view, paging on until it is loaded.
  useEffect(() => {
    if (wanted === null || loading) return;
    const i = items.findIndex((n) => n.id === wanted);
    if (i >= 0) {
      focusRow(i);
      setSelected(new Set([wanted]));
      navigate(`/files/${folderId}`, true);
    } else if (cursor) {
      void load(false);
    }
  }, [wanted, items, loading]);

  // The toolbar and the keys act on the selection only: the active row (where the keyboard
  // is) is not chosen until Space, a click or a Shift-arrow chooses it.
  const target = useMemo(() => items.filter((n) => selected.has(n.id)), [items, selected]);
  const one = target.length === 1 ? target[0] : null;
  // In a folder shared for reading, changes would only meet the server's 403.
  const readOnly = shared?.permission === "read";
  // Only an owner shares: nothing under a folder someone else shared.
  const mine = shared === null;

  // The previewed file from the rows loaded, or asked for when it is not among them (a link
  // to a file further down a long folder).
  useEffect(() => {
    if (previewId === null) return setPreviewNode(null);
    const known = items.find((n) => n.id === previewId);
    if (known) return setPreviewNode(known);
    let live = true;
    api<Node>(`/api/v1/nodes/${previewId}`).then((node) => live && setPreviewNode(node), (e) => live && toastError(e));
    return () => {
      live = false;
    };
  }, [previewId, items]);

  const previewHref = (id: number) => `/files/${folderId}?preview=${id}`;
  const open = (node: Node) => navigate(node.type === "folder" ? `/files/${node.id}` : previewHref(node.id));

  const focusRow = (index: number, extend = false, toggle = false) => {
    if (items.length === 0) return;
    const i = Math.max(0, Math.min(items.length - 1, index));
    setActive(i);
    if (extend) {
      const [a, b] = [Math.min(anchor, i), Math.max(anchor, i)];
      setSelected(new Set(items.slice(a, b + 1).map((n) => n.id)));
    } else if (toggle) {
      const next = new Set(selected);
      if (next.has(items[i].id)) next.delete(items[i].id);
      else next.add(items[i].id);
      setSelected(next);
      setAnchor(i);
    } else {
      setAnchor(i);
    }
    // The grid keeps its active tile in view itself.
    const el = listRef.current;
    if (!el) return;
    const top = i * kRowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + kRowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + kRowHeight - el.clientHeight;
  };

  // A click on row or tile i: Shift extends the selection, Ctrl toggles, else it is the one.
  const pick = (i: number, e: MouseEvent) => {
    if (e.shiftKey) focusRow(i, true);
    else if (e.ctrlKey || e.metaKey) focusRow(i, false, true);
    else {
      focusRow(i);
      setSelected(new Set([items[i].id]));
      if (detailsId !== null) setDetailsId(items[i].id);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(viewHeight / kRowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => focusRow(active + 1, e.shiftKey),
      ArrowUp: () => focusRow(active - 1, e.shiftKey),
      PageDown: () => focusRow(active + page, e.shiftKey),
      PageUp: () => focusRow(active - page, e.shiftKey),
      Home: () => focusRow(0, e.shiftKey),
      End: () => focusRow(items.length - 1, e.shiftKey),
      " ": () => focusRow(active, false, true),
      Enter: () => items[active] && open(items[active]),
      Backspace: () => crumbs.length > 1 && navigate(crumbHref(crumbs[crumbs.length - 2])),
      Delete: () => !readOnly && target.length && setDialog({ kind: "delete", nodes: target }),
      F2: () => !readOnly && one && setDialog({ kind: "rename", node: one }),
      Escape: () => setSelected(new Set()),
      s: () => mine && one && setDialog({ kind: "share", node: one }),
    };
    if (e.ctrlKey || e.metaKey || e.altKey) {
      if (e.key !== "a") return;
      e.preventDefault();
      setSelected(new Set(items.map((n) => n.id)));
      return;
    }
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  // One file downloads as itself; folders and selections of several as one zip.
  const downloadNodes = async (nodes: Node[]) => {
    if (nodes.length === 1 && nodes[0].type === "file") {
      download(await signedUrl(nodes[0].id, "attachment"), nodes[0].name);
      return;
    }
    toast("Preparing the zip…");
    await downloadZip(nodes);
  };

  const setSortKey = (key: SortKey) => {
    if (key === sort) setOrder(order === "asc" ? "desc" : "asc");
    else {
      setSort(key);
      setOrder("asc");
    }
  };

  const header = (key: SortKey, label: string) => (
    <span role="columnheader" class={"col-" + key} aria-sort={sort === key ? (order === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" class="sort" onClick={() => setSortKey(key)}>
        {label}
        {sort === key ? (order === "asc" ? " ▲" : " ▼") : ""}
      </button>
    </span>
  );

  const folderPath = absolutePath(crumbs);
  const gridLabel = crumbs.length ? `Contents of ${crumbs[crumbs.length - 1].name}` : "Contents";
  const notes = (
    <>
      {!loading && !loadError && items.length === 0 && (
        <p class="empty">This folder is empty. Drop files here or use “Upload files”.</p>
      )}
      {loadError !== null && (
        <p class="error" role="alert">
          {String((loadError as Error).message ?? loadError)} <button type="button" onClick={reload}>Try again</button>
        </p>
      )}
    </>
  );
  return (
    <section
      class={"browser" + (dragging ? " dragging" : "")}
      aria-label="Files"
      onDragOver={(e) => {
        if (!readOnly && e.dataTransfer?.types.includes("Files")) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as globalThis.Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (e.dataTransfer && crumbs.length) {
          droppedFiles(e.dataTransfer).then((files) => uploads.add(folderId, folderPath, files), toastError);
        }
      }}
    >
      <nav class="crumbs" aria-label="Folder path">
        <ol>
          {crumbs.map((c, i) => (
            <li key={c.id}>
              {i === crumbs.length - 1 ? (
                <h1 aria-current="page">{displayName(c.name)}</h1>
              ) : (
                <a href={crumbHref(c)}>{displayName(c.name)}</a>
              )}
            </li>
          ))}
        </ol>
      </nav>

      <div class={"toolbar" + (target.length ? " has-selection" : "")} role="toolbar" aria-label="File actions">
        {readOnly ? (
          <p class="muted read-only">Shared with you to view: you cannot change this folder.</p>
        ) : (
          <>
            <label class="button primary create">
              Upload files
              <input type="file" multiple class="visually-hidden" onChange={(e) => {
                const input = e.currentTarget;
                if (input.files?.length) uploads.add(folderId, folderPath, pickedFiles(input.files));
                input.value = "";
              }} />
            </label>
            <label class="button create">
              Upload folder
              <input type="file" multiple class="visually-hidden" {...{ webkitdirectory: true }} onChange={(e) => {
                const input = e.currentTarget;
                if (input.files?.length) uploads.add(folderId, folderPath, pickedFiles(input.files));
                input.value = "";
              }} />
            </label>
            <button type="button" class="create" onClick={() => setDialog({ kind: "new-folder" })}>
              New folder
            </button>
          </>
        )}
        <span class="separator" />
        <button type="button" disabled={!target.length} onClick={() => void downloadNodes(target).catch(toastError)}>
          Download
        </button>
        <button type="button" disabled={!target.length} onClick={() => void downloadZip(target).catch(toastError)}>
          Download as zip
        </button>
        <button type="button" disabled={!one || !mine} title={mine ? undefined : "Only the owner can share"}
          onClick={() => one && setDialog({ kind: "share", node: one })} aria-keyshortcuts="S">
          Share
        </button>
        <button type="button" disabled={!one || readOnly} onClick={() => one && setDialog({ kind: "rename", node: one })}>
          Rename
        </button>
        <button type="button" disabled={!target.length || readOnly} onClick={() => setDialog({ kind: "move", nodes: target })}>
          Move
        </button>
        <button type="button" disabled={!target.length} onClick={() => setDialog({ kind: "copy", nodes: target })}>
          Copy
        </button>
        <button type="button" class="danger" disabled={!target.length || readOnly} onClick={() => setDialog({ kind: "delete", nodes: target })}>
          Delete
        </button>
        {/* Open details can be closed here whatever is selected. */}
        <button type="button" disabled={!one && detailsId === null} aria-pressed={detailsId !== null}
          onClick={() => setDetailsId(detailsId === null && one ? one.id : null)}>
          Details
        </button>
        <span class="separator" />
        <span class="view-toggle" role="group" aria-label="View">
          {(["list", "grid"] as const).map((v) => (
            <button key={v} type="button" aria-pressed={view === v} onClick={() => {
              setView(v);
              storeView(v);
            }}>
              {v === "list" ? "List" : "Grid"}
            </button>
          ))}
        </span>
      </div>

      <div class="browser-body">
        {view === "grid" ? (
          <Grid
            items={items}
            selected={selected}
            active={active}
            label={gridLabel}
            gridRef={gridRef}
            onPick={pick}
            onToggle={(i) => focusRow(i, false, true)}
            onOpen={open}
            onMove={(i, extend) => focusRow(i, extend)}
            onKeyDown={onKeyDown}
            onRange={setGridLast}
          >
            {notes}
          </Grid>
        ) : (
        <div
          class="list"
          role="grid"
          aria-label={gridLabel}
          aria-multiselectable="true"
          aria-rowcount={items.length + 1}
          aria-activedescendant={items[active] ? `row-${items[active].id}` : undefined}
          tabIndex={0}
          ref={listRef}
          onKeyDown={onKeyDown}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        >
          <div role="row" class="row head" aria-rowindex={1}>
            <span role="columnheader" class="col-check">
              <input
                type="checkbox"
                aria-label="Select all"
                checked={items.length > 0 && selected.size === items.length}
                onChange={(e) => setSelected(e.currentTarget.checked ? new Set(items.map((n) => n.id)) : new Set())}
              />
            </span>
            {header("name", "Name")}
            {header("size", "Size")}
            {header("modified", "Modified")}
          </div>
          <div class="rows" style={{ height: `${items.length * kRowHeight}px` }}>
            {items.slice(first, last).map((node, k) => {
              const i = first + k;
              const isSelected = selected.has(node.id);
              return (
                <div
                  key={node.id}
                  id={`row-${node.id}`}
                  role="row"
                  aria-rowindex={i + 2}
                  aria-selected={isSelected}
                  class={"row" + (i === active ? " active" : "") + (isSelected ? " selected" : "")}
                  style={{ top: `${i * kRowHeight}px` }}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("input,a")) return;
                    pick(i, e);
                  }}
                  onDblClick={() => open(node)}
                >
                  <span role="gridcell" class="col-check">
                    <input
                      type="checkbox"
                      tabIndex={-1}
                      aria-label={`Select ${displayName(node.name)}`}
                      checked={isSelected}
                      onChange={() => focusRow(i, false, true)}
                    />
                  </span>
                  <span role="gridcell" class="col-name">
                    <span class={"kind " + node.type} aria-hidden="true" />
                    <a
                      href={node.type === "folder" ? `/files/${node.id}` : "#"}
                      tabIndex={-1}
                      onClick={(e) => {
                        e.preventDefault();
                        e.stopPropagation();
                        open(node);
                      }}
                    >
                      {displayName(node.name)}
                    </a>
                  </span>
                  <span role="gridcell" class="col-size">
                    {node.type === "file" ? bytes(node.size) : ""}
                  </span>
                  <span role="gridcell" class="col-modified">
                    {date(node.modified)}
                  </span>
                </div>
              );
            })}
          </div>
          {notes}
        </div>
        )}
        {detailsId !== null && (
          <Details id={detailsId} onClose={() => setDetailsId(null)} onChanged={reload} />
        )}
      </div>
      <p class="status-line" aria-live="polite">
        {items.length}
        {cursor ? "+" : ""} {items.length === 1 && !cursor ? "item" : "items"}
        {selected.size ? ` · ${selected.size} selected` : ""}
        {loading ? " · loading…" : ""}
      </p>
      {dragging && <div class="drop-hint" aria-hidden="true">Drop to upload into “{displayName(crumbs[crumbs.length - 1]?.name ?? "")}”</div>}

      {dialog?.kind === "new-folder" && (
        <PromptDialog
          title="New folder"
          label="Folder name"
          submit="Create"
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await api("/api/v1/folders", { method: "POST", body: { parent_id: folderId, name } });
            reload();
          }}
        />
      )}
      {dialog?.kind === "rename" && (
        <PromptDialog
          title={`Rename “${displayName(dialog.node.name)}”`}
          label="New name"
          initial={dialog.node.name}
          submit="Rename"
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await api(`/api/v1/nodes/${dialog.node.id}`, { method: "PATCH", body: { name } });
            reload();
          }}
        />
      )}
      {(dialog?.kind === "move" || dialog?.kind === "copy") && (
        <FolderPicker
          title={`${dialog.kind === "move" ? "Move" : "Copy"} ${dialog.nodes.length === 1 ? `“${displayName(dialog.nodes[0].name)}”` : `${dialog.nodes.length} items`}`}
          action={dialog.kind === "move" ? "Move here" : "Copy here"}
          startId={folderId}
          rootId={rootId}
          exclude={new Set(dialog.nodes.map((n) => n.id))}
          onClose={() => setDialog(null)}
          onPick={async (parentId) => {
            for (const node of dialog.nodes) {
              if (dialog.kind === "move") {
                await api(`/api/v1/nodes/${node.id}`, { method: "PATCH", body: { parent_id: parentId } });
              } else {
                await api(`/api/v1/nodes/${node.id}/copy`, { method: "POST", body: { parent_id: parentId } });
              }
            }
            toast(`${dialog.kind === "move" ? "Moved" : "Copied"} ${dialog.nodes.length} item${dialog.nodes.length > 1 ? "s" : ""}.`);
            setSelected(new Set());
            reload();
          }}
        />
      )}
      {dialog?.kind === "delete" && (
        <ConfirmDialog
          title="Move to trash"
          text={
            dialog.nodes.length === 1
              ? `Move “${displayName(dialog.nodes[0].name)}” to the trash? You can restore it from there.`
              : `Move ${dialog.nodes.length} items to the trash? You can restore them from there.`
          }
          confirm="Move to trash"
          danger
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            for (const node of dialog.nodes) await api(`/api/v1/nodes/${node.id}`, { method: "DELETE" });
            setSelected(new Set());
            setDetailsId(null);
            reload();
          }}
        />
      )}
      {dialog?.kind === "share" && (
        <ShareDialog node={dialog.node} isAdmin={props.isAdmin} onClose={() => setDialog(null)} />
      )}
      {previewNode && previewNode.id === previewId && previewNode.type === "file" && (
        <Preview
          node={previewNode}
          siblings={items.filter((n) => n.type === "file")}
          onStep={(node) => navigate(previewHref(node.id))}
          onClose={() => navigate(`/files/${folderId}`)}
          onDetails={(id) => {
            navigate(`/files/${folderId}`);
            setDetailsId(id);
          }}
        />
      )}
    </section>
  );
}
