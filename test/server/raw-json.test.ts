import { describe, expect, it } from 'vitest'
import { RawJson, stringifyResult } from '../../server/graphql/raw-json.ts'

const FOOTPRINT =
  '{"type":"MultiPolygon","coordinates":[[[[121.49,31.24],[121.5,31.24],[121.5,31.25],[121.49,31.24]]]]}'

describe('stored JSON text in a response', () => {
  it('is spliced in as it is, giving the same document JSON.stringify gives for the parsed value', () => {
    const result = {
      data: { buildings: { nodes: [{ id: 'a', footprint: new RawJson(FOOTPRINT) }, { id: 'b' }] } },
    }
    const parsed = {
      data: { buildings: { nodes: [{ id: 'a', footprint: JSON.parse(FOOTPRINT) }, { id: 'b' }] } },
    }
    const out = stringifyResult(result)
    expect(out).toContain(FOOTPRINT)
    expect(JSON.parse(out)).toEqual(parsed)
  })

  it('parses itself under plain JSON.stringify (Apollo, subscriptions)', () => {
    expect(JSON.parse(JSON.stringify({ g: new RawJson(FOOTPRINT) }))).toEqual({ g: JSON.parse(FOOTPRINT) })
  })

  it('cannot be forged by a string that looks like a placeholder', () => {
    const forged = '\u0000deadbeef:0\u0000'
    const out = stringifyResult({ name: forged, g: new RawJson('{"a":1}') })
    expect(JSON.parse(out)).toEqual({ name: forged, g: { a: 1 } })
  })

  it('leaves documents without stored text to JSON.stringify alone', () => {
    const value = { data: { region: { name: '黄浦区', code: '310101' } } }
    expect(stringifyResult(value)).toBe(JSON.stringify(value))
  })
})
