import { fromFile, type GeoTIFF, type GeoTIFFImage } from 'geotiff'
import { CGCS2000, isGaussKrueger, WGS84 } from '../../server/domain/crs.ts'
import { HeightsInputError } from './errors.ts'

/** A rectangle in the raster's CRS. */
export interface Box {
  minX: number
  minY: number
  maxX: number
  maxY: number
}

/** Pixels read from one window of a raster: row-major, `nodata` and non-finite values already NaN. */
export interface Grid {
  values: Float32Array | Float64Array
  /** Column and row of the window's first pixel in the whole raster. */
  col0: number
  row0: number
  width: number
  height: number
}

/**
 * One band of a GeoTIFF or Cloud-Optimised GeoTIFF, north-up, in EPSG:4326/4490 or a CGCS2000 Gauss-Krüger
 * zone, read a window at a time: a file handle stays open and only the strips or tiles a window touches are
 * decoded, so memory follows the window, not the file.
 */
export class Raster {
  private constructor(
    readonly file: string,
    private readonly tiff: GeoTIFF,
    private readonly image: GeoTIFFImage,
    readonly srid: number,
    readonly width: number,
    readonly height: number,
    /** Upper-left corner of the upper-left pixel, in the raster's CRS. */
    readonly originX: number,
    readonly originY: number,
    /** Pixel size in CRS units, both positive (rows run south). */
    readonly pixelX: number,
    readonly pixelY: number,
    readonly nodata: number | null,
    /** The TIFF DateTime tag as an ISO date, when the file has one. */
    readonly date: string | null,
  ) {}

  static async open(file: string): Promise<Raster> {
    let tiff: GeoTIFF
    try {
      tiff = await fromFile(file)
    } catch (error) {
      throw new HeightsInputError(
        `无法读取栅格 / cannot read the raster ${file}: ${(error as Error).message}`,
      )
    }
    const image = await tiff.getImage()
    const keys = image.getGeoKeys() ?? {}
    const srid = Number(keys.ProjectedCSTypeGeoKey ?? keys.GeographicTypeGeoKey ?? Number.NaN)
    if (!(srid === WGS84 || srid === CGCS2000 || isGaussKrueger(srid))) {
      await tiff.close()
      throw new HeightsInputError(
        `栅格坐标系须为 EPSG:4326、EPSG:4490 或 CGCS2000 高斯-克吕格投影 / ${file}: the raster's CRS ` +
          `(${Number.isNaN(srid) ? 'none in its GeoKeys' : `EPSG:${srid}`}) must be EPSG:4326, EPSG:4490 or a CGCS2000 Gauss-Krüger zone`,
      )
    }
    const [originX, originY] = image.getOrigin() as [number, number]
    const [resX, resY] = image.getResolution() as [number, number]
    const dateTag = (await image.fileDirectory.loadValue('DateTime')) as string | undefined
    return new Raster(
      file,
      tiff,
      image,
      srid,
      image.getWidth(),
      image.getHeight(),
      originX,
      originY,
      Math.abs(resX),
      Math.abs(resY),
      image.getGDALNoData(),
      isoDate(dateTag),
    )
  }

  /** The raster's extent in its CRS. */
  get extent(): Box {
    return {
      minX: this.originX,
      maxX: this.originX + this.width * this.pixelX,
      maxY: this.originY,
      minY: this.originY - this.height * this.pixelY,
    }
  }

  /** The CRS box of pixel columns [col0, col1) and rows [row0, row1). */
  boxOf(col0: number, row0: number, col1: number, row1: number): Box {
    return {
      minX: this.originX + col0 * this.pixelX,
      maxX: this.originX + col1 * this.pixelX,
      maxY: this.originY - row0 * this.pixelY,
      minY: this.originY - row1 * this.pixelY,
    }
  }

  /** Reads the pixels covering a CRS box, clipped to the raster; null when the box misses it. */
  async read(box: Box): Promise<Grid | null> {
    const col0 = Math.max(0, Math.floor((box.minX - this.originX) / this.pixelX))
    const col1 = Math.min(this.width, Math.ceil((box.maxX - this.originX) / this.pixelX))
    const row0 = Math.max(0, Math.floor((this.originY - box.maxY) / this.pixelY))
    const row1 = Math.min(this.height, Math.ceil((this.originY - box.minY) / this.pixelY))
    if (col1 <= col0 || row1 <= row0) return null
    const [band] = await this.image.readRasters({ window: [col0, row0, col1, row1], samples: [0] })
    const values = band instanceof Float64Array ? band : Float32Array.from(band as ArrayLike<number>)
    const nodata = this.nodata
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number
      if (!Number.isFinite(v) || (nodata !== null && v === nodata)) values[i] = Number.NaN
    }
    return { values, col0, row0, width: col1 - col0, height: row1 - row0 }
  }

  async close(): Promise<void> {
    await this.tiff.close()
  }
}

/** TIFF DateTime is `YYYY:MM:DD HH:MM:SS`. */
function isoDate(tag: string | undefined): string | null {
  const match = /^(\d{4}):(\d{2}):(\d{2})/.exec(tag?.trim() ?? '')
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null
}
