// Builds the web UI into one pack file that coffer compiles in (src/api/web_ui.cc reads it).
//
//   node web/build.mjs OUT_DIR
//
// Type-checks (tsc), bundles and minifies web/src with esbuild into hashed file names, writes
// index.html, pre-compresses every file with gzip and brotli (kept only where smaller), and
// writes OUT_DIR/ui.pack:
//
//   "COFFERUI1\n" <index length, decimal> "\n" <index JSON> <blobs>
//
// The index is an array of {path, type, immutable, etag, identity, gzip, br}; each encoding is
// [offset, length] into the blobs (or null). Hashed assets are immutable; index.html is not.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("usage: node web/build.mjs OUT_DIR");
  process.exit(2);
}
const dist = join(out, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

try {
  execFileSync(process.execPath, [join(here, "node_modules/typescript/bin/tsc"), "-p", here, "--noEmit"], {
    stdio: "inherit",
  });
} catch {
  console.error("web UI: type errors (above)");
  process.exit(1);
}

const result = await esbuild.build({
  entryPoints: { app: join(here, "src/main.tsx") },
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(dist, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((p) => "/" + relative(dist, p).split("\\").join("/"));
const script = outputs.find((p) => p.endsWith(".js"));
const style = outputs.find((p) => p.endsWith(".css"));
const template = readFileSync(join(here, "src/index.html"), "utf8");
writeFileSync(
  join(dist, "index.html"),
  template.replace("%SCRIPT%", script).replace("%STYLE%", style),
);

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const blobs = [];
let offset = 0;
function add(bytes) {
  blobs.push(bytes);
  const at = [offset, bytes.length];
  offset += bytes.length;
  return at;
}

const index = [];
for (const file of walk(dist).sort()) {
  const path = "/" + relative(dist, file).split("\\").join("/");
  const ext = path.slice(path.lastIndexOf("."));
  const bytes = readFileSync(file);
  const gz = zlib.gzipSync(bytes, { level: 9 });
  const br = zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  index.push({
    path,
    type: types[ext] ?? "application/octet-stream",
    immutable: path.startsWith("/assets/"),
    etag: '"' + createHash("sha256").update(bytes).digest("hex").slice(0, 32) + '"',
    identity: add(bytes),
    gzip: gz.length < bytes.length ? add(gz) : null,
    br: br.length < bytes.length ? add(br) : null,
  });
}
const indexJson = Buffer.from(JSON.stringify(index));
writeFileSync(
  join(out, "ui.pack"),
  Buffer.concat([Buffer.from(`COFFERUI1\n${indexJson.length}\n`), indexJson, ...blobs]),
);
const js = index.find((e) => e.path === script);
console.log(
  `web UI: ${index.length} files; ${script} ${js.identity[1]} bytes (${js.br?.[1] ?? js.identity[1]} brotli)`,
);
