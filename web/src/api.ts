// The public REST API (/api/v1), as the browser uses it: the access token lives in memory
// only; the refresh token is an httpOnly cookie the page cannot read, and a refresh proves
// it comes from this page by echoing the readable coffer_csrf cookie (double submit).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId = "",
  ) {
    super(message);
  }
}

// A message for people: the server's own words, or a plain explanation of what went wrong.
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "TOO_MANY_REQUESTS") return "Too many requests; wait a moment and try again.";
    if (error.code === "QUOTA_EXCEEDED") return "Your storage quota cannot take this: " + error.message;
    return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  }
  if (error instanceof Error && error.name === "AbortError") return "Cancelled.";
  if (error instanceof TypeError) return "The server cannot be reached. Check the connection and try again.";
  return String(error);
}

export interface Node {
  id: number;
  parent_id: number | null;
  name: string;
  type: "folder" | "file";
  created: string;
  modified: string;
  size?: number;
  sha256?: string;
  mime?: string;
  version_id?: number;
}

export interface NodeDetails extends Node {
  status: "pending" | "active" | "archived" | "error";
  tags: string[];
  metadata: Record<string, unknown> | null;
}

export interface User {
  id: number;
  username: string;
  role: "admin" | "operator" | "user";
  root_id: number;
  created: string;
  status: string;
  quota_bytes: number | null;
  mfa_enabled?: boolean;
  password?: string;
}

let accessToken = "";
let refreshTimer: number | undefined;
let onSignedOut: () => void = () => {};

export function setSignedOutHandler(handler: () => void) {
  onSignedOut = handler;
}

function cookie(name: string): string {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const body = await response.json();
    if (body?.error?.code) {
      return new ApiError(response.status, body.error.code, body.error.message, body.error.request_id);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, "HTTP_" + response.status, `The server answered ${response.status}.`);
}

interface Tokens {
  access_token: string;
  expires_in: number;
}

function adopt(tokens: Tokens) {
  accessToken = tokens.access_token;
  window.clearTimeout(refreshTimer);
  // Refresh a minute before expiry (short lifetimes: at 80%), so requests rarely meet an
  // expired token; one that does is refreshed on its 401 (api()).
  const seconds = tokens.expires_in > 300 ? tokens.expires_in - 60 : tokens.expires_in * 0.8;
  const delay = Math.max(5, seconds) * 1000;
  refreshTimer = window.setTimeout(() => void refresh().catch(() => {}), delay);
}

let refreshing: Promise<boolean> | null = null;

// Trades the refresh cookie for a new access token. The cookie rotates on every use and a
// reused one ends the session, so refreshes are serialised across this origin's tabs with a
// Web Lock: the second tab sends the cookie the first one received.
export function refresh(): Promise<boolean> {
  if (refreshing) return refreshing;
  const attempt = async () => {
    if (!cookie("coffer_csrf")) return false;
    const response = await fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "X-CSRF-Token": cookie("coffer_csrf") },
      credentials: "same-origin",
      // Outlives a page load or close that starts meanwhile, so the rotated cookie is still
      // stored: the server ends the session when the old one is presented again.
      keepalive: true,
    });
    if (!response.ok) return false;
    adopt(await response.json());
    return true;
  };
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  const run: Promise<boolean> = locks ? (locks.request("coffer-refresh", attempt) as unknown as Promise<boolean>) : attempt();
  const pending = run.finally(() => {
    refreshing = null;
  });
  refreshing = pending;
  return pending;
}

export function authHeader(): string {
  return "Bearer " + accessToken;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  raw?: boolean; // return the Response itself
}

// One API call. An expired access token is refreshed once, silently, and the call repeated;
// a refresh that fails means the session is over and the app returns to the sign-in page.
export async function api<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const send = () => {
    const headers: Record<string, string> = { ...options.headers };
    if (accessToken) headers.Authorization = authHeader();
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    return fetch(path, { method: options.method ?? "GET", headers, body, signal: options.signal });
  };
  let response = await send();
  if (response.status === 401 && accessToken) {
    if (await refresh()) {
      response = await send();
    } else {
      signedOut();
    }
  }
  if (!response.ok) throw await errorFrom(response);
  if (options.raw) return response as unknown as T;
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function signedOut() {
  accessToken = "";
  window.clearTimeout(refreshTimer);
  onSignedOut();
}

export async function login(username: string, password: string, second?: { totp_code?: string; recovery_code?: string }) {
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password, token_delivery: "cookie", ...second }),
  });
  if (!response.ok) throw await errorFrom(response);
  adopt(await response.json());
}

export async function logout() {
  try {
    await api("/api/v1/auth/logout", { method: "POST" });
  } finally {
    signedOut();
  }
}

export function me(): Promise<User> {
  return api<User>("/api/v1/auth/me");
}

// A short-lived signed URL for the file's current version, usable where no header can be
// sent: downloads, <img>, <audio>, <video>.
export async function signedUrl(fileId: number, disposition: "attachment" | "inline"): Promise<string> {
  const result = await api<{ url: string }>(`/api/v1/files/${fileId}/download-url`, {
    method: "POST",
    body: { disposition, expires_in: 600 },
  });
  return result.url;
}

export function download(url: string, name: string) {
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export const enc = encodeURIComponent;
