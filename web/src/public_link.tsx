// The public page of a share link, /s/{token}, for visitors without an account: a file (name,
// size, download, preview of images and PDFs), a folder to browse and download (one file or
// everything as a zip), or a file drop that only takes uploads. A password-protected link asks
// for its password first (POST /s/{token}/unlock); the access token that returns is sent as
// X-Link-Access by this page's requests, and the server also sets it as a cookie scoped to the
// link's path, which is what lets plain download links (navigations) through. Every link that
// cannot be used, whatever the reason, gets the same "not available" page, as the server
// gives the same 404.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, describe, enc } from "./api";
import { bytes, date, displayName } from "./format";
import { ErrorText, useAction } from "./ui";

interface PublicNode {
  id: number;
  name: string;
  kind: "file" | "folder";
  modified: string;
  size?: number;
  mime?: string;
}

interface LinkInfo extends PublicNode {
  file_drop: boolean;
  has_password: boolean;
  expires_at: string | null;
  downloads_left: number | null;
}

type Send = (path: string, init?: RequestInit) => Promise<Response>;

async function failure(response: Response): Promise<ApiError> {
  try {
    const body = await response.json();
    if (body?.error?.code) return new ApiError(response.status, body.error.code, body.error.message);
  } catch {
    // not JSON
  }
  return new ApiError(response.status, "HTTP_" + response.status, `The server answered ${response.status}.`);
}

function NotAvailable() {
  return (
    <section class="card public-card" aria-labelledby="public-title">
      <h1 id="public-title">This link is not available</h1>
      <p>It may have expired, been used up or switched off by its owner. Ask whoever sent it for a new one.</p>
    </section>
  );
}

function PasswordPrompt(props: { send: Send; onUnlocked: (access: string) => void }) {
  const [password, setPassword] = useState("");
  const action = useAction(async () => {
    const response = await props.send("/unlock", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password }),
    });
    if (!response.ok) {
      setPassword("");
      throw await failure(response);
    }
    props.onUnlocked((await response.json()).access_token);
  });
  return (
    <section class="card public-card" aria-labelledby="public-title">
      <h1 id="public-title">This link has a password</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <label>
          Password
          <input type="password" autocomplete="off" value={password} required
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorText error={action.error} />
        <button class="primary" disabled={action.busy || !password}>
          Open
        </button>
      </form>
    </section>
  );
}

// Images show from the content URL itself (the cookie lets it through); a PDF goes through a
// blob: URL, since the server forbids framing its responses. A preview is a download to the
// server, so a link with a download limit shows none rather than spending one.
function FilePreview(props: { info: LinkInfo; base: string; send: Send }) {
  const { info } = props;
  const mime = info.mime ?? "";
  const [pdf, setPdf] = useState<string | null>(null);
  const limited = info.downloads_left !== null;
  const isImage = mime.startsWith("image/") && mime !== "image/svg+xml";
  useEffect(() => {
    if (limited || mime !== "application/pdf") return;
    let url = "";
    let live = true;
    props
      .send("/content?disposition=inline")
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error("no preview"))))
      .then((blob) => {
        url = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
        if (live) setPdf(url);
      })
      .catch(() => {});
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [info.id]);
  if (limited) return null;
  if (isImage) return <img class="preview-image" src={`${props.base}/content?disposition=inline`} alt={info.name} />;
  if (pdf) return <iframe class="preview-pdf" src={pdf} title={`PDF: ${info.name}`} />;
  return null;
}

function FileView(props: { info: LinkInfo; base: string; send: Send }) {
  const { info, base } = props;
  return (
    <section class="card public-card wide" aria-labelledby="public-title">
      <h1 id="public-title">{displayName(info.name)}</h1>
      <p class="muted">
        {bytes(info.size)} · {date(info.modified)}
        {info.downloads_left !== null && ` · ${info.downloads_left} download${info.downloads_left === 1 ? "" : "s"} left`}
        {info.expires_at && ` · available until ${date(info.expires_at)}`}
      </p>
      <p>
        <a class="button primary" href={`${base}/content`} download={info.name}>
          Download
        </a>
      </p>
      <div class="preview">
        <FilePreview {...props} />
      </div>
    </section>
  );
}

