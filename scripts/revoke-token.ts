// `npm run token:revoke -- --jti ID | --subject NAME [--reason TEXT]`: refuses a token, or all of a subject's, from now on.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { revokeTokens } from '../server/auth/revocations.ts'
import { loadConfig } from '../server/config.ts'
import { DatabaseInUseError, openDatabase } from '../server/db/client.ts'

const usage = `用法 / usage: npm run token:revoke -- (--jti ID | --subject NAME) [--reason TEXT] [--by NAME]
  --jti      吊销一个令牌（令牌的 jti 声明）/ revoke one token by its jti claim
  --subject  吊销该用户此前签发的全部令牌 / revoke every token issued to this subject until now
  --reason   原因 / reason, kept with the revocation
  --by       操作人 / who revokes (default: $USER)
Running API processes refuse the token within moments (they listen for revocations).`

const { values } = parseArgs({
  options: {
    jti: { type: 'string' },
    subject: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help || (!values.jti && !values.subject)) {
  console.error(usage)
  process.exit(values.help ? 0 : 2)
}

const config = loadConfig()
try {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: path.join(config.dataDir, 'pglite'),
  })
  try {
    await revokeTokens(database, {
      jti: values.jti,
      subject: values.subject,
      reason: values.reason,
      revokedBy: values.by ?? process.env.USER ?? 'cli',
    })
  } finally {
    await database.close()
  }
  console.log(`revoked ${values.jti ? `token ${values.jti}` : `every token of ${values.subject}`}`)
} catch (error) {
  if (error instanceof DatabaseInUseError) {
    console.error(
      '嵌入式数据库正被服务器占用：请停止服务器，或在 DATABASE_URL 指向的 PostgreSQL 上吊销。\n' +
        'The embedded database is held by the running server: stop it, or revoke on PostgreSQL (DATABASE_URL).',
    )
    process.exit(1)
  }
  throw error
}
