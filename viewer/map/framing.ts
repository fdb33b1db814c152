/** Camera framing as plain geometry (no Cesium): how far back a camera stands to hold given points in view. */

/** A point in metres east, north and up of the point the camera looks at. */
export type EnuM = readonly [number, number, number]

export interface FramingView {
  /** Clockwise from north. */
  headingRad: number
  /** Below the horizon is negative. */
  pitchRad: number
  /** Tangents of half the field of view across and up the canvas. */
  tanHalfFovX: number
  tanHalfFovY: number
}

/** Share of the canvas, across and up, the framed points may take: a margin so no corner touches an edge. */
export const FRAME_FILL = 0.9

/**
 * The distance from the point looked at to the camera, along the view, at which every point projects inside
 * `FRAME_FILL` of the canvas. A point (x across, y up, z along the view from the point looked at) is in view
 * from distance r when |x| <= tanX·(z + r) and |y| <= tanY·(z + r): each point asks for r at least
 * max(|x|/tanX, |y|/tanY) - z, and the farthest ask wins.
 */
export function rangeToFrame(points: readonly EnuM[], view: FramingView): number {
  const { forward, right, up } = cameraAxes(view.headingRad, view.pitchRad)
  const tanX = view.tanHalfFovX * FRAME_FILL
  const tanY = view.tanHalfFovY * FRAME_FILL
  let rangeM = 0
  for (const p of points) {
    const x = dot(p, right)
    const y = dot(p, up)
    const z = dot(p, forward)
    rangeM = Math.max(rangeM, Math.max(Math.abs(x) / tanX, Math.abs(y) / tanY) - z)
  }
  return rangeM
}

/** The camera's view, right and up directions in east-north-up, without roll. */
export function cameraAxes(headingRad: number, pitchRad: number): { forward: EnuM; right: EnuM; up: EnuM } {
  const [sinH, cosH, sinP, cosP] = [
    Math.sin(headingRad),
    Math.cos(headingRad),
    Math.sin(pitchRad),
    Math.cos(pitchRad),
  ]
  return {
    forward: [sinH * cosP, cosH * cosP, sinP],
    right: [cosH, -sinH, 0],
    // right × forward
    up: [-sinH * sinP, -cosH * sinP, cosP],
  }
}

function dot(a: EnuM, b: EnuM): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
