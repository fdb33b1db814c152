import path from 'node:path'
import { ImportError } from './errors.ts'
import { DEFAULT_DERIVATION, type PopulationDerivation } from './population.ts'
import { type Rejection, readInputFile, type SourceFeature } from './read.ts'

export interface ImportOptions {
  files: string[]
  /** Dataset name; a second import under the same name fails unless `replace`. @defaultValue the folder name */
  datasetName?: string
  /** Region for features outside every boundary. @defaultValue the first boundary's region, else 310100 */
  regionCode?: string
  /** GeoJSON polygons with a `code` property: features take the region whose boundary holds them. */
  boundariesFile?: string
  /** Overrides the files' own CRS (e.g. `EPSG:4549`); CSV files default to EPSG:4326. */
  crs?: string
  replace?: boolean
  /** Abort (and write nothing) when any feature is rejected. @defaultValue false */
  strict?: boolean
  licence?: string
  derivation?: Partial<PopulationDerivation>
}

/** The input files read and checked, with the options' defaults filled in. */
export interface Inputs {
  datasetName: string
  defaultRegion: string
  derivation: PopulationDerivation
  features: SourceFeature[]
  boundaries: SourceFeature[]
  /** Every feature rejected so far; the later steps of the import add theirs. */
  rejected: Rejection[]
  /** Features read, the ones rejected by the reader included. */
  read: number
}

/** Reads every input file and the boundaries; fails before anything is written when they cannot be used. */
export function readInputs(options: ImportOptions): Inputs {
  if (options.files.length === 0) throw new ImportError('没有输入文件 / no input files given')
  const reads = options.files.map((f) => readInputFile(f, options.crs))
  const features = reads.flatMap((r) => r.features)
  const rejected = reads.flatMap((r) => r.rejected)
  const boundaries = options.boundariesFile ? readInputFile(options.boundariesFile).features : []
  for (const b of boundaries) {
    if (typeof b.props.code !== 'string') {
      throw new ImportError(`${options.boundariesFile}: boundary ${b.index} has no "code" property`)
    }
  }
  return {
    datasetName: options.datasetName ?? path.basename(path.dirname(path.resolve(options.files[0] as string))),
    defaultRegion: options.regionCode ?? (boundaries[0]?.props.code as string | undefined) ?? '310100',
    derivation: { ...DEFAULT_DERIVATION, ...options.derivation },
    features,
    boundaries,
    rejected,
    read: features.length + rejected.length,
  }
}
