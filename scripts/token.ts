import { parseArgs } from 'node:util'
import { ROLES, type Role } from '../server/auth/identity.ts'
import { signToken } from '../server/auth/token.ts'
import { loadConfig } from '../server/config.ts'

const usage = `用法 / usage: npm run token -- --role <role> [--region CODE] [--department NAME] [--sub NAME] [--expires 30d]
  --role        ${ROLES.join(' | ')}
  --region      区划代码 / region code (required except for public), e.g. 310101
  --department  责任部门 / department, optional
  --sub         用户标识 / subject (default: <role>-<region>)
  --expires     有效期 / lifetime as 30d, 8h, 3600 (default 30d)
Signs with JWT_SECRET, or the development key when it is unset. Prints the token on stdout.`

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    region: { type: 'string' },
    department: { type: 'string' },
    sub: { type: 'string' },
    expires: { type: 'string', default: '30d' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (values.help || !values.role) {
  console.error(usage)
  process.exit(values.help ? 0 : 2)
}

const config = loadConfig()
if (config.jwtSecretIsDevelopmentKey) {
  console.error('token: signed with the development key (set JWT_SECRET for a real deployment)')
}
try {
  const expires = /^\d+$/.test(values.expires) ? Number(values.expires) : values.expires
  const token = await signToken(
    {
      sub: values.sub ?? `${values.role}-${values.region ?? 'anonymous'}`,
      role: values.role as Role,
      region: values.region,
      department: values.department,
    },
    config.jwtSecret,
    { expiresIn: expires },
  )
  console.log(token)
} catch (error) {
  console.error(`token: ${(error as Error).message}`)
  process.exit(2)
}
