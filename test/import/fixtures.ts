import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A fresh temporary folder and a writer of import files into it; JSON values are written as JSON. */
export function importFiles(prefix: string): {
  dir: string
  write: (name: string, content: unknown) => string
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
    return file
  }
  return { dir, write }
}

/** A GeoJSON square footprint `d` degrees wide with its south-west corner at (lon, lat). */
export const square = (lon: number, lat: number, d = 0.0002) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + d, lat],
      [lon + d, lat + d],
      [lon, lat + d],
      [lon, lat],
    ],
  ],
})
