// Part of `npm run lint`: no source file outside migrations and generated code grows past 500 lines (ADR 0009).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

const MAX_LINES = 500
const SOURCE = /\.(ts|tsx|mts|mjs|js|cjs)$/
const EXEMPT = /(^|\/)(migrations|generated|node_modules|dist)\/|\.d\.ts$/

const root = path.resolve(process.argv[2] ?? '.')
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => SOURCE.test(file) && !EXEMPT.test(file))
const tooLong = files
  .map((file) => ({ file, lines: lineCount(path.join(root, file)) }))
  .filter(({ lines }) => lines > MAX_LINES)
for (const { file, lines } of tooLong) {
  console.error(`${file}: ${lines} lines (at most ${MAX_LINES}: split it by responsibility)`)
}
process.exit(tooLong.length > 0 ? 1 : 0)

function lineCount(file: string): number {
  try {
    const text = readFileSync(file, 'utf8')
    return text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
  } catch {
    return 0 // listed by git but deleted in the work tree
  }
}
