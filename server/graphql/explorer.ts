/**
 * A small query page served at GET /graphql for browsers. Apollo's own landing pages load from a CDN; this one
 * is self-contained so it works offline, on an intranet or behind a government network's egress rules.
 */
export function explorerPage(endpoint: string): string {
  const example = `# 外滩附近的建筑及其小区、行政区划 / Buildings near the Bund with their compound and region
query Buildings($filter: SpatialFilter) {
  buildings(filter: $filter, first: 10) {
    totalCount
    edges { node { id name heightM use distanceM compound { name } region { code name } } }
  }
}`
  const variables = JSON.stringify(
    { filter: { near: { point: [121.4903, 31.2397], radiusM: 500 } } },
    null,
    2,
  )
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CityCheck GraphQL</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: grid; grid-template-rows: auto 1fr; height: 100vh; }
  header { padding: 8px 12px; background: #123; color: #fff; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  header input { flex: 1; min-width: 240px; font: inherit; padding: 4px; }
  button { font: inherit; padding: 4px 16px; cursor: pointer; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; padding: 8px; min-height: 0; }
  section { display: grid; grid-template-rows: 2fr auto 1fr; gap: 4px; min-height: 0; }
  textarea, pre { font: 13px/1.4 ui-monospace, monospace; margin: 0; padding: 8px; border: 1px solid #bbb;
    border-radius: 4px; min-height: 0; overflow: auto; resize: none; }
  pre { background: #f6f8fa; white-space: pre-wrap; }
  label { font-size: 12px; color: #555; }
</style>
</head>
<body>
<header>
  <strong>CityCheck GraphQL</strong>
  <input id="token" placeholder="Bearer token（npm run token -- --role district --region 310101）；留空为公开访问 / empty = public">
  <button id="run" title="Ctrl+Enter">执行 / Run</button>
</header>
<main>
  <section>
    <textarea id="query" spellcheck="false" aria-label="query"></textarea>
    <label for="variables">变量 / Variables (JSON)</label>
    <textarea id="variables" spellcheck="false"></textarea>
  </section>
  <pre id="result" aria-live="polite"></pre>
</main>
<script>
  const $ = (id) => document.getElementById(id)
  const saved = (key, fallback) => localStorage.getItem('citycheck.' + key) ?? fallback
  $('query').value = saved('query', ${JSON.stringify(example)})
  $('variables').value = saved('variables', ${JSON.stringify(variables)})
  $('token').value = saved('token', '')
  async function run() {
    for (const key of ['query', 'variables', 'token']) localStorage.setItem('citycheck.' + key, $(key).value)
    let variables = {}
    try { variables = $('variables').value.trim() ? JSON.parse($('variables').value) : {} }
    catch (e) { $('result').textContent = '变量不是有效的 JSON / Variables are not valid JSON: ' + e.message; return }
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }
    const token = $('token').value.trim().replace(/^Bearer\\s+/i, '')
    if (token) headers.authorization = 'Bearer ' + token
    $('result').textContent = '…'
    const started = performance.now()
    try {
      const response = await fetch(${JSON.stringify(endpoint)}, { method: 'POST', headers, body: JSON.stringify({ query: $('query').value, variables }) })
      const text = await response.text()
      let shown = text
      try { shown = JSON.stringify(JSON.parse(text), null, 2) } catch {}
      $('result').textContent = 'HTTP ' + response.status + ' · ' + Math.round(performance.now() - started) + ' ms\\n' + shown
    } catch (e) { $('result').textContent = String(e) }
  }
  $('run').addEventListener('click', run)
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run() })
</script>
</body>
</html>
`
}
