// Entry of a tile worker thread. Node 20 does not apply the parent's `--import tsx` hooks to a worker's own
// entry, so the worker starts from plain JavaScript and loads its TypeScript module through tsx's API.
import { workerData } from 'node:worker_threads'
import { tsImport } from 'tsx/esm/api'

await tsImport(workerData.entry, import.meta.url)
