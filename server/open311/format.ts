/**
 * Open311 GeoReport v2 answers in JSON and XML, as the specification shows them: the same records, JSON an
 * array of objects, XML a root element (`services`, `service_requests`, `errors`) with one child per record.
 * The XML is small and flat, so a fifty-line writer with escaping replaces a dependency.
 */
import type http from 'node:http'

export type Format = 'json' | 'xml'

/** An Open311 error: the HTTP status is the error's code too (400, 403, 404). */
export class Open311Error extends Error {
  override name = 'Open311Error'
  constructor(
    readonly code: number,
    readonly description: string,
    /** The body was left unread: the connection must close, or its rest would be read as the next request. */
    readonly closeConnection = false,
  ) {
    super(description)
  }
}

/** A JSON value an answer is made of; nested arrays become a wrapper element with one child per item in XML. */
export type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value }

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 cannot carry
const XML_UNSAFE = /[<>&'"\u0000-\u0008\u000b\u000c\u000e-\u001f]/g
const XML_ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
}

/** Escapes text for an XML element; control characters XML 1.0 cannot carry are dropped. */
export function escapeXml(text: string): string {
  return text.replace(XML_UNSAFE, (c) => XML_ENTITIES[c] ?? '')
}

/**
 * One element: scalars as text (null as an empty element), objects as child elements, arrays as repeated
 * `itemName` children (`keywords` is the spec's one comma list and is written as text by the caller).
 */
function element(name: string, value: Value, itemNames: Record<string, string>): string {
  if (value === null || value === undefined) return `<${name}/>`
  if (Array.isArray(value)) {
    const item = itemNames[name] ?? 'item'
    return `<${name}>${value.map((v) => element(item, v, itemNames)).join('')}</${name}>`
  }
  if (typeof value === 'object') {
    const children = Object.entries(value).map(([k, v]) => element(k, v, itemNames))
    return `<${name}>${children.join('')}</${name}>`
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`
}

/** Child element names of the spec's lists. */
const ITEM_NAMES: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
}

export function toXml(root: string, value: Value): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value, ITEM_NAMES)}`
}

const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
}

/** Sends a record list (or one document) in the format asked for, under `root` in XML. */
export function send(
  res: http.ServerResponse,
  format: Format,
  status: number,
  root: string,
  body: Value,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': CONTENT_TYPES[format],
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  })
  res.end(format === 'json' ? JSON.stringify(body) : toXml(root, body))
}

export function sendErrors(res: http.ServerResponse, format: Format, error: Open311Error): void {
  const headers: Record<string, string> = error.closeConnection ? { connection: 'close' } : {}
  send(res, format, error.code, 'errors', [{ code: error.code, description: error.description }], headers)
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000

/** ISO 8601 with the city's zone, as the spec asks (`2026-12-07T17:08:11+08:00`); China keeps UTC+8 all year. */
export function shanghaiIso(instant: Date | string | null | undefined): string | null {
  if (instant === null || instant === undefined) return null
  const time = new Date(instant).getTime()
  if (Number.isNaN(time)) return null
  return `${new Date(time + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19)}+08:00`
}
