import proj4 from 'proj4'
import { describe, expect, it } from 'vitest'
import { transverseMercatorFor, UnsupportedProjectionError } from '../../../bench/synthetic/projection.ts'

proj4.defs(
  'EPSG:4547',
  '+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs',
)
proj4.defs('EPSG:32650', '+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs')
proj4.defs('EPSG:32733', '+proj=utm +zone=33 +south +datum=WGS84 +units=m +no_defs')

describe('transverse Mercator of the synthetic city', () => {
  it.each([
    [4547, 114.3, 30.6],
    [4547, 115.49, 31.2],
    [4547, 112.51, 22.3],
    [32650, 116.4, 39.9],
    [32733, 14.5, -20.1],
  ])('matches proj4 in EPSG:%i at %f, %f to a millimetre and inverts exactly', (srid, lon, lat) => {
    const tm = transverseMercatorFor(srid)
    const [x, y] = tm.forward(lon, lat)
    const [px, py] = proj4('EPSG:4326', `EPSG:${srid}`, [lon, lat]) as [number, number]
    expect(Math.abs(x - px)).toBeLessThan(0.001)
    expect(Math.abs(y - py)).toBeLessThan(0.001)
    const [lon2, lat2] = tm.inverse(x, y)
    expect(Math.abs(lon2 - lon)).toBeLessThan(1e-9)
    expect(Math.abs(lat2 - lat)).toBeLessThan(1e-9)
  })

  it('refuses a CRS it does not model', () => {
    expect(() => transverseMercatorFor(4326)).toThrow(UnsupportedProjectionError)
  })
})