function FolderView(props: { info: LinkInfo; base: string; send: Send }) {
  const { info, base, send } = props;
  const [path, setPath] = useState<PublicNode[]>([info]);
  const [items, setItems] = useState<PublicNode[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const folder = path[path.length - 1];

  const load = async (after: string | null) => {
    setError(null);
    try {
      const query = `parent_id=${folder.id}` + (after ? `&cursor=${enc(after)}` : "");
      const response = await send(`/children?${query}`);
      if (!response.ok) throw await failure(response);
      const page: { items: PublicNode[]; next_cursor: string | null } = await response.json();
      setItems((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void load(null), [folder.id]);

  return (
    <section class="card public-card wide" aria-labelledby="public-title">
      <div class="page-head">
        <nav class="crumbs" aria-label="Folder path">
          <ol>
            {path.map((p, i) => (
              <li key={p.id}>
                {i === path.length - 1 ? (
                  <h1 id="public-title" aria-current="page">{displayName(p.name)}</h1>
                ) : (
                  <button type="button" class="link" onClick={() => setPath(path.slice(0, i + 1))}>
                    {displayName(p.name)}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </nav>
        <a class="button primary" href={`${base}/zip`} download={`${info.name}.zip`}>
          Download all as zip
        </a>
      </div>
      {info.expires_at && <p class="muted">Available until {date(info.expires_at)}.</p>}
      <ErrorText error={error} />
      {items.length === 0 && !error && <p class="muted">This folder is empty.</p>}
      <ul class="plain public-list">
        {items.map((item) => (
          <li class="item-row" key={item.id}>
            <span class="col-name">
              <span class={"kind " + item.kind} aria-hidden="true" />
              {item.kind === "folder" ? (
                <button type="button" class="link" onClick={() => setPath([...path, item])}>
                  {displayName(item.name)}
                </button>
              ) : (
                <span>{displayName(item.name)}</span>
              )}
            </span>
            {item.kind === "file" && (
              <span class="row-actions">
                <span class="muted">{bytes(item.size)}</span>
                <a class="button" href={`${base}/files/${item.id}/content`} download={item.name}
                  aria-label={`Download ${item.name}`}>
                  Download
                </a>
              </span>
            )}
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          Show more
        </button>
      )}
    </section>
  );
}

interface Sent {
  key: number;
  name: string;
  size: number;
  loaded: number;
  stored?: string;
  error?: string;
}

// One file to the drop, with progress (XMLHttpRequest: fetch reports no upload progress).
function put(url: string, access: string, file: File, onProgress: (loaded: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (access) xhr.setRequestHeader("X-Link-Access", access);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let body: { name?: string; error?: { message?: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON
      }
      if (xhr.status === 201 && body.name) resolve(body.name);
      else reject(new Error(body.error?.message ?? `The server answered ${xhr.status}.`));
    };
    xhr.onerror = () => reject(new TypeError("network"));
    xhr.send(file);
  });
}

function DropView(props: { info: LinkInfo; base: string; access: string }) {
  const [sent, setSent] = useState<Sent[]>([]);
  const [dragging, setDragging] = useState(false);
  const next = useRef(1);
  const queue = useRef(Promise.resolve());

  const update = (key: number, change: Partial<Sent>) =>
    setSent((list) => list.map((s) => (s.key === key ? { ...s, ...change } : s)));

  const add = (files: File[]) => {
    for (const file of files) {
      const key = next.current++;
      setSent((list) => [...list, { key, name: file.name, size: file.size, loaded: 0 }]);
      // One at a time, in order: the stored names then follow the order they were given.
      queue.current = queue.current.then(() =>
        put(`${props.base}/files/${enc(file.name)}`, props.access, file, (loaded) => update(key, { loaded })).then(
          (stored) => update(key, { stored, loaded: file.size }),
          (e) => update(key, { error: describe(e) }),
        ),
      );
    }
  };

  return (
    <section class="card public-card wide" aria-labelledby="public-title">
      <h1 id="public-title">Send files to “{displayName(props.info.name)}”</h1>
      <p class="muted">What you send goes to the owner of this link. You cannot see what others sent.</p>
      <div
        class={"drop-zone" + (dragging ? " dragging" : "")}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (e.dataTransfer?.files.length) add([...e.dataTransfer.files]);
        }}
      >
        <p>Drop files here, or</p>
        <label class="button primary">
          Choose files
          <input type="file" multiple class="visually-hidden" onChange={(e) => {
            const input = e.currentTarget;
            if (input.files?.length) add([...input.files]);
            input.value = "";
          }} />
        </label>
      </div>
      {sent.length > 0 && (
        <ul class="plain sent" aria-label="Sent files">
          {sent.map((s) => (
            <li key={s.key} class="upload">
              <span class="name">{s.name}</span>
              <progress max={s.size || 1} value={s.size ? s.loaded : s.stored ? 1 : 0} aria-label={`Progress of ${s.name}`} />
              <span class={"meta" + (s.error ? " error" : "")}>
                {s.error ? s.error : s.stored ? `Sent as “${s.stored}” (${bytes(s.size)})` : `${bytes(s.loaded)} of ${bytes(s.size)}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function PublicLink(props: { token: string }) {
  const base = `/s/${enc(props.token)}`;
  const [access, setAccess] = useState("");
  const [info, setInfo] = useState<LinkInfo | null>(null);
  const [state, setState] = useState<"loading" | "password" | "gone" | "ready" | "error">("loading");
  const [error, setError] = useState<unknown>(null);

  const send: Send = (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("Accept", "application/json");
    if (access) headers.set("X-Link-Access", access);
    return fetch(base + path, { ...init, headers, credentials: "same-origin" });
  };

  useEffect(() => {
    document.title = "Shared with you – Coffer";
    (async () => {
      const response = await send("");
      if (response.ok) {
        const body: LinkInfo = await response.json();
        setInfo(body);
        setState("ready");
        document.title = `${body.name} – Coffer`;
      } else if (response.status === 401) {
        setState("password");
      } else if (response.status === 404) {
        setState("gone");
      } else {
        setError(await failure(response));
        setState("error");
      }
    })().catch((e) => {
      setError(e);
      setState("error");
    });
  }, [access]);

  let body;
  if (state === "loading") body = <p class="loading">Loading…</p>;
  else if (state === "gone") body = <NotAvailable />;
  else if (state === "password") body = <PasswordPrompt send={send} onUnlocked={setAccess} />;
  else if (state === "error" || !info) body = <ErrorText error={error} />;
  else if (info.file_drop) body = <DropView info={info} base={base} access={access} />;
  else if (info.kind === "file") body = <FileView info={info} base={base} send={send} />;
  else body = <FolderView info={info} base={base} send={send} />;

  return (
    <>
      <header class="topbar">
        <span class="brand">Coffer</span>
      </header>
      <main id="main" class="public-page">
        {body}
      </main>
    </>
  );
}
