import { randomBytes } from 'node:crypto'

/**
 * JSON text a resolver already holds (a footprint's GeoJSON as PostgreSQL keeps it) carried to the response
 * without being parsed and serialised again. Serialised by plain `JSON.stringify` (Apollo, subscriptions) it
 * parses itself; {@link stringifyResult} splices the text in as it is, which on the map's hot path spares
 * a parse and a stringify of every footprint of every page.
 */
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return sink ? sink(this.text) : JSON.parse(this.text)
  }
}

// Set only inside stringifyResult, which is synchronous: no other serialisation can run meanwhile.
let sink: ((text: string) => string) | null = null
// Unguessable per process, so no string a client sends can pose as a placeholder.
const MARK = randomBytes(12).toString('hex')
const PLACEHOLDER = new RegExp(`"\\\\u0000${MARK}:(\\d+)\\\\u0000"`, 'g')

/** `JSON.stringify(value)`, with each {@link RawJson} written as its text. */
export function stringifyResult(value: unknown): string {
  const texts: string[] = []
  sink = (text) => {
    texts.push(text)
    return `\u0000${MARK}:${texts.length - 1}\u0000`
  }
  let out: string
  try {
    out = JSON.stringify(value)
  } finally {
    sink = null
  }
  if (texts.length === 0) return out
  return out.replace(PLACEHOLDER, (_, index: string) => texts[Number(index)] as string)
}
