/**
 * Worker threads for a tileset build (ADR 0008, "The tiles are built on every core"). Each takes one subtree at a
 * time; the buildings' columns are transferred, not copied. A worker that fails or dies fails its subtree and
 * leaves the pool: the build then fails as a whole and the tiles job retries it.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { SubtreeResult, SubtreeTask } from './subtree-build.ts'
import { tileWorkerScript } from './tile-worker-script.ts'

const YOUNG_GENERATION_MB = 64

interface Job {
  task: SubtreeTask
  transfer: ArrayBuffer[]
  resolve: (result: SubtreeResult) => void
  reject: (err: Error) => void
}

interface Reply {
  result?: SubtreeResult
  error?: { name: string; message: string; stack?: string }
}

/**
 * Worker threads for a tileset build: one per core but the one the build's own thread takes, at most three (past
 * four threads the disk and the database bound it).
 */
export function defaultTileWorkers(): number {
  return Math.min(availableParallelism(), 4) - 1
}

export class TileWorkers {
  private readonly idle: Worker[] = []
  private readonly busy = new Map<Worker, Job>()
  private readonly queue: Job[] = []
  private closed = false
  /** Set once the threads are started (their script bundled), or why they could not be. */
  private started: true | Error | null = null
  private readonly starting: Promise<void>

  private constructor(readonly size: number) {
    // Tasks queue while the script is bundled; the threads take them as they come up.
    this.starting = tileWorkerScript().then(
      (script) => {
        this.started = true
        if (this.closed) return
        for (let i = 0; i < size; i++) this.idle.push(this.spawn(script))
        this.next()
      },
      (err: Error) => {
        this.started = err
        this.failQueue(err)
      },
    )
  }

  static start(size: number): TileWorkers {
    if (!(Number.isInteger(size) && size >= 1))
      throw new RangeError('a tile worker pool needs at least one thread')
    return new TileWorkers(size)
  }

  private spawn(script: URL): Worker {
    const worker = new Worker(script, {
      // A subtree's buildings, sources and groups live until it is written, and collecting the young generation
      // was a sixth of a build's thread time in a profile; a larger one took 5% off a build on one thread.
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    })
    worker.on('message', (reply: Reply) => {
      const job = this.busy.get(worker)
      this.busy.delete(worker)
      if (reply.result) job?.resolve(reply.result)
      else job?.reject(Object.assign(new Error(reply.error?.message), reply.error))
      this.idle.push(worker)
      this.next()
    })
    const lost = (err: Error) => {
      const job = this.busy.get(worker)
      this.busy.delete(worker)
      const at = this.idle.indexOf(worker)
      if (at >= 0) this.idle.splice(at, 1)
      job?.reject(err)
      if (this.idle.length + this.busy.size === 0) this.failQueue(err)
    }
    worker.on('error', lost)
    worker.on('exit', (code) => {
      if (!this.closed) lost(new Error(`a tile worker thread exited with code ${code}`))
    })
    return worker
  }

  private failQueue(err: Error): void {
    for (const job of this.queue.splice(0)) job.reject(err)
  }

  private next(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!
      const job = this.queue.shift()!
      this.busy.set(worker, job)
      worker.postMessage(job.task, job.transfer)
    }
  }

  /** Builds `task` on the next free thread; `transfer` (the task's buffers) is unusable here afterwards. */
  run(task: SubtreeTask, transfer: ArrayBuffer[]): Promise<SubtreeResult> {
    if (this.closed) return Promise.reject(new Error('the tile worker pool is closed'))
    if (this.started instanceof Error) return Promise.reject(this.started)
    if (this.started && this.idle.length + this.busy.size === 0) {
      return Promise.reject(new Error('every tile worker thread of this pool has failed'))
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ task, transfer, resolve, reject })
      this.next()
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.failQueue(new Error('the tile worker pool was closed'))
    await this.starting
    const workers = [...this.idle, ...this.busy.keys()]
    this.idle.length = 0
    this.busy.clear()
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}
