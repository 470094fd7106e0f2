// The trash: what was deleted, newest first; restore (where it was, or under a new name when
// that one is taken), purge for good, or empty it all.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, type Node } from "./api";
import { bytes, date, displayName } from "./format";
import { ConfirmDialog, ErrorText, PromptDialog, TableHead, toast, toastError } from "./ui";

interface TrashItem extends Node {
  deleted: string;
  parent_exists: boolean;
}

export function Trash() {
  const [items, setItems] = useState<TrashItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState<{ kind: "purge"; item: TrashItem } | { kind: "empty" } | null>(null);
  const [rename, setRename] = useState<TrashItem | null>(null);

  const load = () =>
    api<{ items: TrashItem[] }>("/api/v1/trash").then((r) => setItems(r.items), setError);
  useEffect(() => void load(), []);

  const restore = async (item: TrashItem, name?: string) => {
    try {
      await api(`/api/v1/trash/${item.id}/restore`, { method: "POST", body: name ? { name } : {} });
      toast(`Restored “${name ?? item.name}”.`);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.code === "NAME_CONFLICT" && !name) setRename(item);
      else throw e;
    }
  };

  return (
    <section class="page" aria-labelledby="trash-title">
      <div class="page-head">
        <h1 id="trash-title">Trash</h1>
        <button type="button" class="danger" disabled={!items?.length} onClick={() => setConfirm({ kind: "empty" })}>
          Empty trash
        </button>
      </div>
      <ErrorText error={error} />
      {items?.length === 0 && <p class="muted">The trash is empty.</p>}
      {items && items.length > 0 && (
        <table class="table">
          <TableHead columns={["Name", "Size", "Deleted", ""]} />
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>
                  <span class={"kind " + item.type} aria-hidden="true" />
                  {displayName(item.name)}
                  {!item.parent_exists && <span class="muted"> (its folder will be recreated)</span>}
                </td>
                <td>{item.type === "file" ? bytes(item.size) : "Folder"}</td>
                <td>{date(item.deleted)}</td>
                <td class="row-actions">
                  <button type="button" aria-label={`Restore ${item.name}`} onClick={() => void restore(item).catch(toastError)}>
                    Restore
                  </button>
                  <button type="button" class="danger" aria-label={`Delete ${item.name} for good`}
                    onClick={() => setConfirm({ kind: "purge", item })}>
                    Delete for good
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirm && (
        <ConfirmDialog
          title={confirm.kind === "empty" ? "Empty the trash" : "Delete for good"}
          text={
            confirm.kind === "empty"
              ? "Delete everything in the trash for good? This cannot be undone."
              : `Delete “${displayName(confirm.item.name)}” for good? This cannot be undone.`
          }
          confirm={confirm.kind === "empty" ? "Empty trash" : "Delete for good"}
          danger
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await api(confirm.kind === "empty" ? "/api/v1/trash" : `/api/v1/trash/${confirm.item.id}`, { method: "DELETE" });
            await load();
          }}
        />
      )}
      {rename && (
        <PromptDialog
          title="The name is taken"
          label={`“${rename.name}” exists where it was. Restore it as:`}
          initial={rename.name}
          submit="Restore"
          onClose={() => setRename(null)}
          onSubmit={(name) => restore(rename, name)}
        />
      )}
    </section>
  );
}
