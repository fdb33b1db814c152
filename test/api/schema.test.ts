import fs from 'node:fs'
import path from 'node:path'
import { generate } from '@graphql-codegen/cli'
import { describe, expect, it } from 'vitest'
import config from '../../codegen.ts'
import { PROJECT_ROOT } from '../../server/config.ts'

describe('schema.graphql', () => {
  it('is what codegen prints from the Pothos schema (run `npm run generate` when this fails)', async () => {
    const target = 'schema.graphql'
    const outputs = await generate(
      { ...config, cwd: PROJECT_ROOT, silent: true, generates: { [target]: config.generates[target]! } },
      false,
    )
    const printed = outputs.find((o: { filename: string }) => path.basename(o.filename) === target)
    expect(printed, 'codegen printed no schema.graphql').toBeDefined()
    const committed = fs.readFileSync(path.join(PROJECT_ROOT, target), 'utf8')
    expect(committed).toBe(printed!.content)
  })
})
