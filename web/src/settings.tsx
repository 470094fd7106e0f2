// The user's own settings: storage usage, password, two-factor authentication (TOTP with
// recovery codes), sessions, personal API tokens and S3 access keys.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type User } from "./api";
import { bytes, date } from "./format";
import { QrCode } from "./qr";
import { CopyButton, ErrorText, toast, toastError, useAction } from "./ui";
import { UsageHistory } from "./charts";

function Usage() {
  const [usage, setUsage] = useState<{
    used: number;
    limit: number | null;
    breakdown: { files: number; versions: number; trash: number; properties: number };
    counts: { files: number; folders: number };
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => void api<typeof usage>("/api/v1/usage").then(setUsage, setError), []);
  return (
    <section class="card" aria-labelledby="usage-title">
      <h2 id="usage-title">Storage</h2>
      <ErrorText error={error} />
      {usage && (
        <>
          <p>
            {bytes(usage.used)} used{usage.limit !== null ? ` of ${bytes(usage.limit)}` : " (no quota)"}
          </p>
          {usage.limit !== null && <progress max={usage.limit || 1} value={usage.used} aria-label="Storage used" />}
          <p class="muted">
            Files {bytes(usage.breakdown.files)} · older versions {bytes(usage.breakdown.versions)} · trash{" "}
            {bytes(usage.breakdown.trash)}
            {usage.breakdown.properties > 0 && <> · WebDAV properties {bytes(usage.breakdown.properties)}</>} ·{" "}
            {usage.counts.files} files in {usage.counts.folders} folders
          </p>
        </>
      )}
    </section>
  );
}

function Password() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const action = useAction(async () => {
    await api("/api/v1/auth/password", { method: "POST", body: { current_password: current, new_password: next } });
    setCurrent("");
    setNext("");
    toast("Password changed. Your other sessions were signed out.");
  });
  return (
    <form class="card" aria-labelledby="password-title" onSubmit={(e) => (e.preventDefault(), void action.run())}>
      <h2 id="password-title">Password</h2>
      <label>
        Current password
        <input type="password" autoComplete="current-password" required value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)} />
      </label>
      <label>
        New password (at least 10 characters)
        <input type="password" autoComplete="new-password" required minLength={10} value={next}
          onInput={(e) => setNext(e.currentTarget.value)} />
      </label>
      <ErrorText error={action.error} />
      <button class="primary" disabled={action.busy}>
        Change password
      </button>
    </form>
  );
}

