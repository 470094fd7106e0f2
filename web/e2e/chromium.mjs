// How the browser tests launch Debian's Chromium (web/e2e/run.mjs, and the Login Flow v2 step of
// tests/integration/login_flow_browser.mjs): headless, in a fresh profile, with nothing that
// reaches the network on its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

// `chromium` is playwright-core's; `options` go to launchPersistentContext. The context's
// close() also removes the profile.
export async function launchChromium(chromium, options = {}) {
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
    ...options,
  });
  const close = context.close.bind(context);
  context.close = async (...args) => {
    await close(...args);
    rmSync(profile, { recursive: true, force: true });
  };
  return context;
}
