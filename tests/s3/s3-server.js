// The S3-compatible server that Coffer's tests run on loopback: s3rver (which checks
// Signature Version 4 with the key S3RVER / secret S3RVER), made stricter in one way that real
// services are strict: a PUT's body must match its Content-MD5 and its signed
// x-amz-content-sha256, or the object is not stored (400 BadDigest /
// XAmzContentSHA256Mismatch), as on AWS S3 and MinIO.
//
// Usage: node --openssl-legacy-provider s3-server.js --directory DIR [--port N] [--bucket NAME]...
// (s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its
// legacy provider.)
// Prints "listening PORT" once it accepts connections; stops on SIGTERM or SIGINT.
'use strict'

const crypto = require('node:crypto')
const { Readable } = require('node:stream')
const S3rver = require('@20minutes/s3rver')

function parseArgs(argv) {
  const args = { port: 0, directory: null, buckets: [] }
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]]
    if (value === undefined) throw new Error(`${name} needs a value`)
    if (name === '--port') args.port = Number(value)
    else if (name === '--directory') args.directory = value
    else if (name === '--bucket') args.buckets.push(value)
    else throw new Error(`unknown option ${name}`)
  }
  if (!args.directory) throw new Error('--directory is required')
  return args
}

function s3Error(ctx, code, message) {
  ctx.status = 400
  ctx.type = 'application/xml'
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message></Error>`
}

// Reads a PUT body whole, checks the digests it declares, and hands s3rver a replay of it.
async function verifyPayload(ctx, next) {
  if (ctx.method !== 'PUT' || ctx.get('x-amz-copy-source')) return next()
  const md5 = ctx.get('content-md5')
  const sha256 = ctx.get('x-amz-content-sha256')
  const checkSha = /^[0-9a-fA-F]{64}$/.test(sha256)
  if (!md5 && !checkSha) return next()
  const parts = []
  for await (const part of ctx.req) parts.push(part)
  const body = Buffer.concat(parts)
  if (md5 && crypto.createHash('md5').update(body).digest('base64') !== md5) {
    return s3Error(ctx, 'BadDigest', 'The Content-MD5 you specified did not match what we received.')
  }
  if (checkSha && crypto.createHash('sha256').update(body).digest('hex') !== sha256.toLowerCase()) {
    return s3Error(
      ctx,
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed."
    )
  }
  const original = ctx.req
  const replay = Readable.from([body])
  for (const key of ['headers', 'rawHeaders', 'method', 'url', 'httpVersion', 'httpVersionMajor',
    'httpVersionMinor', 'socket', 'connection', 'complete']) {
    replay[key] = original[key]
  }
  ctx.req = ctx.request.req = replay
  return next()
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const server = new S3rver({
    address: '127.0.0.1',
    port: args.port,
    directory: args.directory,
    silent: true,
    configureBuckets: args.buckets.map((name) => ({ name })),
  })
  server.middleware.unshift(verifyPayload)
  const address = await server.run()
  process.stdout.write(`listening ${address.port}\n`)
  const stop = () => server.close().finally(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((err) => {
  process.stderr.write(`s3-server: ${err.stack || err}\n`)
  process.exit(1)
})
