/** The globe's locally drawn base: no remote imagery, ever. */
import { Color, Material } from 'cesium'

/**
 * A faint grid over the plain globe, as a scale cue: 4 cells per globe tile, so it refines as the camera
 * closes in. Drawn by the globe's shader rather than as imagery (GridImageryProvider): imagery costs a texture
 * upload and mipmaps per tile, which under software GL took the globe seconds of frames to load.
 * Without vertex normals (the ellipsoid has none) Cesium silently skips a globe material whose source mentions
 * `slope` or `normalEC`, so this one reads only `st`, the tile's texture coordinates.
 */
export function localGridMaterial(): Material {
  return new Material({
    translucent: false,
    fabric: {
      uniforms: {
        color: Color.fromCssColorString('#5d7186').withAlpha(0.55),
        cells: 4,
        /** Line width in pixels. */
        width: 2.5,
      },
      source: `czm_material czm_getMaterial(czm_materialInput materialInput) {
  czm_material material = czm_getDefaultMaterial(materialInput);
  vec2 st = materialInput.st * cells;
#if (__VERSION__ == 300 || defined(GL_OES_standard_derivatives))
  vec2 perPixel = max(fwidth(st), vec2(1e-6));
#else
  vec2 perPixel = vec2(0.01);
#endif
  vec2 pixelsToLine = abs(fract(st + 0.5) - 0.5) / perPixel;
  float line = 1.0 - smoothstep(0.5 * width - 0.5, 0.5 * width + 0.5, min(pixelsToLine.x, pixelsToLine.y));
  material.diffuse = color.rgb;
  material.alpha = color.a * line;
  return material;
}`,
    },
  })
}
