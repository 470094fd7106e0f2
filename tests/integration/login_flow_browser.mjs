// The browser step of Nextcloud Login Flow v2, as a person does it: Debian's Chromium, driven by
// playwright-core (resolved from web/node_modules), opens the login URL a sync client was given,
// signs in with the password and, when asked, the second factor's code, and grants access.
// The fields and buttons are found by their accessible names, so a page a screen reader could
// not use fails here. tests/integration/test_sync_clients.py runs it.
//
//   COFFER_FLOW_URL=<login URL> COFFER_FLOW_USER=alice COFFER_FLOW_PASSWORD=…
//   COFFER_FLOW_TOTP_SECRET=<base32> node tests/integration/login_flow_browser.mjs
//
// Prints one JSON object: {"steps": [...], "granted": true|false, "error": "..."}; exits
// non-zero when access was not granted.
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../web/e2e/chromium.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(join(here, "../../web/package.json"))("playwright-core");

const url = process.env.COFFER_FLOW_URL;
const user = process.env.COFFER_FLOW_USER;
const password = process.env.COFFER_FLOW_PASSWORD;
const secret = process.env.COFFER_FLOW_TOTP_SECRET;

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret, for the step `step`.
function totp(base32Secret, step) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32Secret.replace(/[\s=]/g, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const key = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) key.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", Buffer.from(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

const steps = [];
const result = { steps, granted: false };
let context;
try {
  context = await launchChromium(chromium);
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));

  // What a screen reader is told about the form, and where the cursor is.
  const form = async () => ({
    aria: await page.locator("main").ariaSnapshot(),
    focused: await page.evaluate(() => document.activeElement?.id ?? ""),
  });
  // The state of a field: its value, whether it is required or marked invalid, and the text
  // of what describes it (aria-describedby).
  const field = (locator) => locator.evaluate((el) => ({
    value: el.value,
    required: el.required,
    invalid: el.getAttribute("aria-invalid"),
    description: (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? "").join(" "),
  }));
  const usernameField = page.getByLabel("Username");
  const passwordField = page.getByLabel("Password", { exact: true });
  const codeField = page.getByLabel("Two-factor code or recovery code", { exact: false });
  const submit = async () => {
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "Grant access" }).click(),
    ]);
    return response.status();
  };

  const opened = await page.goto(url);
  steps.push({ step: "open", status: opened.status(), title: await page.title(), ...(await form()) });

  // First as someone who does not know a code is needed: the password alone.
  await usernameField.fill(user);
  await passwordField.fill(password);
  steps.push({
    step: "password only",
    status: await submit(),
    alert: (await page.getByRole("alert").count()) ? await page.getByRole("alert").innerText() : "",
    ...(await form()),
    username: await field(usernameField),
    password: await field(passwordField),
    code: await field(codeField),
  });

  // Then the password again, with the code of the next 30 s step (the enrolment used the
  // current one, and a code is accepted once), typed as authenticator apps show it.
  await passwordField.fill(password);
  const next = totp(secret, Math.floor(Date.now() / 30_000) + 1);
  await codeField.fill(`${next.slice(0, 3)} ${next.slice(3)}`);
  const status = await submit();
  const heading = await page.getByRole("heading", { level: 1 }).innerText();
  steps.push({ step: "password and code", status, heading, text: await page.locator("main").innerText() });
  result.granted = status === 200 && heading === "Access granted";
  result.console_errors = problems;
} catch (e) {
  result.error = String(e?.stack ?? e);
} finally {
  await context?.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(result.granted ? 0 : 1);
