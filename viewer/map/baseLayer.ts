/** A locally generated base layer: no remote imagery, ever. */
import { Color, GridImageryProvider, ImageryLayer } from 'cesium'

export function localBaseLayer(): ImageryLayer {
  const provider = new GridImageryProvider({
    cells: 4,
    color: Color.fromCssColorString('#5d7186').withAlpha(0.35),
    glowColor: Color.TRANSPARENT,
    backgroundColor: Color.fromCssColorString('#1f2a36'),
  })
  return new ImageryLayer(provider)
}
