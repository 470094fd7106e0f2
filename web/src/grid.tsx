// The file browser's grid view: tiles with thumbnails, in rows sized to the width of the pane.
// Like the list it renders only the rows in view (folders of 10,000 entries stay fast), and a
// tile asks for its thumbnail only once it is actually visible (IntersectionObserver), so
// scrolling past a thousand photos fetches none of them. Selection, opening and the keys other
// than the arrows stay the browser's (files.tsx); the arrows move by tile and by row here.
import type { ComponentChildren, RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Node } from "./api";
import { bytes, displayName } from "./format";
import { fetchThumbnail, hasThumbnail } from "./thumbnail";
import "./grid.css";

const kTileWidth = 168;
const kTileHeight = 196;
const kOverscanRows = 2;

export type View = "list" | "grid";
const kViewKey = "coffer.view";

// The view the user picked last, in this browser.
export function storedView(): View {
  try {
    return localStorage.getItem(kViewKey) === "grid" ? "grid" : "list";
  } catch {
    return "list";
  }
}
export function storeView(view: View) {
  try {
    localStorage.setItem(kViewKey, view);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}

// The file's extension, for the icon of a file without a thumbnail.
function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 && name.length - dot <= 6 ? name.slice(dot + 1).toUpperCase() : "";
}

function Thumb(props: { node: Node; root: RefObject<HTMLElement> }) {
  const { node } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const [src, setSrc] = useState<string | null>(null);
  const wanted = hasThumbnail(node);

  useEffect(() => {
    if (!wanted) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setVisible(true);
          observer.disconnect();
        }
      },
      { root: props.root.current, rootMargin: "64px" },
    );
    observer.observe(ref.current!);
    return () => observer.disconnect();
  }, [node.id]);

  useEffect(() => {
    if (!visible) return;
    const controller = new AbortController();
    let url: string | null = null;
    fetchThumbnail(node, "small", controller.signal).then(
      (made) => {
        if (controller.signal.aborted) {
          if (made) URL.revokeObjectURL(made);
          return;
        }
        url = made;
        setSrc(made);
      },
      () => {}, // no thumbnail: the icon stays
    );
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
      setSrc(null);
    };
  }, [visible, node.id, node.sha256]);

  return (
    <div ref={ref} class="thumb" aria-hidden="true">
      {src ? (
        <img src={src} alt="" draggable={false} />
      ) : (
        <span class={"icon " + node.type}>{node.type === "file" ? extension(node.name) : ""}</span>
      )}
    </div>
  );
}

export function Grid(props: {
  items: Node[];
  selected: Set<number>;
  active: number;
  label: string;
  gridRef: RefObject<HTMLDivElement>;
  // A click on tile i, with its modifier keys (select, extend, toggle).
  onPick: (i: number, e: MouseEvent) => void;
  onToggle: (i: number) => void;
  onOpen: (node: Node) => void;
  // Moves the focus to tile i (extending the selection with Shift).
  onMove: (i: number, extend: boolean) => void;
  // Keys the grid leaves to the browser: Enter, Space, Delete, Home, End…
  onKeyDown: (e: KeyboardEvent) => void;
  // The last tile in view, so the browser can fetch the next page in time.
  onRange: (last: number) => void;
  children?: ComponentChildren;
}) {
  const { items, active, gridRef } = props;
  const [width, setWidth] = useState(800);
  const [height, setHeight] = useState(600);
  const [scrollTop, setScrollTop] = useState(0);

  useEffect(() => {
    const el = gridRef.current!;
    const observer = new ResizeObserver(() => {
      setWidth(el.clientWidth);
      setHeight(el.clientHeight);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const columns = Math.max(1, Math.floor((width - 16) / kTileWidth));
  const rowCount = Math.ceil(items.length / columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / kTileHeight) - kOverscanRows);
  const lastRow = Math.min(rowCount, Math.ceil((scrollTop + height) / kTileHeight) + kOverscanRows);
  const lastIndex = Math.min(items.length, lastRow * columns);
  useEffect(() => props.onRange(lastIndex), [lastIndex]);

  // The active tile stays in view as the keys move it.
  useEffect(() => {
    const el = gridRef.current;
    if (!el || !items.length) return;
    const top = Math.floor(active / columns) * kTileHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + kTileHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + kTileHeight - el.clientHeight;
  }, [active, columns]);

  const onKeyDown = (e: KeyboardEvent) => {
    const by: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    if (e.key in by && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      props.onMove(Math.max(0, Math.min(items.length - 1, active + by[e.key])), e.shiftKey);
      return;
    }
    props.onKeyDown(e);
  };

  const rows = [];
  for (let r = firstRow; r < lastRow; r++) {
    const tiles = items.slice(r * columns, (r + 1) * columns);
    rows.push(
      <div key={r} role="row" aria-rowindex={r + 1} class="tile-row" style={{ top: `${r * kTileHeight}px` }}>
        {tiles.map((node, k) => {
          const i = r * columns + k;
          const isSelected = props.selected.has(node.id);
          return (
            <div
              key={node.id}
              id={`tile-${node.id}`}
              role="gridcell"
              aria-selected={isSelected}
              class={"tile" + (i === active ? " active" : "") + (isSelected ? " selected" : "")}
              onClick={(e) => {
                if ((e.target as HTMLElement).closest("input,a")) return;
                props.onPick(i, e);
              }}
              onDblClick={() => props.onOpen(node)}
            >
              <Thumb node={node} root={gridRef} />
              <input
                type="checkbox"
                class="tile-check"
                tabIndex={-1}
                aria-label={`Select ${displayName(node.name)}`}
                checked={isSelected}
                onChange={() => props.onToggle(i)}
              />
              <a
                class="tile-name"
                href={node.type === "folder" ? `/files/${node.id}` : "#"}
                tabIndex={-1}
                title={displayName(node.name)}
                onClick={(e) => {
                  e.preventDefault();
                  e.stopPropagation();
                  props.onOpen(node);
                }}
              >
                {displayName(node.name)}
              </a>
              <span class="tile-meta">{node.type === "file" ? bytes(node.size) : "Folder"}</span>
            </div>
          );
        })}
      </div>,
    );
  }

  return (
    <div
      class="grid-view"
      role="grid"
      aria-label={props.label}
      aria-multiselectable="true"
      aria-rowcount={rowCount}
      aria-activedescendant={items[active] ? `tile-${items[active].id}` : undefined}
      tabIndex={0}
      ref={gridRef}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div class="tile-rows" style={{ height: `${rowCount * kTileHeight}px` }}>
        {rows}
      </div>
      {props.children}
    </div>
  );
}
