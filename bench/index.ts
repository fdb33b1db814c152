import { argv } from 'node:process'

// `npm run bench -- <name> [options]`: runs one benchmark; its last line of output is one JSON object.
const benches: Record<string, () => Promise<(args: string[]) => Promise<unknown>>> = {
  api: async () => (await import('./api.ts')).runApiBench,
  diagnostics: async () => (await import('./diagnostics.ts')).runDiagnosticsBench,
  viewer: async () => (await import('./viewer.ts')).runViewerBench,
  scale: async () => (await import('./scale.ts')).runScaleBench,
  heights: async () => (await import('./heights.ts')).runHeightsBench,
  screen: async () => (await import('./screen.ts')).runScreenBench,
}

const [benchName, ...args] = argv.slice(2)
const load = benchName ? benches[benchName] : undefined
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`)
  process.exit(2)
}
const result = await (await load())(args)
console.log(JSON.stringify(result))
