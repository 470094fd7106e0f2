// Choose a destination folder (move, copy): browse down from the current folder or up the
// breadcrumbs; only folders are listed (the API lists folders first, so paging stops at the
// first file).
import { useEffect, useState } from "preact/hooks";
import { displayName } from "./format";
import { api, type Node } from "./api";
import { Dialog, ErrorText, useAction } from "./ui";

async function subfolders(id: number): Promise<Node[]> {
  const out: Node[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page: { items: Node[]; next_cursor: string | null } = await api(
      `/api/v1/folders/${id}/children?sort=name&limit=500${query}`,
    );
    const folders = page.items.filter((n) => n.type === "folder");
    out.push(...folders);
    cursor = folders.length === page.items.length ? page.next_cursor : null;
  } while (cursor);
  return out;
}

export function FolderPicker(props: {
  title: string;
  action: string;
  startId: number;
  rootId: number;
  exclude: Set<number>;
  onPick: (folderId: number) => Promise<void>;
  onClose: () => void;
}) {
  const [trail, setTrail] = useState<{ id: number; name: string }[]>([]);
  const [folders, setFolders] = useState<Node[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const here = trail[trail.length - 1];

  useEffect(() => {
    // Start at the current folder: rebuild its trail up to the root.
    (async () => {
      const t: { id: number; name: string }[] = [];
      let id: number | null = props.startId;
      while (id !== null && id !== props.rootId) {
        const node: Node = await api<Node>(`/api/v1/nodes/${id}`);
        t.unshift({ id: node.id, name: node.name });
        id = node.parent_id;
      }
      t.unshift({ id: props.rootId, name: "My files" });
      setTrail(t);
    })().catch(setError);
  }, []);

  useEffect(() => {
    if (!here) return;
    setFolders(null);
    subfolders(here.id).then(setFolders, setError);
  }, [here?.id]);

  const pick = useAction(async () => {
    await props.onPick(here.id);
    props.onClose();
  });

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <nav aria-label="Destination path" class="crumbs small">
        <ol>
          {trail.map((c, i) => (
            <li key={c.id}>
              <button type="button" class="link" aria-current={i === trail.length - 1 ? "location" : undefined}
                onClick={() => setTrail(trail.slice(0, i + 1))}>
                {displayName(c.name)}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <ul class="picker" aria-label="Folders">
        {folders === null && !error && <li>Loading…</li>}
        {folders?.length === 0 && <li class="muted">No folders here.</li>}
        {folders
          ?.filter((f) => !props.exclude.has(f.id))
          .map((f) => (
            <li key={f.id}>
              <button type="button" class="folder-choice" onClick={() => setTrail([...trail, { id: f.id, name: f.name }])}>
                <span class="kind folder" aria-hidden="true" />
                {displayName(f.name)}
              </button>
            </li>
          ))}
      </ul>
      <ErrorText error={error ?? pick.error} />
      <div class="actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="primary" disabled={!here || pick.busy} onClick={() => void pick.run()}>
          {props.action}
          {here ? ` (${here.name})` : ""}
        </button>
      </div>
    </Dialog>
  );
}
