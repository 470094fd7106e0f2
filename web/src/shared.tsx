// "Shared with me": what other users share with this one (directly or through a group).
// Folders open in the normal file browser, whose breadcrumbs stop at the shared folder (its
// owner's folders above it are not ours to see); files preview and download as usual, since
// the API's file routes apply the same access policy to shared nodes.
import { useEffect, useState } from "preact/hooks";
import { api, download, signedUrl, type Node } from "./api";
import { bytes, date, displayName } from "./format";
import { navigate } from "./router";
import { Preview } from "./preview";
import { ErrorText, TableHead, toastError } from "./ui";

export interface SharedItem extends Node {
  share_id: number;
  permission: "read" | "write";
  owner: { id: number; username: string };
  shared: string;
}

let roots: Promise<Map<number, SharedItem>> | null = null;

// The nodes shared with this user, by id; fetched once and again whenever the screen below
// loads (so a share made meanwhile shows up there first).
export function sharedRoots(fresh = false): Promise<Map<number, SharedItem>> {
  if (!roots || fresh) {
    roots = api<{ items: SharedItem[] }>("/api/v1/shared-with-me").then((r) => new Map(r.items.map((i) => [i.id, i])));
    roots.catch(() => (roots = null));
  }
  return roots;
}

export function SharedWithMe() {
  const [items, setItems] = useState<SharedItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [preview, setPreview] = useState<SharedItem | null>(null);

  useEffect(() => {
    sharedRoots(true).then((map) => setItems([...map.values()]), setError);
  }, []);

  const open = (item: SharedItem) => {
    if (item.type === "folder") navigate(`/files/${item.id}`);
    else setPreview(item);
  };

  return (
    <section class="page" aria-labelledby="shared-title">
      <div class="page-head">
        <h1 id="shared-title">Shared with me</h1>
      </div>
      <ErrorText error={error} />
      {items?.length === 0 && <p class="muted">Nothing is shared with you yet.</p>}
      {items && items.length > 0 && (
        <div class="table-scroll">
          <table class="table">
            <TableHead columns={["Name", "Owner", "Access", "Shared", ""]} />
            <tbody>
              {items.map((item) => (
                <tr key={item.share_id}>
                  <td>
                    <span class={"kind " + item.type} aria-hidden="true" />
                    <a
                      href={item.type === "folder" ? `/files/${item.id}` : "#"}
                      onClick={(e) => {
                        e.preventDefault();
                        open(item);
                      }}
                    >
                      {displayName(item.name)}
                    </a>
                  </td>
                  <td>{item.owner.username}</td>
                  <td>{item.permission === "write" ? "Can edit" : "Can view"}</td>
                  <td>{date(item.shared)}</td>
                  <td class="row-actions">
                    {item.type === "file" && (
                      <button
                        type="button"
                        aria-label={`Download ${item.name}`}
                        onClick={() =>
                          void signedUrl(item.id, "attachment").then((url) => download(url, item.name), toastError)
                        }
                      >
                        Download {bytes(item.size)}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview && (
        <Preview
          node={preview}
          siblings={(items ?? []).filter((n) => n.type === "file")}
          onStep={setPreview}
          onClose={() => setPreview(null)}
        />
      )}
    </section>
  );
}
