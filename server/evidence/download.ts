/**
 * Sends a stored evidence file (a filling's evidence, a problem's photo) as an attachment that runs nothing,
 * whichever route found the row and checked the caller's scope.
 */
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import type http from 'node:http'
import { attachmentDisposition, HttpError } from '../api/request.ts'
import { evidencePath } from './store.ts'

export interface StoredFile {
  sha256: string
  mediaType: string
  fileName: string
}

/** Streams the file; 410 (with `gone`'s wording) when its row exists but the bytes are no longer stored. */
export async function sendStoredFile(
  res: http.ServerResponse,
  dataDir: string,
  file: StoredFile,
  gone: { zh: string; en: string },
): Promise<void> {
  const where = evidencePath(dataDir, file.sha256)
  const stat = await fs.stat(where).catch(() => null)
  if (!stat) throw new HttpError(410, gone.zh, gone.en)
  res.writeHead(200, {
    'content-type': file.mediaType,
    'content-length': String(stat.size),
    'content-disposition': attachmentDisposition(file.fileName),
    'x-content-type-options': 'nosniff',
    // Even opened in place, the file runs nothing: no scripts, no plugins, no subresources.
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  })
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(where)
    stream.on('error', reject)
    res.on('finish', resolve)
    res.on('close', resolve)
    stream.pipe(res)
  })
}
