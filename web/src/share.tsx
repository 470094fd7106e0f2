// The share dialog of one file or folder: public links (expiry, password, download limit, file
// drop for folders; copy, edit, disable, delete) and shares with users and groups (read or
// write; revoke). Only the owner may manage either, and the server says so (403) otherwise.
import { useEffect, useState } from "preact/hooks";
import { api, type Node } from "./api";
import { date } from "./format";
import { Dialog, ErrorText, toast, useAction } from "./ui";

export interface Link {
  id: number;
  node_id: number;
  token: string;
  url: string;
  has_password: boolean;
  downloads: number;
  views: number;
  disabled: boolean;
  file_drop: boolean;
  created: string;
  expires_at: string | null;
  max_downloads: number | null;
}

interface Share {
  id: number;
  permission: "read" | "write";
  username?: string;
  group_id: number | null;
  group_name?: string;
}

interface Group {
  id: number;
  name: string;
}

// What the visitor's browser opens: the server gives the path, the page knows its origin.
export const absoluteUrl = (link: Link) => location.origin + link.url;

// A date field's value (local calendar day) as the end of that day, in RFC 3339.
function endOfDay(day: string): string | null {
  if (!day) return null;
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d, 23, 59, 59).toISOString();
}

function dayOf(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

async function copy(text: string) {
  try {
    await navigator.clipboard.writeText(text);
    toast("Link copied to the clipboard.");
  } catch {
    toast("The browser refused the clipboard: select the link and copy it.", "error");
  }
}

function linkState(link: Link): string {
  if (link.disabled) return "Disabled";
  if (link.expires_at && new Date(link.expires_at) < new Date()) return "Expired";
  if (link.max_downloads !== null && link.downloads >= link.max_downloads) return "Used up";
  return "Active";
}

// The options of a link, for creating one and for editing it. Password: for a new link, empty
// means none; when editing, empty keeps the current one unless "Remove" is ticked.
function LinkForm(props: {
  folder: boolean;
  link?: Link;
  submit: string;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel?: () => void;
}) {
  const { link } = props;
  const [expiry, setExpiry] = useState(dayOf(link?.expires_at ?? null));
  const [password, setPassword] = useState("");
  const [removePassword, setRemovePassword] = useState(false);
  const [limit, setLimit] = useState(link?.max_downloads != null ? String(link.max_downloads) : "");
  const [fileDrop, setFileDrop] = useState(link?.file_drop ?? false);
  const action = useAction(async () => {
    const body: Record<string, unknown> = {
      expires_at: endOfDay(expiry),
      max_downloads: limit.trim() ? Number(limit) : null,
    };
    if (password) body.password = password;
    else if (link && removePassword) body.password = null;
    if (props.folder) body.file_drop = fileDrop;
    await props.onSubmit(body);
    setPassword("");
  });
  const prefix = link ? `link-${link.id}-` : "new-link-";
  return (
    <form
      class="inline-form link-form"
      aria-label={link ? "Edit link" : "New link"}
      onSubmit={(e) => {
        e.preventDefault();
        void action.run();
      }}
    >
      <label>
        Expires after
        <input id={prefix + "expiry"} type="date" value={expiry} onInput={(e) => setExpiry(e.currentTarget.value)} />
      </label>
      <label>
        {link?.has_password ? "New password" : "Password"}
        <input type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <label>
        Download limit
        <input type="number" min="1" inputMode="numeric" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
      </label>
      {link?.has_password && (
        <label class="check">
          <input type="checkbox" checked={removePassword} onChange={(e) => setRemovePassword(e.currentTarget.checked)} />
          Remove the password
        </label>
      )}
      {props.folder && (
        <label class="check">
          <input type="checkbox" checked={fileDrop} onChange={(e) => setFileDrop(e.currentTarget.checked)} />
          File drop (visitors upload, see nothing)
        </label>
      )}
      <div class="row-actions">
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button class="primary" disabled={action.busy}>
          {props.submit}
        </button>
      </div>
      <ErrorText error={action.error} />
    </form>
  );
}

function LinkItem(props: { link: Link; folder: boolean; onChanged: () => void }) {
  const { link } = props;
  const [editing, setEditing] = useState(false);
  const action = useAction(async (body: Record<string, unknown> | null) => {
    if (body === null) await api(`/api/v1/links/${link.id}`, { method: "DELETE" });
    else await api(`/api/v1/links/${link.id}`, { method: "PATCH", body });
    props.onChanged();
  });
  const url = absoluteUrl(link);
  const facts = [
    linkState(link),
    link.file_drop ? "file drop" : "",
    link.has_password ? "password" : "",
    link.expires_at ? `expires ${date(link.expires_at)}` : "no expiry",
    `${link.views} view${link.views === 1 ? "" : "s"}`,
    `${link.downloads}${link.max_downloads !== null ? ` of ${link.max_downloads}` : ""} download${link.downloads === 1 ? "" : "s"}`,
  ].filter(Boolean);
  return (
    <li class="link-item" data-link={link.id}>
      <input class="mono" readOnly value={url} aria-label="Link address" onFocus={(e) => e.currentTarget.select()} />
      <p class="muted">{facts.join(" · ")}</p>
      <div class="row-actions">
        <button type="button" onClick={() => void copy(url)}>
          Copy link
        </button>
        <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          Edit
        </button>
        <button type="button" disabled={action.busy} onClick={() => void action.run({ disabled: !link.disabled })}>
          {link.disabled ? "Enable" : "Disable"}
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={() => void action.run(null)}>
          Delete link
        </button>
      </div>
      <ErrorText error={action.error} />
      {editing && (
        <LinkForm
          folder={props.folder}
          link={link}
          submit="Save"
          onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            await api(`/api/v1/links/${link.id}`, { method: "PATCH", body });
            setEditing(false);
            props.onChanged();
          }}
        />
      )}
    </li>
  );
}

