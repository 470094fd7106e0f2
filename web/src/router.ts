// Client routes on the History API: the server answers every non-API path with index.html.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

export function navigate(path: string, replace = false) {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  listeners.forEach((l) => l());
}

window.addEventListener("popstate", () => listeners.forEach((l) => l()));

// A part of the address, kept current across navigations.
function useAddress(read: () => string): string {
  const [value, setValue] = useState(read());
  useEffect(() => {
    const update = () => setValue(read());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return value;
}

export function usePath(): string {
  return useAddress(() => location.pathname);
}

// Follows same-origin links without a page load.
export function onLinkClick(event: MouseEvent) {
  const a = (event.target as HTMLElement).closest("a");
  if (!a || a.target || a.hasAttribute("download") || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/docs")) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}

// The query string of the current address (?q=… on /search, ?select=… on /files), updated on
// every navigation, also between two addresses of the same path.
export function useQuery(): URLSearchParams {
  return new URLSearchParams(useAddress(() => location.search));
}
