/**
 * The API explorer at `GET /graphql` in a browser: GraphiQL, bundled with the viewer's build (no CDN).
 * Documentation comes from the schema's bilingual descriptions, completion from its types; the token goes in the
 * headers editor (or `?token=`); the saved examples are one tab per domain; subscriptions run over graphql-ws.
 */
import 'graphiql/style.css'
import { GraphiQL } from 'graphiql'
import { createElement } from 'react'
import { createRoot } from 'react-dom/client'
import { EXAMPLE_OPERATIONS, initialHeaders } from './examples.ts'
import { explorerFetcher } from './fetcher.ts'

const params = new URLSearchParams(location.search)
const token = params.get('token')
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`
const headers = initialHeaders(token)

createRoot(document.getElementById('graphiql')!).render(
  createElement(GraphiQL, {
    fetcher: explorerFetcher('/graphql', wsUrl),
    defaultTabs: EXAMPLE_OPERATIONS.map((e) => ({
      query: e.query,
      variables: e.variables ? JSON.stringify(e.variables, null, 2) : undefined,
      headers,
    })),
    defaultHeaders: headers,
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
    // A token typed in the headers editor stays on this machine only if the reader asks for it.
    shouldPersistHeaders: false,
    showPersistHeadersSettings: true,
    defaultTheme: 'light',
  }),
)
