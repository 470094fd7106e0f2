// End-to-end tests of the web UI: Debian's Chromium, driven by playwright-core, against a real
// coffer on loopback. Prints one line per step and "e2e: N passed, M failed"; exits non-zero
// on any failure.
//
//   node web/e2e/run.mjs            starts build/coffer on a temporary data directory itself
//   COFFER_E2E_URL=http://127.0.0.1:PORT COFFER_E2E_USER=alice COFFER_E2E_PASSWORD=…
//   COFFER_E2E_ADMIN=admin COFFER_E2E_ADMIN_PASSWORD=… node web/e2e/run.mjs
//                                   uses a running server with those two accounts, started
//                                   with --token-ttl 10 (tests/integration/test_web_ui.py)
//
// Screenshots of the main screens go to web/e2e/screenshots/ (not committed).
import { spawn, execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, "screenshots");
mkdirSync(shots, { recursive: true });
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret.
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}
const currentStep = () => Math.floor(Date.now() / 1000 / 30);

// A valid PNG (a gradient), so the preview has something to decode.
function makePng(width, height) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const line = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) line.set([(x * 255) / width, (y * 255) / height, 160], 1 + x * 3);
    rows.push(line);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
const png = makePng(320, 200);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

// Starts build/coffer when no server is given.
async function ownServer() {
  const bin = process.env.COFFER_BIN ?? join(here, "../../build/coffer");
  const data = mkdtempSync(join(tmpdir(), "coffer-e2e-"));
  const accounts = {
    user: "alice",
    password: "alice-" + randomBytes(6).toString("hex"),
    admin: "admin",
    adminPassword: "admin-" + randomBytes(6).toString("hex"),
  };
  execFileSync(bin, ["user", "add", accounts.user, "--password-stdin", "--data", data], { input: accounts.password + "\n" });
  execFileSync(bin, ["user", "add", accounts.admin, "--admin", "--password-stdin", "--data", data], {
    input: accounts.adminPassword + "\n",
  });
  const port = await freePort();
  const proc = spawn(bin, ["serve", "--data", data, "--listen", `127.0.0.1:${port}`, "--token-ttl", "10"], {
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 500; i++) {
    try {
      if ((await fetch(url + "/health/live")).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    url,
    ...accounts,
    stop() {
      proc.kill("SIGTERM");
      rmSync(data, { recursive: true, force: true });
    },
  };
}

const server = process.env.COFFER_E2E_URL
  ? {
      url: process.env.COFFER_E2E_URL,
      user: process.env.COFFER_E2E_USER,
      password: process.env.COFFER_E2E_PASSWORD,
      admin: process.env.COFFER_E2E_ADMIN,
      adminPassword: process.env.COFFER_E2E_ADMIN_PASSWORD,
      stop() {},
    }
  : await ownServer();

const profile = mkdtempSync(join(tmpdir(), "coffer-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 800 },
  acceptDownloads: true,
});
context.setDefaultTimeout(15_000);
const page = context.pages()[0] ?? (await context.newPage());
const consoleErrors = [];
page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
page.on("pageerror", (e) => consoleErrors.push(String(e)));

const results = [];
async function step(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`  ok    ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`  FAIL  ${name}\n        ${String(e?.message ?? e).split("\n").slice(0, 6).join("\n        ")}`);
    await page.screenshot({ path: join(shots, `failure-${results.length}.png`) }).catch(() => {});
    // A dialog left open would block the steps after this one.
    await page.keyboard.press("Escape").catch(() => {});
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
const row = (name) => page.locator(".rows .row", { has: page.getByRole("link", { name, exact: true }) });

async function signIn(username, password) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut() {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
}

const files = mkdtempSync(join(tmpdir(), "coffer-e2e-files-"));
const big = join(files, "big.bin");
writeFileSync(big, randomBytes(6 * 1024 * 1024));
writeFileSync(join(files, "photo.png"), png);
writeFileSync(join(files, "notes.md"), "# Notes\n\nSome **bold** text and <script>alert(1)</script>.\n\n- one\n- two\n");

console.log(`e2e: ${server.url} with ${chromiumPath}`);

await step("the sign-in page is served with a strict CSP and rejects a wrong password", async () => {
  const response = await page.goto(server.url + "/files");
  const csp = response.headers()["content-security-policy"];
  check(csp.includes("default-src 'self'") && !csp.includes("unsafe-inline"), "CSP: " + csp);
  await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
  await shot("login");
  await signIn(server.user, "not-the-password");
  await page.getByRole("alert").waitFor();
  check((await page.getByRole("alert").textContent()).length > 5, "an error message is shown");
});

await step("log in, and stay signed in across a reload (silent refresh)", async () => {
  await page.getByLabel("Password").fill(server.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "My files" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "My files" }).waitFor();
});

await step("access tokens expire (10 s) and are renewed without a sign-in", async () => {
  // Past the lifetime of the token the sign-in gave, with the page idle meanwhile.
  await page.waitForTimeout(12_000);
  await page.getByRole("link", { name: "Trash" }).click();
  await page.getByRole("heading", { name: "Trash" }).waitFor();
  await page.getByText("The trash is empty.").waitFor();
  await page.getByRole("link", { name: "Files", exact: true }).click();
  await page.getByRole("heading", { name: "My files" }).waitFor();
});

await step("create a folder", async () => {
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByLabel("Folder name").fill("Reports");
  await page.getByRole("button", { name: "Create" }).click();
  await row("Reports").waitFor();
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByLabel("Folder name").fill("Archive");
  await page.keyboard.press("Enter");
  await row("Archive").waitFor();
});

await step("upload several files with the progress visible", async () => {
  await row("Reports").getByRole("link").click();
  await page.getByRole("heading", { name: "Reports" }).waitFor();
  // A slow uplink, so the progress of the big file can be watched mid-way.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 1024 * 1024,
  });
  await page.getByLabel("Upload files").setInputFiles([
    big,
    join(files, "photo.png"),
    join(files, "notes.md"),
  ]);
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".upload progress")].some((p) => p.value > 0 && p.value < p.max),
  );
  const overall = page.locator(".uploads progress.overall");
  check(await overall.isVisible(), "the overall progress bar is visible");
  await page.locator(".uploads .meta", { hasText: "left" }).first().waitFor();
  await shot("upload");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await page.getByRole("heading", { name: "3 uploaded" }).waitFor({ timeout: 60_000 });
  for (const name of ["big.bin", "photo.png", "notes.md"]) await row(name).waitFor();
  check((await overall.getAttribute("value")) === (await overall.getAttribute("max")), "overall progress complete");
  await shot("files");
});

await step("upload a whole folder (its folders are created as needed)", async () => {
  const album = join(files, "Album");
  mkdirSync(join(album, "2024"), { recursive: true });
  writeFileSync(join(album, "cover.txt"), "cover");
  writeFileSync(join(album, "2024", "january.txt"), "january");
  await page.getByLabel("Upload folder").setInputFiles(album);
  await page.getByRole("heading", { name: "2 uploaded" }).waitFor({ timeout: 60_000 });
  await row("Album").getByRole("link").click();
  await row("cover.txt").waitFor();
  await row("2024").getByRole("link").click();
  await row("january.txt").waitFor();
  await page.getByRole("link", { name: "Reports" }).click();
  await row("photo.png").waitFor();
});

await step("preview an image, and Markdown as text (no HTML from the file)", async () => {
  await row("photo.png").getByRole("link").click();
  const img = page.getByRole("dialog").getByRole("img", { name: "photo.png" });
  await img.waitFor();
  await page.waitForFunction(() => document.querySelector("dialog img")?.naturalWidth === 320);
  await shot("preview");
  await page.getByRole("button", { name: "Previous file" }).click();
  await page.getByRole("dialog").getByRole("heading", { name: "Notes", exact: true }).waitFor();
  check((await page.locator("dialog .markdown script").count()) === 0, "no script element from the file");
  check((await page.locator("dialog .markdown").textContent()).includes("<script>"), "the tag is shown as text");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
});

await step("rename and move (folder picker)", async () => {
  await row("notes.md").click();
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("New name").fill("minutes.md");
  await page.keyboard.press("Enter");
  await row("minutes.md").waitFor();
  await row("minutes.md").click();
  await page.getByRole("button", { name: "Move", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "My files" }).click();
  await dialog.getByRole("button", { name: "Archive" }).click();
  await dialog.getByRole("button", { name: /Move here \(Archive\)/ }).click();
  await row("minutes.md").waitFor({ state: "detached" });
  await page.getByRole("link", { name: "My files" }).click();
  await row("Archive").getByRole("link").click();
  await row("minutes.md").waitFor();
});

await step("keyboard: arrows select, Delete moves to the trash", async () => {
  await page.getByRole("grid").focus();
  await page.keyboard.press("Home");
  await page.keyboard.press("Space");
  check((await row("minutes.md").getAttribute("aria-selected")) === "true", "selected with Space");
  await page.keyboard.press("Delete");
  await page.getByRole("dialog").getByRole("button", { name: "Move to trash" }).click();
  await row("minutes.md").waitFor({ state: "detached" });
});

await step("restore from the trash", async () => {
  await page.getByRole("link", { name: "Trash" }).click();
  await page.getByRole("heading", { name: "Trash" }).waitFor();
  await page.getByRole("button", { name: "Restore minutes.md" }).click();
  await page.getByText("The trash is empty.").waitFor();
  await shot("trash");
  await page.getByRole("link", { name: "Files", exact: true }).click();
  await row("Archive").getByRole("link").click();
  await row("minutes.md").waitFor();
});

let enrolStep = 0;
await step("enrol in two-factor authentication (QR code, recovery codes)", async () => {
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
  const secret = (await page.getByTestId("totp-secret").textContent()).trim();
  await shot("settings-mfa");
  enrolStep = currentStep();
  await page.getByLabel("Code from the app").fill(totp(secret, enrolStep));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByRole("region", { name: "Recovery codes" }).waitFor();
  check((await page.locator(".codes li").count()) === 10, "ten recovery codes");
  server.totpSecret = secret;
});

await step("log in with a TOTP code", async () => {
  await signOut();
  await signIn(server.user, server.password);
  await page.getByLabel("Authentication code").waitFor();
  // A code is good once: take the step after the one the enrolment used (±1 step is accepted).
  await page.getByLabel("Authentication code").fill(totp(server.totpSecret, Math.max(currentStep(), enrolStep + 1)));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { name: "My files" }).waitFor();
});

await step("admin creates a user and sets a quota", async () => {
  await signOut();
  await signIn(server.admin, server.adminPassword);
  await page.getByRole("link", { name: "Admin" }).click();
  await page.getByRole("tab", { name: "Users" }).waitFor();
  await page.getByRole("button", { name: "New user" }).click();
  await page.getByLabel("Username").fill("carol");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("region", { name: "New user's password" }).waitFor();
  await page.getByRole("button", { name: "Edit carol" }).click();
  await page.getByLabel(/^Quota/).fill("100 MiB");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("tr[data-user=carol] td", { hasText: "100 MiB" }).waitFor();
  await shot("admin");
  await page.getByRole("tab", { name: "Audit log" }).click();
  await page.getByRole("cell", { name: "admin.user.update" }).first().waitFor().catch(() => {});
  await page.getByRole("table").waitFor();
  await shot("audit");
});

await step("a folder of 900 entries: two pages, only the rows in view are in the page", async () => {
  // Seeded through the API (faster than clicking): 900 sub-folders, so the list needs two
  // pages of 500.
  const login = await fetch(server.url + "/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: server.admin, password: server.adminPassword, token_delivery: "body" }),
  });
  const { access_token: token } = await login.json();
  const call = async (path, body) => {
    const r = await fetch(server.url + path, {
      method: body ? "POST" : "GET",
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    check(r.ok, `${path}: ${r.status}`);
    return r.json();
  };
  const root = await call("/api/v1/folders/root");
  const many = await call("/api/v1/folders", { parent_id: root.id, name: "Many" });
  const names = Array.from({ length: 900 }, (_, i) => `entry-${String(i).padStart(4, "0")}`);
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(names.slice(i, i + 10).map((name) => call("/api/v1/folders", { parent_id: many.id, name })));
  }
  // In-app navigation, not a page load: a load that cancels the page's timed refresh in
  // flight can lose the rotated cookie, and the server then ends the session as a reuse.
  await page.getByRole("link", { name: "Files", exact: true }).click();
  await row("Many").getByRole("link").click();
  await row("entry-0000").waitFor();
  const rendered = () => page.locator(".rows .row").count();
  check((await rendered()) < 80, `rows in the page: ${await rendered()}`);
  await page.getByRole("grid").focus();
  // End goes to the last loaded row, which brings the next page; End again reaches the last.
  await page.keyboard.press("End");
  await page.locator(".status-line", { hasText: /^900 items/ }).waitFor();
  await page.keyboard.press("End");
  await row("entry-0899").waitFor();
  check((await rendered()) < 80, `rows in the page at the end: ${await rendered()}`);
  await page.keyboard.press("Home");
  await row("entry-0000").waitFor();
});

await step("phone width: the menu folds and the file list still works", async () => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Files", exact: true }).click();
  await page.getByRole("heading", { name: "My files" }).waitFor();
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Files", exact: true }).waitFor();
  await shot("files-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
});

await step("no errors in the browser console", async () => {
  // Expected failures (the wrong password, the probe for a session on first load) are
  // reported by the browser as failed resources; anything else is a bug.
  const unexpected = consoleErrors.filter((e) => !/status of 40[13]/.test(e));
  check(unexpected.length === 0, unexpected.join("\n"));
});

await context.close();
server.stop();
rmSync(profile, { recursive: true, force: true });
rmSync(files, { recursive: true, force: true });
const failed = results.filter(([, ok]) => !ok).length;
console.log(`e2e: ${results.length - failed} passed, ${failed} failed (screenshots in ${shots})`);
process.exit(failed ? 1 : 0);
