// The app shell: who is signed in, the navigation, and which screen a path shows.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./styles.css";
import { me, refresh, setSignedOutHandler, logout, type User } from "./api";
import { navigate, onLinkClick, usePath } from "./router";
import { Notices, toastError } from "./ui";
import { Login, ResetPassword } from "./login";
import { FileBrowser } from "./files";
import { Trash } from "./trash";
import { Settings } from "./settings";
import { Admin } from "./admin";
import { UploadProvider } from "./upload";
import { SharedWithMe } from "./shared";
import { PublicLink } from "./public_link";
import { SearchBox, SearchPage } from "./search";

function Nav(props: { user: User; path: string }) {
  const [open, setOpen] = useState(false);
  const links: [string, string][] = [
    ["/files", "Files"],
    ["/shared", "Shared with me"],
    ["/trash", "Trash"],
    ["/settings", "Settings"],
  ];
  if (props.user.role === "admin" || props.user.role === "operator") links.push(["/admin", "Admin"]);
  return (
    <header class="topbar">
      <a class="brand" href="/files">
        Coffer
      </a>
      <SearchBox />
      <button
        type="button"
        class="menu-toggle"
        aria-expanded={open}
        aria-controls="main-nav"
        onClick={() => setOpen(!open)}
      >
        Menu
      </button>
      <nav id="main-nav" class={open ? "open" : ""} aria-label="Main">
        {links.map(([href, label]) => (
          <a
            key={href}
            href={href}
            aria-current={props.path.startsWith(href) ? "page" : undefined}
            onClick={() => setOpen(false)}
          >
            {label}
          </a>
        ))}
        <span class="who" title="Signed in as">
          {props.user.username}
        </span>
        <button type="button" onClick={() => void logout().catch(toastError)}>
          Sign out
        </button>
      </nav>
    </header>
  );
}

function App() {
  const path = usePath();
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);

  const loadUser = async () => setUser(await me());

  useEffect(() => {
    setSignedOutHandler(() => {
      setUser(null);
      if (!location.pathname.startsWith("/login")) {
        navigate("/login?next=" + encodeURIComponent(location.pathname), true);
      }
    });
    // A page load has no access token: a live refresh cookie signs the user in silently.
    refresh()
      .then(async (ok) => {
        if (ok) await loadUser();
      })
      .catch(() => {})
      .finally(() => setChecked(true));
  }, []);

  useEffect(() => {
    const title = path.split("/")[1] || "files";
    document.title = `${title.charAt(0).toUpperCase() + title.slice(1)} – Coffer`;
  }, [path]);

  if (!checked) return <p class="loading">Loading…</p>;

  if (path.startsWith("/reset-password")) return <ResetPassword />;
  if (!user) {
    return (
      <Login
        onSignedIn={async () => {
          await loadUser();
          const next = new URLSearchParams(location.search).get("next");
          navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/files", true);
        }}
      />
    );
  }
  if (path === "/" || path.startsWith("/login")) {
    navigate("/files", true);
    return null;
  }

  // Screens by path. Features being built elsewhere add theirs here and a link in Nav:
  // "/search", "/jobs". Public share pages (/s/) are a separate root, below.
  let screen;
  if (path.startsWith("/files")) {
    const id = Number(path.split("/")[2]) || user.root_id;
    screen = <FileBrowser folderId={id} rootId={user.root_id} isAdmin={user.role === "admin"} />;
  } else if (path === "/search") {
    screen = <SearchPage />;
  } else if (path.startsWith("/shared")) {
    screen = <SharedWithMe />;
  } else if (path.startsWith("/trash")) {
    screen = <Trash />;
  } else if (path.startsWith("/settings")) {
    screen = <Settings user={user} onChanged={loadUser} />;
  } else if (path.startsWith("/admin") && user.role !== "user") {
    screen = <Admin user={user} />;
  } else {
    screen = (
      <section class="page">
        <h1>Not found</h1>
        <p>
          There is nothing at this address. <a href="/files">Go to your files</a>.
        </p>
      </section>
    );
  }
  return (
    <UploadProvider>
      <Nav user={user} path={path} />
      <main id="main">{screen}</main>
    </UploadProvider>
  );
}

// A public share page (/s/{token}, which the server answers with this app for a browser's
// navigation) needs no account: it never touches the session, so a visitor's page neither
// signs anyone in nor spends the refresh cookie of a user who happens to be signed in.
const publicToken = /^\/s\/([^/]+)\/?$/.exec(location.pathname)?.[1];
if (!publicToken) document.addEventListener("click", onLinkClick);
render(
  <>
    {publicToken ? <PublicLink token={decodeURIComponent(publicToken)} /> : <App />}
    <Notices />
  </>,
  document.getElementById("app")!,
);
