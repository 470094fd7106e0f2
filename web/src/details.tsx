// The details panel of one file or folder: facts, document status, tags, custom metadata
// (PATCH /api/v1/nodes/{id}), for files the versions (download, restore), and the activity.
import { useEffect, useState } from "preact/hooks";
import { Activity } from "./activity";
import { api, download, type NodeDetails } from "./api";
import { bytes, date } from "./format";
import { ErrorText, toast, toastError, useAction } from "./ui";

interface Version {
  id: number;
  size: number;
  sha256: string;
  mime: string;
  created: string;
  current: boolean;
}

// The transitions the server allows (docs: PATCH /api/v1/nodes/{id}).
const kTransitions: Record<string, string[]> = {
  pending: ["active", "error"],
  active: ["archived", "pending"],
  archived: ["active"],
  error: ["pending", "active"],
};

async function downloadVersion(fileId: number, version: Version, name: string) {
  const response = await api<Response>(`/api/v1/files/${fileId}/versions/${version.id}/content`, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  download(url, name);
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function Details(props: { id: number; onClose: () => void; onChanged: () => void }) {
  const [node, setNode] = useState<NodeDetails | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const [tags, setTags] = useState("");
  const [metadata, setMetadata] = useState("");

  const load = async () => {
    const n = await api<NodeDetails>(`/api/v1/nodes/${props.id}`);
    setNode(n);
    setStatus(n.status);
    setTags((n.tags ?? []).join(", "));
    setMetadata(n.metadata ? JSON.stringify(n.metadata, null, 2) : "");
    setVersions(n.type === "file" ? (await api<{ items: Version[] }>(`/api/v1/files/${n.id}/versions`)).items : []);
  };
  useEffect(() => {
    setNode(null);
    setError(null);
    load().catch(setError);
  }, [props.id]);

  const save = useAction(async () => {
    const body: Record<string, unknown> = {};
    if (status !== node!.status) body.status = status;
    const tagList = tags.split(",").map((t) => t.trim()).filter(Boolean);
    if (tagList.join(",") !== (node!.tags ?? []).join(",")) body.tags = tagList;
    const text = metadata.trim();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error("Metadata must be a JSON object, e.g. {\"client\": \"ACME\"}.");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error("Metadata must be a JSON object, e.g. {\"client\": \"ACME\"}.");
      }
    }
    if (JSON.stringify(parsed) !== JSON.stringify(node!.metadata ?? null)) body.metadata = parsed;
    if (Object.keys(body).length === 0) return;
    await api(`/api/v1/nodes/${props.id}`, { method: "PATCH", body });
    await load();
    toast("Details saved.");
    props.onChanged();
  });

  return (
    <aside class="details" aria-labelledby="details-title">
      <header>
        <h2 id="details-title">{node ? node.name : "Details"}</h2>
        <button type="button" class="icon" aria-label="Close details" onClick={props.onClose}>
          ×
        </button>
      </header>
      <ErrorText error={error} />
      {node && (
        <>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{node.type === "folder" ? "Folder" : node.mime || "File"}</dd>
            {node.type === "file" && (
              <>
                <dt>Size</dt>
                <dd>{bytes(node.size)}</dd>
                <dt>SHA-256</dt>
                <dd class="mono">{node.sha256}</dd>
              </>
            )}
            <dt>Created</dt>
            <dd>{date(node.created)}</dd>
            <dt>Modified</dt>
            <dd>{date(node.modified)}</dd>
          </dl>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save.run();
            }}
          >
            <label>
              Status
              <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
                <option value={node.status}>{node.status}</option>
                {(kTransitions[node.status] ?? []).map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Tags (comma-separated)
              <input value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
            </label>
            <label>
              Metadata (JSON object)
              <textarea rows={5} class="mono" value={metadata} onInput={(e) => setMetadata(e.currentTarget.value)} />
            </label>
            <ErrorText error={save.error} />
            <button class="primary" disabled={save.busy}>
              Save
            </button>
          </form>
          {node.type === "file" && (
            <section aria-labelledby="versions-title">
              <h3 id="versions-title">Versions</h3>
              <ul class="versions">
                {versions.map((v) => (
                  <li key={v.id}>
                    <span>
                      {date(v.created)} · {bytes(v.size)}
                      {v.current && <strong> · current</strong>}
                    </span>
                    <span class="row-actions">
                      <button type="button" onClick={() => void downloadVersion(node.id, v, node.name).catch(toastError)}
                        aria-label={`Download version of ${date(v.created)}`}>
                        Download
                      </button>
                      {!v.current && (
                        <button
                          type="button"
                          aria-label={`Restore version of ${date(v.created)}`}
                          onClick={() =>
                            void api(`/api/v1/files/${node.id}/versions/${v.id}/restore`, { method: "POST" })
                              .then(load)
                              .then(() => {
                                toast("Version restored.");
                                props.onChanged();
                              })
                              .catch(toastError)
                          }
                        >
                          Restore
                        </button>
                      )}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <Activity nodeId={node.id} refresh={node.modified} />
        </>
      )}
    </aside>
  );
}