function Links(props: { node: Node }) {
  const { node } = props;
  const [links, setLinks] = useState<Link[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () =>
    api<{ items: Link[] }>(`/api/v1/links?node_id=${node.id}`).then((r) => setLinks(r.items), setError);
  useEffect(() => void load(), [node.id]);
  return (
    <section aria-labelledby="links-title">
      <h3 id="links-title">Public links</h3>
      <p class="muted">Anyone with a link can open it, without an account.</p>
      <LinkForm
        folder={node.type === "folder"}
        submit="Create link"
        onSubmit={async (body) => {
          const link = await api<Link>(`/api/v1/nodes/${node.id}/links`, { method: "POST", body });
          await load();
          await copy(absoluteUrl(link));
        }}
      />
      <ErrorText error={error} />
      {links && links.length === 0 && <p class="muted">No links yet.</p>}
      <ul class="plain links">
        {links?.map((link) => (
          <LinkItem key={link.id} link={link} folder={node.type === "folder"} onChanged={() => void load()} />
        ))}
      </ul>
    </section>
  );
}

// Groups are listed for administrators only (the API keeps the list to them); everyone else
// gives a group's number, which the administrator can tell them.
function People(props: { node: Node; isAdmin: boolean }) {
  const { node } = props;
  const [shares, setShares] = useState<Share[] | null>(null);
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [kind, setKind] = useState<"user" | "group">("user");
  const [who, setWho] = useState("");
  const [permission, setPermission] = useState<"read" | "write">("read");
  const load = () =>
    api<{ items: Share[] }>(`/api/v1/nodes/${node.id}/shares`).then((r) => setShares(r.items), setError);
  useEffect(() => {
    void load();
    if (props.isAdmin) {
      api<{ items: Group[] }>("/api/v1/admin/groups").then((r) => setGroups(r.items), () => setGroups(null));
    }
  }, [node.id]);
  const add = useAction(async () => {
    const body =
      kind === "user" ? { username: who.trim(), permission } : { group_id: Number(who), permission };
    await api(`/api/v1/nodes/${node.id}/shares`, { method: "POST", body });
    setWho("");
    toast(`Shared “${node.name}”.`);
    await load();
  });
  const revoke = useAction(async (share: Share) => {
    await api(`/api/v1/shares/${share.id}`, { method: "DELETE" });
    await load();
  });
  return (
    <section aria-labelledby="people-title">
      <h3 id="people-title">People and groups</h3>
      <form
        class="inline-form"
        aria-label="Share with"
        onSubmit={(e) => {
          e.preventDefault();
          void add.run();
        }}
      >
        <label>
          Share with
          <select value={kind} onChange={(e) => {
            setKind(e.currentTarget.value as "user" | "group");
            setWho("");
          }}>
            <option value="user">A user</option>
            <option value="group">A group</option>
          </select>
        </label>
        {kind === "user" ? (
          <label>
            Username
            <input value={who} autocomplete="off" required onInput={(e) => setWho(e.currentTarget.value)} />
          </label>
        ) : groups ? (
          <label>
            Group
            <select value={who} required onChange={(e) => setWho(e.currentTarget.value)}>
              <option value="">Choose…</option>
              {groups.map((g) => (
                <option key={g.id} value={String(g.id)}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label>
            Group number (ask an administrator)
            <input type="number" min="1" value={who} required onInput={(e) => setWho(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Access
          <select value={permission} onChange={(e) => setPermission(e.currentTarget.value as "read" | "write")}>
            <option value="read">Can view</option>
            <option value="write">Can edit</option>
          </select>
        </label>
        <div class="row-actions">
          <button class="primary" disabled={add.busy || !who.trim()}>
            Share
          </button>
        </div>
      </form>
      <ErrorText error={add.error ?? revoke.error ?? error} />
      {shares && shares.length === 0 && <p class="muted">Not shared with anyone.</p>}
      <ul class="plain">
        {shares?.map((s) => {
          const name = s.username ?? `group ${s.group_name ?? s.group_id}`;
          return (
            <li class="item-row" key={s.id}>
              <span>
                {name} · {s.permission === "write" ? "can edit" : "can view"}
              </span>
              <button type="button" class="danger" disabled={revoke.busy} aria-label={`Stop sharing with ${name}`}
                onClick={() => void revoke.run(s)}>
                Revoke
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function ShareDialog(props: { node: Node; isAdmin: boolean; onClose: () => void }) {
  return (
    <Dialog title={`Share “${props.node.name}”`} onClose={props.onClose} wide>
      <div class="share-dialog">
        <Links node={props.node} />
        <People node={props.node} isAdmin={props.isAdmin} />
      </div>
    </Dialog>
  );
}
