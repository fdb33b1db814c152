/** Colour ramps (ColorBrewer, colour-blind safe where possible), as CSS hex colours. */

/** Severity 0 none .. 3 high. */
export const SEVERITY_RAMP: readonly string[] = ['#d9e3ea', '#fecc5c', '#fd8d3c', '#e31a1c']

/** Sequential yellow → red, 4 classes (low → high). */
export const YELLOW_RED_RAMP: readonly string[] = ['#ffffb2', '#fecc5c', '#fd8d3c', '#e31a1c']

/** Qualitative, 7 classes (ColorBrewer Set2 + one). */
export const USE_PALETTE: readonly string[] = [
  '#fc8d62',
  '#8da0cb',
  '#66c2a5',
  '#e78ac3',
  '#a6d854',
  '#ffd92f',
  '#b3b3b3',
]
