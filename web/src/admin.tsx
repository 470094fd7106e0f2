// The admin console: users (create, role, status, quota, password-reset links), groups,
// registration mode, storage statistics, the audit log and the job queue (jobs.tsx). Operators
// see the statistics and the job queue only, as the API allows.
import { useEffect, useState } from "preact/hooks";
import { api, download, type User } from "./api";
import { StorageCharts } from "./charts";
import { bytes, date, parseBytes } from "./format";
import { JobQueue } from "./jobs";
import { ConfirmDialog, CopyButton, Dialog, DialogActions, ErrorText, TableHead, toast, toastError, useAction } from "./ui";

function Users() {
  const [items, setItems] = useState<User[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [created, setCreated] = useState<User | null>(null);
  const [reset, setReset] = useState<{ user: User; url: string } | null>(null);

  const load = async (more = false) => {
    const query = `limit=100${q ? `&q=${encodeURIComponent(q)}` : ""}${more && next ? `&cursor=${next}` : ""}`;
    const page = await api<{ items: User[]; next_cursor: string | null }>(`/api/v1/admin/users?${query}`);
    setItems(more ? [...items, ...page.items] : page.items);
    setNext(page.next_cursor);
  };
  useEffect(() => void load().catch(setError), [q]);

  return (
    <section aria-labelledby="users-title">
      <div class="page-head">
        <h2 id="users-title">Users</h2>
        <label class="search">
          <span class="visually-hidden">Find users by name</span>
          <input type="search" placeholder="Find by name" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          New user
        </button>
      </div>
      <ErrorText error={error} />
      {created?.password && (
        <div class="secret" role="region" aria-label="New user's password">
          <p>
            “{created.username}” was created with this password; it is shown only once:{" "}
            <code class="mono">{created.password}</code>
          </p>
          <button type="button" class="link" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {reset && (
        <div class="secret" role="region" aria-label="Password-reset link">
          <p>
            Send this one-time link to {reset.user.username} (valid for 24 hours): <code class="mono">{reset.url}</code>
          </p>
          <CopyButton text={reset.url}>Copy link</CopyButton>
          <button type="button" class="link" onClick={() => setReset(null)}>
            Done
          </button>
        </div>
      )}
      <table class="table">
        <TableHead columns={["User", "Role", "Status", "Quota", "Created", ""]} />
        <tbody>
          {items.map((u) => (
            <tr key={u.id} data-user={u.username}>
              <td>{u.username}</td>
              <td>{u.role}</td>
              <td>{u.status}</td>
              <td>{u.quota_bytes === null ? "default" : bytes(u.quota_bytes)}</td>
              <td>{date(u.created)}</td>
              <td class="row-actions">
                <button type="button" aria-label={`Edit ${u.username}`} onClick={() => setEditing(u)}>
                  Edit
                </button>
                <button
                  type="button"
                  aria-label={`Password-reset link for ${u.username}`}
                  onClick={() =>
                    void api<{ reset_path: string }>(`/api/v1/admin/users/${u.id}/password-reset`, { method: "POST" })
                      .then((r) => setReset({ user: u, url: location.origin + r.reset_path }))
                      .catch(toastError)
                  }
                >
                  Reset link
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && (
        <button type="button" onClick={() => void load(true).catch(setError)}>
          Show more
        </button>
      )}
      {creating && (
        <CreateUser
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreated(u);
            void load();
          }}
        />
      )}
      {editing && <EditUser user={editing} onClose={() => setEditing(null)} onSaved={() => void load()} />}
    </section>
  );
}

function RoleSelect(props: { value: string; onChange: (role: string) => void }) {
  return (
    <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      {["user", "operator", "admin"].map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

function CreateUser(props: { onClose: () => void; onCreated: (u: User) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState("user");
  const action = useAction(async () => {
    const body: Record<string, string> = { username: username.trim(), role };
    if (password) body.password = password;
    props.onCreated(await api<User>("/api/v1/admin/users", { method: "POST", body }));
    props.onClose();
  });
  return (
    <Dialog title="New user" onClose={props.onClose}>
      <form onSubmit={(e) => (e.preventDefault(), void action.run())}>
        <label>
          Username
          <input required autoFocus value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          Password (leave empty to generate one)
          <input type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <RoleSelect value={role} onChange={setRole} />
        </label>
        <ErrorText error={action.error} />
        <DialogActions onCancel={props.onClose} submit="Create" disabled={action.busy} />
      </form>
    </Dialog>
  );
}

function EditUser(props: { user: User; onClose: () => void; onSaved: () => void }) {
  const u = props.user;
  const [role, setRole] = useState<string>(u.role);
  const [status, setStatus] = useState(u.status);
  const [quota, setQuota] = useState(u.quota_bytes === null ? "" : String(u.quota_bytes));
  const [deleting, setDeleting] = useState(false);
  const action = useAction(async () => {
    const body: Record<string, unknown> = {};
    if (role !== u.role) body.role = role;
    if (status !== u.status) body.status = status;
    const q = parseBytes(quota);
    if (q === undefined) throw new Error("Quota: a size such as 500 MiB or 10 GiB, or empty for the default.");
    if (q !== u.quota_bytes) body.quota_bytes = q;
    if (Object.keys(body).length) await api(`/api/v1/admin/users/${u.id}`, { method: "PATCH", body });
    props.onSaved();
    props.onClose();
  });
  return (
    <Dialog title={`Edit ${u.username}`} onClose={props.onClose}>
      <form onSubmit={(e) => (e.preventDefault(), void action.run())}>
        <label>
          Role
          <RoleSelect value={role} onChange={setRole} />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="active">active</option>
            <option value="disabled">disabled (ends every session)</option>
            <option value="locked">locked</option>
          </select>
        </label>
        <label>
          Quota (e.g. 10 GiB; empty: the server default)
          <input name="quota" value={quota} onInput={(e) => setQuota(e.currentTarget.value)} />
        </label>
        <ErrorText error={action.error} />
        <div class="actions">
          <button type="button" class="danger" onClick={() => setDeleting(true)}>
            Delete user
          </button>
          <span class="separator" />
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button class="primary" disabled={action.busy}>
            Save
          </button>
        </div>
      </form>
      {deleting && (
        <ConfirmDialog
          title={`Delete ${u.username}`}
          text={`Delete the account “${u.username}”? Its files are purged later.`}
          confirm="Delete user"
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api(`/api/v1/admin/users/${u.id}`, { method: "DELETE" });
            props.onSaved();
            props.onClose();
          }}
        />
      )}
    </Dialog>
  );
}

interface Group {
  id: number;
  name: string;
  member_ids: number[];
}

function Groups() {
  const [groups, setGroups] = useState<Group[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    setGroups((await api<{ items: Group[] }>("/api/v1/admin/groups")).items);
    setUsers((await api<{ items: User[] }>("/api/v1/admin/users?limit=1000")).items);
  };
  useEffect(() => void load().catch(setError), []);
  const create = useAction(async () => {
    await api("/api/v1/admin/groups", { method: "POST", body: { name: name.trim() } });
    setName("");
    await load();
  });
  const member = (g: Group, userId: number, add: boolean) =>
    void api(`/api/v1/admin/groups/${g.id}/members/${userId}`, { method: add ? "PUT" : "DELETE" }).then(load).catch(toastError);
  const username = (id: number) => users.find((u) => u.id === id)?.username ?? `#${id}`;
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      <form class="inline-form" onSubmit={(e) => (e.preventDefault(), void create.run())}>
        <label>
          New group
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button class="primary" disabled={create.busy}>
          Create group
        </button>
      </form>
      <ErrorText error={error ?? create.error} />
      {groups.map((g) => (
        <div class="card" key={g.id}>
          <div class="page-head">
            <h3>{g.name}</h3>
            <button type="button" class="danger" aria-label={`Delete group ${g.name}`}
              onClick={() => void api(`/api/v1/admin/groups/${g.id}`, { method: "DELETE" }).then(load).catch(toastError)}>
              Delete
            </button>
          </div>
          <ul class="chips" aria-label={`Members of ${g.name}`}>
            {g.member_ids.map((id) => (
              <li key={id}>
                {username(id)}{" "}
                <button type="button" class="icon" aria-label={`Remove ${username(id)} from ${g.name}`} onClick={() => member(g, id, false)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <label>
            Add a member
            <select value="" onChange={(e) => e.currentTarget.value && member(g, Number(e.currentTarget.value), true)}>
              <option value="">Choose a user…</option>
              {users.filter((u) => !g.member_ids.includes(u.id)).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username}
                </option>
              ))}
            </select>
          </label>
        </div>
      ))}
    </section>
  );
}

function ServerSettings() {
  const [settings, setSettings] = useState<{ registration_mode: string; require_mfa_for_admins: boolean } | null>(null);
  const [invite, setInvite] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => void api<typeof settings>("/api/v1/admin/settings").then(setSettings, setError), []);
  const change = (patch: Record<string, unknown>) =>
    void api<typeof settings>("/api/v1/admin/settings", { method: "PATCH", body: patch })
      .then((s) => {
        setSettings(s);
        toast("Settings saved.");
      })
      .catch(toastError);
  return (
    <section aria-labelledby="server-settings-title">
      <h2 id="server-settings-title">Registration and sign-in</h2>
      <ErrorText error={error} />
      {settings && (
        <div class="card">
          <label>
            Registration
            <select value={settings.registration_mode} onChange={(e) => change({ registration_mode: e.currentTarget.value })}>
              <option value="closed">closed: administrators create accounts</option>
              <option value="invite">invite: with a single-use invite</option>
              <option value="open">open: anyone may register</option>
            </select>
          </label>
          <label class="check">
            <input type="checkbox" checked={settings.require_mfa_for_admins}
              onChange={(e) => change({ require_mfa_for_admins: e.currentTarget.checked })} />
            Administrators must use two-factor authentication
          </label>
          {settings.registration_mode === "invite" && (
            <p>
              <button type="button"
                onClick={() => void api<{ invite: string }>("/api/v1/admin/invites", { method: "POST", body: {} })
                  .then((r) => setInvite(r.invite), toastError)}>
                Create an invite
              </button>
              {invite && <> Invite code (single use): <code class="mono">{invite}</code></>}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function Bar(props: { label: string; value: number; max: number; text: string }) {
  return (
    <div class="bar">
      <span class="bar-label">{props.label}</span>
      <progress max={props.max || 1} value={props.value} aria-label={props.label} />
      <span class="bar-value">{props.text}</span>
    </div>
  );
}

interface ScrubPass {
  started: string;
  finished?: string;
  completed?: boolean;
  chunks_checked: number;
  bytes_checked: number;
  damaged: number;
  error?: string;
}

interface ScrubState {
  enabled: boolean;
  running: boolean;
  bytes_per_second: number;
  passes: number;
  damaged: number;
  current: ScrubPass | null;
  last: ScrubPass | null;
  next_pass: string | null;
}

function passText(pass: ScrubPass): string {
  return `${pass.chunks_checked} chunks (${bytes(pass.bytes_checked)}) checked, ${pass.damaged} damaged`;
}

// The background scrubber (docs/archive.md, "Scrub"): the pass under way or the last one,
// damage found, and a button to start a pass now. Refreshed every few seconds while a pass
// runs.
function Integrity() {
  const [state, setState] = useState<ScrubState | null>(null);
  const [damaged, setDamaged] = useState<{ chunk: string; last_seen: string; error: string }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    const [scrub, chunks] = await Promise.all([
      api<ScrubState>("/api/v1/system/scrub"),
      api<{ items: { chunk: string; last_seen: string; error: string }[] }>("/api/v1/system/damaged-chunks"),
    ]);
    setState(scrub);
    setDamaged(chunks.items);
  };
  useEffect(() => void load().catch(setError), []);
  useEffect(() => {
    if (!state?.running) return;
    const timer = window.setTimeout(() => void load().catch(setError), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);
  const start = useAction(async () => {
    setState(await api<ScrubState>("/api/v1/system/scrub", { method: "POST" }));
    window.setTimeout(() => void load().catch(setError), 500);
  });
  return (
    <section aria-labelledby="integrity-title">
      <h2 id="integrity-title">Integrity</h2>
      <ErrorText error={error ?? start.error} />
      {state && (
        <div class="card" data-scrub={state.running ? "running" : "idle"}>
          {!state.enabled && <p>The background scrubber is off on this server (--scrub-rate 0).</p>}
          {state.enabled && (
            <p>
              Every stored chunk is re-read and verified at {bytes(state.bytes_per_second)}/s.{" "}
              {state.current
                ? `A pass is running: ${passText(state.current)} so far.`
                : state.next_pass && `Next pass ${date(state.next_pass)}.`}
            </p>
          )}
          <p class="scrub-last">
            {state.last
              ? `Last pass ${state.last.completed ? "finished" : "stopped"} ${date(state.last.finished ?? state.last.started)}: ${passText(state.last)}.`
              : "No pass has ended since the server started."}
          </p>
          {state.enabled && (
            <button type="button" disabled={state.running || start.busy} onClick={() => void start.run()}>
              Scrub now
            </button>
          )}
          {damaged.length > 0 && (
            <div class="table-scroll">
              <table class="table" aria-label="Damaged chunks">
                <TableHead columns={["Chunk", "Last seen", "Error"]} />
                <tbody>
                  {damaged.map((d) => (
                    <tr key={d.chunk}>
                      <td><code>{d.chunk.slice(0, 16)}…</code></td>
                      <td>{date(d.last_seen)}</td>
                      <td>{d.error}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function Statistics() {
  const [stats, setStats] = useState<{
    logical_bytes: number;
    unique_bytes: number;
    physical_bytes: number;
    chunks: number;
    users: number;
    users_by_status: Record<string, number>;
    dedup_ratio: number;
    compression_ratio: number;
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => void api<typeof stats>("/api/v1/system/stats").then(setStats, setError), []);
  return (
    <section aria-labelledby="stats-title">
      <h2 id="stats-title">Storage</h2>
      <ErrorText error={error} />
      {stats && (
        <div class="card">
          <Bar label="Logical (what users stored)" value={stats.logical_bytes} max={stats.logical_bytes} text={bytes(stats.logical_bytes)} />
          <Bar label="After deduplication" value={stats.unique_bytes} max={stats.logical_bytes} text={bytes(stats.unique_bytes)} />
          <Bar label="On storage (compressed)" value={stats.physical_bytes} max={stats.logical_bytes} text={bytes(stats.physical_bytes)} />
          <p>
            Deduplication ratio {stats.dedup_ratio.toFixed(2)} · compression ratio {stats.compression_ratio.toFixed(2)} ·{" "}
            {stats.chunks} chunks · {stats.users} users (
            {Object.entries(stats.users_by_status ?? {}).map(([k, v]) => `${v} ${k}`).join(", ")})
          </p>
        </div>
      )}
      <StorageCharts />
      <Integrity />
    </section>
  );
}

interface AuditEvent {
  id: number;
  at: string;
  actor_id: number | null;
  action: string;
  target: string;
  outcome: string;
  ip: string;
  detail: string;
}

function Audit() {
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [error, setError] = useState<unknown>(null);
  const load = async (more: boolean) => {
    const params = new URLSearchParams({ limit: "100" });
    if (actor.trim()) params.set("actor", actor.trim());
    if (action.trim()) params.set("action", action.trim());
    if (more && next) params.set("cursor", next);
    const page = await api<{ items: AuditEvent[]; next_cursor: string | null }>(`/api/v1/audit?${params}`);
    setItems(more ? [...items, ...page.items] : page.items);
    setNext(page.next_cursor);
  };
  useEffect(() => void load(false).catch(setError), []);
  // The whole log with its hash chain, as JSON Lines (what `coffer audit verify` checks).
  const exportLog = useAction(async () => {
    const response = await api<Response>("/api/v1/admin/audit/export", { raw: true });
    const url = URL.createObjectURL(await response.blob());
    try {
      download(url, "coffer-audit.jsonl");
    } finally {
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
  });
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <button type="button" disabled={exportLog.busy} onClick={() => void exportLog.run()}>
        Export (JSON Lines)
      </button>
      <ErrorText error={exportLog.error} />
      <form class="inline-form" onSubmit={(e) => (e.preventDefault(), setError(null), void load(false).catch(setError))}>
        <label>
          Actor (user id)
          <input inputMode="numeric" value={actor} onInput={(e) => setActor(e.currentTarget.value)} />
        </label>
        <label>
          Action
          <input placeholder="e.g. login" value={action} onInput={(e) => setAction(e.currentTarget.value)} />
        </label>
        <button class="primary">Filter</button>
      </form>
      <ErrorText error={error} />
      <div class="table-scroll">
        <table class="table">
          <TableHead columns={["When", "Actor", "Action", "Target", "Outcome", "Address", "Detail"]} />
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>{date(e.at)}</td>
                <td>{e.actor_id ?? ""}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td class={"outcome " + e.outcome}>{e.outcome}</td>
                <td>{e.ip}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next && (
        <button type="button" onClick={() => void load(true).catch(setError)}>
          Older events
        </button>
      )}
    </section>
  );
}

const kTabs = [
  ["users", "Users"],
  ["groups", "Groups"],
  ["settings", "Registration"],
  ["storage", "Storage"],
  ["audit", "Audit log"],
  ["jobs", "Job queue"],
] as const;

export function Admin(props: { user: User }) {
  const tabs = props.user.role === "admin" ? kTabs : kTabs.filter(([k]) => k === "storage" || k === "jobs");
  const [tab, setTab] = useState<string>(tabs[0][0]);
  return (
    <section class="page admin" aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <div role="tablist" aria-label="Administration" class="tabs"
        onKeyDown={(e) => {
          const i = tabs.findIndex(([k]) => k === tab);
          const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : null;
          if (next === null) return;
          const k = tabs[(next + tabs.length) % tabs.length][0];
          setTab(k);
          document.getElementById(`tab-${k}`)?.focus();
        }}>
        {tabs.map(([key, label]) => (
          <button key={key} id={`tab-${key}`} role="tab" type="button" aria-selected={tab === key}
            aria-controls="admin-panel" tabIndex={tab === key ? 0 : -1} onClick={() => setTab(key)}>
            {label}
          </button>
        ))}
      </div>
      <div id="admin-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === "users" && <Users />}
        {tab === "groups" && <Groups />}
        {tab === "settings" && <ServerSettings />}
        {tab === "storage" && <Statistics />}
        {tab === "audit" && <Audit />}
        {tab === "jobs" && <JobQueue />}
      </div>
    </section>
  );
}
