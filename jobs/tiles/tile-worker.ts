/** A tile worker thread: builds the subtrees it is sent (subtree-build.ts) and answers with their results. */
import { parentPort } from 'node:worker_threads'
import { buildSubtree, type SubtreeTask } from './subtree-build.ts'

const port = parentPort
if (!port) throw new Error('jobs/tiles/tile-worker.ts runs as a worker thread (see tile-pool.ts)')
port.on('message', (task: SubtreeTask) => {
  buildSubtree(task).then(
    (result) => port.postMessage({ result }),
    (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err))
      port.postMessage({ error: { name: error.name, message: error.message, stack: error.stack } })
    },
  )
})
