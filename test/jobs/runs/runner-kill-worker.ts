/**
 * A worker process for runner-kill.test.ts: takes a coverage job, announces `STEP` after the first facility
 * type and then hangs, so the test can SIGKILL it mid-run. Its short lock lets another worker take over fast.
 */
import { createProcessors } from '../../../jobs/processors.ts'
import { createBullMqWorker } from '../../../jobs/runs/bullmq.ts'
import { openDatabase } from '../../../server/db/client.ts'

const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL })
const worker = createBullMqWorker({
  database,
  processors: createProcessors({
    coverage: {
      afterStep: async () => {
        console.log('STEP')
        await new Promise(() => {})
      },
    },
  }),
  redisUrl: process.env.REDIS_URL ?? '',
  queueName: process.env.CITYCHECK_QUEUE ?? '',
  stall: { lockDuration: 1_000, stalledInterval: 500 },
})
await worker.waitUntilReady()
console.log('READY')
