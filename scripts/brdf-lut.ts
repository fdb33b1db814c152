// `tsx scripts/brdf-lut.ts`: writes viewer/map/brdf-lut.bin, the BRDF lookup table the viewer hands to Cesium
// (viewer/map/brdfLut.ts) instead of letting every browser render it. Run again when viewer/core/brdfLut.ts
// changes; test/viewer/brdf-lut.test.ts checks the file against it and against Cesium's own generator shader.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { PROJECT_ROOT } from '../server/config.ts'
import { brdfLutTexels } from '../viewer/core/brdfLut.ts'

const BRDF_LUT_FILE = path.join(PROJECT_ROOT, 'viewer', 'map', 'brdf-lut.bin')

writeFileSync(BRDF_LUT_FILE, brdfLutTexels())
console.log(`wrote ${path.relative(PROJECT_ROOT, BRDF_LUT_FILE)}`)
