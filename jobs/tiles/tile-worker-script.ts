/**
 * The tile worker's code as one JavaScript module (ADR 0008, "The tiles are built on every core"). The project runs
 * from its TypeScript sources; a worker loading them through tsx registers its own module hooks, on a hooks thread
 * of its own, and took 0.3–0.5 s and twice that in CPU to boot — while the build's thread read the buildings on the
 * same two cores. Bundled once per process with esbuild (which tsx itself runs on), a worker boots in milliseconds.
 */
import { createHash } from 'node:crypto'
import { rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

let script: Promise<URL> | null = null

/** The bundled worker module's file, written under the system's temporary directory once per content. */
export function tileWorkerScript(): Promise<URL> {
  script ??= bundle().catch((err: unknown) => {
    script = null // a later pool tries again
    throw err
  })
  return script
}

async function bundle(): Promise<URL> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./tile-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.contents
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16)
  const path = join(tmpdir(), `citycheck-tile-worker-${hash}.mjs`)
  // Several processes may write the same file at once: each renames a whole copy over it.
  const part = `${path}.${process.pid}.tmp`
  await writeFile(part, code)
  await rename(part, path)
  return pathToFileURL(path)
}