function TwoFactor(props: { enabled: boolean; onChanged: () => Promise<void> }) {
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const begin = useAction(async () => {
    setEnrolment(await api("/api/v1/auth/mfa/totp", { method: "POST" }));
  });
  const confirm = useAction(async () => {
    const result = await api<{ recovery_codes: string[] }>("/api/v1/auth/mfa/totp/confirm", {
      method: "POST",
      body: { code: code.trim() },
    });
    setRecovery(result.recovery_codes);
    setEnrolment(null);
    setCode("");
    await props.onChanged();
  });
  const disable = useAction(async () => {
    const trimmed = code.trim();
    const second = /^\d{6}$/.test(trimmed) ? { code: trimmed } : { recovery_code: trimmed };
    await api("/api/v1/auth/mfa/totp", { method: "DELETE", body: { password, ...second } });
    setCode("");
    setPassword("");
    setRecovery(null);
    toast("Two-factor authentication is off.");
    await props.onChanged();
  });

  return (
    <section class="card" aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-factor authentication</h2>
      {recovery && (
        <div class="recovery" role="region" aria-label="Recovery codes">
          <p>
            <strong>Two-factor authentication is on.</strong> Keep these recovery codes somewhere safe: each signs
            you in once if you lose your authenticator. They are shown only now.
          </p>
          <ul class="codes mono">
            {recovery.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <CopyButton text={recovery.join("\n")}>Copy codes</CopyButton>
        </div>
      )}
      {!props.enabled && !enrolment && (
        <>
          <p>Protect your account with a code from an authenticator app when you sign in.</p>
          <ErrorText error={begin.error} />
          <button type="button" class="primary" disabled={begin.busy} onClick={() => void begin.run()}>
            Set up two-factor authentication
          </button>
        </>
      )}
      {enrolment && (
        <form onSubmit={(e) => (e.preventDefault(), void confirm.run())}>
          <p>Scan this code with your authenticator app, then enter the six-digit code it shows.</p>
          <QrCode text={enrolment.otpauth_uri} label="QR code for your authenticator app" />
          <p>
            Or enter this key by hand: <code class="mono" data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <label>
            Code from the app
            <input inputMode="numeric" autoComplete="one-time-code" required value={code}
              onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <ErrorText error={confirm.error} />
          <button class="primary" disabled={confirm.busy}>
            Turn on
          </button>
        </form>
      )}
      {props.enabled && (
        <form onSubmit={(e) => (e.preventDefault(), void disable.run())}>
          <p>Two-factor authentication is on. To turn it off, confirm with your password and a code.</p>
          <label>
            Password
            <input type="password" autoComplete="current-password" required value={password}
              onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <label>
            Authentication code or recovery code
            <input autoComplete="one-time-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <ErrorText error={disable.error} />
          <button class="danger" disabled={disable.busy}>
            Turn off
          </button>
        </form>
      )}
    </section>
  );
}

interface Session {
  id: number;
  created: string;
  last_used: string;
  ip: string;
  user_agent: string;
  current: boolean;
}

function Sessions() {
  const [items, setItems] = useState<Session[]>([]);
  const [error, setError] = useState<unknown>(null);
  const load = () => api<{ items: Session[] }>("/api/v1/auth/sessions").then((r) => setItems(r.items), setError);
  useEffect(() => void load(), []);
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <ErrorText error={error} />
      <ul class="plain">
        {items.map((s) => (
          <li key={s.id} class="item-row">
            <span>
              <strong>{s.current ? "This browser" : s.user_agent || "Unknown client"}</strong>
              <br />
              <span class="muted">
                {s.ip} · last used {date(s.last_used)} · signed in {date(s.created)}
              </span>
            </span>
            {!s.current && (
              <button type="button" onClick={() =>
                void api(`/api/v1/auth/sessions/${s.id}`, { method: "DELETE" }).then(load).catch(toastError)}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

// A secret shown once, until the user is done with it. It takes the focus when it appears, so a
// keyboard or screen-reader user lands on it.
function ShownOnce(props: { label: string; onDone: () => void; children: ComponentChildren }) {
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => region.current?.focus(), []);
  return (
    <div class="secret" role="region" aria-label={props.label} tabIndex={-1} ref={region}>
      {props.children}
      <button type="button" class="link" onClick={props.onDone}>
        Done
      </button>
    </div>
  );
}

function WriteScope(props: { checked: boolean; onChange: (write: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      May also change files
    </label>
  );
}

const scopesFor = (write: boolean) => (write ? ["files:read", "files:write"] : ["files:read"]);

// One credential of a list (API token, S3 key), with its revoke button.
function CredentialRow(props: { title: ComponentChildren; detail: string; revokeLabel: string; path: string; onRevoked: () => void }) {
  return (
    <li class="item-row">
      <span>
        {props.title}
        <br />
        <span class="muted">{props.detail}</span>
      </span>
      <button type="button" aria-label={props.revokeLabel}
        onClick={() => void api(props.path, { method: "DELETE" }).then(props.onRevoked).catch(toastError)}>
        Revoke
      </button>
    </li>
  );
}

const lastUsed = (at: string | null) => (at ? `last used ${date(at)}` : "never used");

interface Token {
  id: number;
  name: string;
  scopes: string;
  created: string;
  expires: string | null;
  last_used: string | null;
}

function Tokens() {
  const [items, setItems] = useState<Token[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState("");
  const [write, setWrite] = useState(false);
  const [days, setDays] = useState("90");
  const [secret, setSecret] = useState<string | null>(null);
  const load = () => api<{ items: Token[] }>("/api/v1/auth/tokens").then((r) => setItems(r.items), setError);
  useEffect(() => void load(), []);
  const create = useAction(async () => {
    const body: Record<string, unknown> = { name: name.trim(), scopes: scopesFor(write) };
    if (Number(days) > 0) body.expires_in = Number(days) * 86400;
    const token = await api<{ token: string }>("/api/v1/auth/tokens", { method: "POST", body });
    setSecret(token.token);
    setName("");
    await load();
  });
  return (
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p class="muted">For scripts and apps: send as <code>Authorization: Bearer …</code>.</p>
      {secret && (
        <ShownOnce key={secret} label="New token" onDone={() => setSecret(null)}>
          <p>Copy the new token now: it is shown only once.</p>
          <code class="mono" data-testid="new-token">{secret}</code>
          <CopyButton text={secret}>Copy</CopyButton>
        </ShownOnce>
      )}
      <form class="inline-form" onSubmit={(e) => (e.preventDefault(), void create.run())}>
        <label>
          Name
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Expires in (days, 0 for never)
          <input type="number" min={0} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </label>
        <WriteScope checked={write} onChange={setWrite} />
        <button class="primary" disabled={create.busy}>
          Create token
        </button>
      </form>
      <ErrorText error={error ?? create.error} />
      <ul class="plain">
        {items.map((t) => (
          <CredentialRow key={t.id} title={<><strong>{t.name}</strong> <span class="muted">({t.scopes})</span></>}
            detail={`created ${date(t.created)} · ${t.expires ? `expires ${date(t.expires)}` : "never expires"} · ${lastUsed(t.last_used)}`}
            revokeLabel={`Revoke token ${t.name}`} path={`/api/v1/auth/tokens/${t.id}`} onRevoked={() => void load()} />
        ))}
      </ul>
    </section>
  );
}

interface S3Key {
  id: number;
  name: string;
  scopes: string;
  access_key_id: string;
  created: string;
  last_used: string | null;
}

// aws-cli's configuration for a new key; the endpoint is whatever the administrator set up.
function awsCliSnippet(accessKeyId: string, secret: string) {
  return [
    `aws configure set aws_access_key_id ${accessKeyId} --profile coffer`,
    `aws configure set aws_secret_access_key ${secret} --profile coffer`,
    "aws --profile coffer --endpoint-url ENDPOINT s3 ls",
  ].join("\n");
}

function S3Keys() {
  const [items, setItems] = useState<S3Key[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState("");
  const [write, setWrite] = useState(true);
  const [created, setCreated] = useState<(S3Key & { secret_access_key: string }) | null>(null);
  const load = () => api<{ items: S3Key[] }>("/api/v1/auth/s3-keys").then((r) => setItems(r.items), setError);
  useEffect(() => void load(), []);
  const create = useAction(async () => {
    setCreated(await api("/api/v1/auth/s3-keys", { method: "POST", body: { name: name.trim(), scopes: scopesFor(write) } }));
    setName("");
    await load();
  });
  return (
    <section class="card" aria-labelledby="s3-keys-title">
      <h2 id="s3-keys-title">S3 access keys</h2>
      <p class="muted">For S3 tools such as aws-cli, rclone, restic and boto3: each bucket is a top-level folder.</p>
      {created && (
        <ShownOnce key={created.id} label="New S3 access key" onDone={() => setCreated(null)}>
          <p>Copy the secret access key now: it is shown only once.</p>
          <dl class="key-pair">
            <dt>Access key ID</dt>
            <dd>
              <code class="mono" data-testid="new-s3-access-key-id">{created.access_key_id}</code>{" "}
              <CopyButton text={created.access_key_id} label="Copy access key ID">Copy</CopyButton>
            </dd>
            <dt>Secret access key</dt>
            <dd>
              <code class="mono" data-testid="new-s3-secret">{created.secret_access_key}</code>{" "}
              <CopyButton text={created.secret_access_key} label="Copy secret access key">Copy</CopyButton>
            </dd>
          </dl>
          <p>
            With aws-cli, where <code>ENDPOINT</code> is the S3 address your administrator configured:
          </p>
          <pre class="mono snippet" data-testid="s3-aws-cli">{awsCliSnippet(created.access_key_id, created.secret_access_key)}</pre>
          <CopyButton text={awsCliSnippet(created.access_key_id, created.secret_access_key)}>Copy commands</CopyButton>
        </ShownOnce>
      )}
      <form class="inline-form" onSubmit={(e) => (e.preventDefault(), void create.run())}>
        <label>
          Key name
          <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <WriteScope checked={write} onChange={setWrite} />
        <button class="primary" disabled={create.busy}>
          Create S3 key
        </button>
      </form>
      <ErrorText error={error ?? create.error} />
      <ul class="plain">
        {items.map((k) => (
          <CredentialRow key={k.id}
            title={<><strong>{k.name}</strong> <code class="mono">{k.access_key_id}</code> <span class="muted">({k.scopes})</span></>}
            detail={`created ${date(k.created)} · ${lastUsed(k.last_used)}`}
            revokeLabel={`Revoke S3 key ${k.name}`} path={`/api/v1/auth/s3-keys/${k.id}`} onRevoked={() => void load()} />
        ))}
      </ul>
    </section>
  );
}

export function Settings(props: { user: User; onChanged: () => Promise<void> }) {
  return (
    <section class="page settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <div class="cards">
        <Usage />
        <UsageHistory />
        <Password />
        <TwoFactor enabled={!!props.user.mfa_enabled} onChanged={props.onChanged} />
        <Sessions />
        <Tokens />
        <S3Keys />
      </div>
    </section>
  );
}
