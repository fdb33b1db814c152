import fs from 'node:fs'
import path from 'node:path'
import { booleanPointInPolygon } from '@turf/turf'
import type { MultiPolygon, Polygon } from 'geojson'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { extentCentredInside, extentContains, extentOfGeometry } from '../../viewer/core/extent.ts'
import {
  cameraAxes,
  type EnuM,
  FRAME_FILL,
  type FramingView,
  rangeToFrame,
} from '../../viewer/map/framing.ts'

/** Where a point lands on the canvas from a camera `rangeM` back along the view: [-1, 1] across and up inside. */
function onCanvas(p: EnuM, view: FramingView, rangeM: number): [number, number] {
  const { forward, right, up } = cameraAxes(view.headingRad, view.pitchRad)
  const dot = (a: EnuM, b: EnuM) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
  const depth = dot(p, forward) + rangeM
  return [dot(p, right) / depth / view.tanHalfFovX, dot(p, up) / depth / view.tanHalfFovY]
}

const DEG = Math.PI / 180
/** A 1024 × 640 canvas with Cesium's 60° across the wider side. */
const TAN_X = Math.tan(30 * DEG)
const TAN_Y = TAN_X / 1.6

describe('camera framing', () => {
  // A strip 4 km east-west and 800 m north-south, like 虹口区 in the demo, seen from the viewer's presets.
  const strip: EnuM[] = [
    [-2000, -400, 0],
    [2000, -400, 0],
    [2000, 400, 0],
    [-2000, 400, 0],
  ]
  const views: [string, FramingView][] = [
    ['overhead', { headingRad: 0, pitchRad: -75 * DEG, tanHalfFovX: TAN_X, tanHalfFovY: TAN_Y }],
    ['oblique', { headingRad: 20 * DEG, pitchRad: -40 * DEG, tanHalfFovX: TAN_X, tanHalfFovY: TAN_Y }],
    ['looking east', { headingRad: 90 * DEG, pitchRad: -75 * DEG, tanHalfFovX: TAN_X, tanHalfFovY: TAN_Y }],
  ]

  it.each(views)('stands just far enough back to hold every point in view (%s)', (_name, view) => {
    const rangeM = rangeToFrame(strip, view)
    const spread = strip.map((p) => onCanvas(p, view, rangeM))
    for (const [x, y] of spread) {
      expect(Math.abs(x)).toBeLessThanOrEqual(FRAME_FILL + 1e-9)
      expect(Math.abs(y)).toBeLessThanOrEqual(FRAME_FILL + 1e-9)
    }
    // Tight: one corner touches the margin, and a step closer pushes a corner past it.
    expect(Math.max(...spread.flat().map(Math.abs))).toBeCloseTo(FRAME_FILL, 9)
    const closer = strip.map((p) => onCanvas(p, view, rangeM * 0.98))
    expect(Math.max(...closer.flat().map(Math.abs))).toBeGreaterThan(FRAME_FILL)
  })

  it('turns a long side across the canvas rather than up it: less room up a wide canvas', () => {
    const [, north] = views[0]!
    const [, east] = views[2]!
    expect(rangeToFrame(strip, east)).toBeGreaterThan(rangeToFrame(strip, north) * 1.5)
  })
})

describe('extents centred inside an area', () => {
  const districts = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, 'data/bund-districts.geojson'), 'utf8'),
  ) as { features: { properties: { code: string }; geometry: MultiPolygon }[] }

  it.each(['310101', '310109', '310115'])('frames district %s on a box centred on a point of it', (code) => {
    const boundary = districts.features.find((f) => f.properties.code === code)!.geometry
    const box = extentOfGeometry(boundary)!
    const framed = extentCentredInside(boundary)!
    const centre = [(framed.westDeg + framed.eastDeg) / 2, (framed.southDeg + framed.northDeg) / 2]
    expect(booleanPointInPolygon(centre, boundary)).toBe(true)
    expect(extentContains(framed, box.westDeg, box.southDeg)).toBe(true)
    expect(extentContains(framed, box.eastDeg, box.northDeg)).toBe(true)
  })

  it('keeps the box of an area holding its centre, and widens that of one bent around it no more than needed', () => {
    const square = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    }
    expect(extentCentredInside(square)).toEqual({ westDeg: 0, southDeg: 0, eastDeg: 2, northDeg: 2 })
    // An L: the box's centre (1, 1) is in the notch. The middle of the foot along x = 1 (0 ≤ y ≤ 0.5) is 0.75
    // away, that of the leg along y = 1 (0 ≤ x ≤ 0.4) 0.8: the box grows south to centre on (1, 0.25).
    const ell = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 0.5],
          [0.4, 0.5],
          [0.4, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    }
    expect(extentCentredInside(ell)).toEqual({ westDeg: 0, southDeg: -1.5, eastDeg: 2, northDeg: 2 })
    // A hole around the centre counts as outside.
    const ring: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [4, 0],
          [4, 4],
          [0, 4],
          [0, 0],
        ],
        [
          [1, 1],
          [3, 1],
          [3, 3],
          [1, 3],
          [1, 1],
        ],
      ],
    }
    const framed = extentCentredInside(ring)!
    const centre = [(framed.westDeg + framed.eastDeg) / 2, (framed.southDeg + framed.northDeg) / 2]
    expect(booleanPointInPolygon(centre, ring)).toBe(true)
    expect(extentCentredInside(null)).toBeNull()
  })
})
