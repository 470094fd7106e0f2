// A real tus client for the integration tests (tests/integration/test_tus.py): uploads one
// file with tus-js-client and reports on stdout, one JSON object per line:
//   {"event":"url","url":...}            the upload's URL, as soon as the server created it
//   {"event":"progress","offset":N}      bytes the server acknowledged (after each PATCH)
//   {"event":"sent","bytes":N}           bytes written to the socket (at most every 8 MiB)
//   {"event":"success","url":...,"file_id":N,"first_offset":N}  (where the first PATCH began)
//   {"event":"error","message":...}      (exit status 1)
// Usage: node upload.js ENDPOINT FILE NAME [PARENT_ID] [UPLOAD_URL]
// The bearer token comes from the environment (TUS_TOKEN), never the command line; the chunk
// size from TUS_CHUNK_SIZE (default: the whole file in one PATCH).
'use strict';

const fs = require('fs');
const path = require('path');
const tus = require('tus-js-client');

const [endpoint, file, name, parentId, uploadUrl] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const metadata = { filename: name || path.basename(file) };
if (parentId) metadata.parent_id = parentId;
let firstOffset = null;
let lastSent = 0;

const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
  uploadUrl: uploadUrl || null,
  uploadSize: fs.statSync(file).size,
  metadata,
  headers: { Authorization: 'Bearer ' + process.env.TUS_TOKEN },
  chunkSize: process.env.TUS_CHUNK_SIZE ? Number(process.env.TUS_CHUNK_SIZE) : Infinity,
  retryDelays: [0, 500, 1000],
  storeFingerprintForResuming: false,
  onUploadUrlAvailable() {
    say({ event: 'url', url: upload.url });
  },
  onBeforeRequest(req) {
    // Where the first PATCH starts: 0 for a new upload, the server's offset for a resumed one.
    if (req.getMethod() === 'PATCH' && firstOffset === null) {
      firstOffset = Number(req.getHeader('Upload-Offset'));
    }
  },
  onProgress(sent) {
    if (sent - lastSent >= 8 * 1024 * 1024) {
      lastSent = sent;
      say({ event: 'sent', bytes: sent });
    }
  },
  onChunkComplete(_chunk, accepted) {
    say({ event: 'progress', offset: accepted });
  },
  onSuccess(payload) {
    const fileId = payload && payload.lastResponse ? payload.lastResponse.getHeader('Coffer-File-Id') : null;
    say({ event: 'success', url: upload.url, file_id: fileId ? Number(fileId) : null, first_offset: firstOffset });
  },
  onError(error) {
    say({ event: 'error', message: String(error && error.message ? error.message : error) });
    process.exitCode = 1;
  },
});

upload.start();
