/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** 分组方式：按下级行政区划，或按方形网格（米）/ Group by child regions or by a square grid */
export type AggregateGroupBy = {
  /** 按该区划的下级区划分组 / One group per child region of this code */
  childrenOf?: string | null | undefined;
  /** 网格边长（米，10–100000）/ Grid cell size in metres */
  gridSizeM?: number | null | undefined;
  /** 网格所用的 CGCS2000 高斯-克吕格投影（默认按位置选取）/ Gauss-Krüger zone of the grid */
  metricSrid?: number | null | undefined;
};

/** 矩形范围（坐标系由 SpatialFilter.crs 指定，默认 EPSG:4326 经纬度）/ A bounding box in the filter CRS */
export type BBoxInput = {
  east: number;
  north: number;
  south: number;
  west: number;
};

/** 建筑用途 / Building use */
export type BuildingUse =
  | 'commercial'
  | 'industrial'
  | 'mixed'
  | 'office'
  | 'other'
  | 'public'
  | 'residential';

/** 体检维度：住房 / 小区（社区）/ 街区 / 城区（城市）/ The four objects examined */
export type Dimension =
  | 'block'
  | 'city'
  | 'compound'
  | 'housing';

/** 公共服务设施类型（GB 50180-2018 生活圈）/ Facility type of the life-circle standard */
export type FacilityType =
  | 'bus_stop'
  | 'clinic'
  | 'culture_center'
  | 'elderly_care'
  | 'ev_charging'
  | 'fire_station'
  | 'hospital'
  | 'infant_care'
  | 'kindergarten'
  | 'market'
  | 'middle_school'
  | 'park'
  | 'parking'
  | 'police'
  | 'primary_school'
  | 'shelter'
  | 'sports_ground'
  | 'subway_entrance'
  | 'supermarket';

/** 评价等级：较差 / 一般 / 较好 / 很好 / Grade from the standard values */
export type Grade =
  | 'excellent'
  | 'fair'
  | 'good'
  | 'poor';

/** 等级所取自的单元 / The unit a building took its grade from */
export type GradeUnitType =
  | 'block'
  | 'building'
  | 'compound'
  | 'region';

/** 指标层级：国家基础 / 省级 / 市级 / 特色 / Indicator level */
export type IndicatorLevel =
  | 'municipal'
  | 'national'
  | 'provincial'
  | 'special';

export type IndicatorSystemStatus =
  | 'draft'
  | 'locked'
  | 'published';

/** 距某点一定距离（米）以内 / Within a distance (metres) of a point */
export type NearInput = {
  /** [x, y]：经度、纬度，或投影坐标 / [x, y] in the filter CRS */
  point: Array<number>;
  /** 半径（米），不超过 50000 / Radius in metres, at most 50000 */
  radiusM: number;
};

/** 问题来源：诊断、指标评价、巡查、专家、问卷调查、群众诉求 / Where a problem came from: a diagnosis run, a poor or warned indicator value, a street inspection, an expert, a survey, residents’ appeals */
export type ProblemSource =
  | 'appeal'
  | 'diagnosis'
  | 'expert'
  | 'indicator'
  | 'inspection'
  | 'survey';

/** 问题状态：发现→交办→整改中→已整改→已复查→销号 / Problem workflow state */
export type ProblemState =
  | 'assigned'
  | 'closed'
  | 'identified'
  | 'in_progress'
  | 're_inspected'
  | 'rectified';

/** 行政层级 / Administrative level */
export type RegionLevel =
  | 'city'
  | 'community'
  | 'district'
  | 'province'
  | 'street';

/** 身份角色 / Role of an identity */
export type Role =
  | 'city'
  | 'department'
  | 'district'
  | 'expert'
  | 'partner'
  | 'province'
  | 'public'
  | 'street';

/** 空间筛选：各条件同时满足 / Spatial filter; all given conditions apply. Geometry inputs are in `crs` (EPSG:4326 by default; EPSG:4490 and the CGCS2000 Gauss-Krüger zones EPSG:4491–4554 are transformed). */
export type SpatialFilter = {
  /** 与矩形相交 / Intersects the box */
  bbox?: BBoxInput | null | undefined;
  /** 输入坐标系，如 EPSG:4549 / CRS of the geometry inputs, e.g. EPSG:4549 */
  crs?: string | null | undefined;
  /** 与几何相交 / Intersects the geometry */
  intersects?: import("geojson").Geometry | null | undefined;
  /** 距点一定距离以内，并按距离排序 / Within a distance of a point */
  near?: NearInput | null | undefined;
  /** 位于该行政区划内（按区划代码）/ Inside the region with this code */
  region?: string | null | undefined;
};

export type AggregateQueryVariables = Exact<{
  filter?: SpatialFilter | null | undefined;
  groupBy?: AggregateGroupBy | null | undefined;
  buildingUses?: Array<BuildingUse> | BuildingUse | null | undefined;
}>;


export type AggregateQuery = { aggregate: { groupedBy: string, metricSrid: number | null, total: { facilityCount: number, buildings: { count: number, footprintAreaM2: number, floorAreaM2: number, withFloorArea: number, residents: number }, facilities: Array<{ type: FacilityType, count: number, capacity: number }>, population: { cells: number, children: number, working: number, elderly: number, total: number } | null, extent: { west: number, south: number, east: number, north: number } | null }, groups: Array<{ key: string, cell: import("geojson").Geometry | null, facilityCount: number, region: { code: string } | null, buildings: { count: number, footprintAreaM2: number, floorAreaM2: number, withFloorArea: number, residents: number }, facilities: Array<{ type: FacilityType, count: number, capacity: number }>, population: { cells: number, children: number, working: number, elderly: number, total: number } | null, extent: { west: number, south: number, east: number, north: number } | null }> } | null };

export type StatsFragment = { facilityCount: number, buildings: { count: number, footprintAreaM2: number, floorAreaM2: number, withFloorArea: number, residents: number }, facilities: Array<{ type: FacilityType, count: number, capacity: number }>, population: { cells: number, children: number, working: number, elderly: number, total: number } | null, extent: { west: number, south: number, east: number, north: number } | null };

export type BuildingProblemsQueryVariables = Exact<{
  id: string | number;
  openOnly?: boolean | null | undefined;
}>;


export type BuildingProblemsQuery = { node:
    | { problems: Array<{ databaseId: number, title: string, type: string, severity: number, state: ProblemState, yearFound: number, source: ProblemSource, buildingId: number | null }> }
    | Record<PropertyKey, never>
   | null };

export type BuildingValuesQueryVariables = Exact<{
  id: string | number;
  campaignId?: number | null | undefined;
}>;


export type BuildingValuesQuery = { node:
    | { indicatorValues: Array<{ campaignId: number, value: number | null, grade: Grade | null, unitType: GradeUnitType, unitKey: string, regionLevel: RegionLevel | null, indicator: { code: string, name: string, unit: string | null, dimension: Dimension, sortOrder: number } }> }
    | Record<PropertyKey, never>
   | null };

export type CompoundDetailsQueryVariables = Exact<{
  id: string | number;
}>;


export type CompoundDetailsQuery = { node:
    | { buildings: Array<{ id: string, problems: Array<{ title: string }>, indicatorValues: Array<{ unitType: GradeUnitType, indicator: { code: string } }> }> }
    | Record<PropertyKey, never>
   | null };

export type RegionsByLevelQueryVariables = Exact<{
  level?: RegionLevel | null | undefined;
  parentCode?: string | null | undefined;
  after?: string | null | undefined;
}>;


export type RegionsByLevelQuery = { regions: { totalCount: number, edges: Array<{ node: { id: string, code: string, name: string, level: RegionLevel, scopePrefix: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type FacilitiesByTypeQueryVariables = Exact<{
  types?: Array<FacilityType> | FacilityType | null | undefined;
}>;


export type FacilitiesByTypeQuery = { facilities: { totalCount: number, edges: Array<{ node: { id: string, type: FacilityType, name: string | null, capacity: number | null, geom: import("geojson").Geometry, region: { code: string } | null } }> } | null };

export type CompoundListQueryVariables = Exact<{ [key: string]: never; }>;


export type CompoundListQuery = { compounds: { totalCount: number, edges: Array<{ node: { id: string, name: string | null, kind: string, geom: import("geojson").Geometry, areaM2: number | null, buildings: Array<{ id: string, centroid: import("geojson").Geometry }> } }> } | null };

export type RenewalAreasQueryVariables = Exact<{
  filter?: SpatialFilter | null | undefined;
}>;


export type RenewalAreasQuery = { renewalAreas: { totalCount: number, edges: Array<{ node: { id: string, name: string, kind: string | null, areaM2: number | null, createdAt: string, attributes: unknown, region: { code: string } | null } }> } | null };

export type IndicatorCatalogueQueryVariables = Exact<{
  dimension?: Dimension | null | undefined;
}>;


export type IndicatorCatalogueQuery = { indicatorSystems: { edges: Array<{ node: { id: string, code: string, name: string, year: number, level: IndicatorLevel, status: IndicatorSystemStatus, indicators: Array<{ id: string, code: string, name: string, dimension: Dimension, unit: string | null, direction: string }> } }> } | null };

export type AllBuildingsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type AllBuildingsQuery = { buildings: { edges: Array<{ node: { id: string, regionCode: string, footprint: import("geojson").Geometry, centroid: import("geojson").Geometry, footprintAreaM2: number, floorAreaM2: number | null, residents: number | null, use: BuildingUse } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type AllFacilitiesQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type AllFacilitiesQuery = { facilities: { edges: Array<{ node: { id: string, regionCode: string, type: FacilityType, geom: import("geojson").Geometry, capacity: number | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type AllCellsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type AllCellsQuery = { populationCells: { edges: Array<{ node: { id: string, regionCode: string, geom: import("geojson").Geometry, centroid: import("geojson").Geometry, children: number, working: number, elderly: number, total: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { signedIn: boolean, role: Role | null, publicOnly: boolean, scopePrefix: string | null, region: { code: string } | null } };

export type ScopedBuildingsQueryVariables = Exact<{
  filter?: SpatialFilter | null | undefined;
}>;


export type ScopedBuildingsQuery = { buildings: { totalCount: number, edges: Array<{ node: { id: string, regionCode: string } }> } | null };

export type SpatialBuildingsQueryVariables = Exact<{
  filter?: SpatialFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type SpatialBuildingsQuery = { buildings: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, distanceM: number | null } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } | null };

export type SpatialFacilitiesQueryVariables = Exact<{
  filter?: SpatialFilter | null | undefined;
  types?: Array<FacilityType> | FacilityType | null | undefined;
}>;


export type SpatialFacilitiesQuery = { facilities: { edges: Array<{ node: { id: string, type: FacilityType, distanceM: number | null } }> } | null };

export type ViewportBuildingsQueryVariables = Exact<{
  filter?: SpatialFilter | null | undefined;
  first?: number | null | undefined;
}>;


export type ViewportBuildingsQuery = { buildings: { edges: Array<{ node: { id: string, name: string | null, heightM: number, footprint: import("geojson").Geometry, compound: { id: string, name: string | null } | null, region: { code: string, name: string } | null, block: { id: string } | null } }> } | null };

export type CompoundsWithBuildingsQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type CompoundsWithBuildingsQuery = { compounds: { edges: Array<{ node: { name: string | null, region: { name: string } | null, buildings: Array<{ id: string, region: { code: string } | null, compound: { id: string } | null }> } }> } | null };

export type RegionTreeQueryVariables = Exact<{ [key: string]: never; }>;


export type RegionTreeQuery = { regions: { edges: Array<{ node: { code: string, parent: { code: string } | null, children: Array<{ code: string, children: Array<{ code: string }> }> } }> } | null };

export type SystemsWithIndicatorsQueryVariables = Exact<{ [key: string]: never; }>;


export type SystemsWithIndicatorsQuery = { indicatorSystems: { edges: Array<{ node: { name: string, indicators: Array<{ code: string, system: { code: string } | null }> } }> } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const StatsFragmentDoc = new TypedDocumentString(`
    fragment Stats on AggregateGroup {
  buildings {
    count
    footprintAreaM2
    floorAreaM2
    withFloorArea
    residents
  }
  facilityCount
  facilities {
    type
    count
    capacity
  }
  population {
    cells
    children
    working
    elderly
    total
  }
  extent {
    west
    south
    east
    north
  }
}
    `, {"fragmentName":"Stats"}) as unknown as TypedDocumentString<StatsFragment, unknown>;
export const AggregateDocument = new TypedDocumentString(`
    query Aggregate($filter: SpatialFilter, $groupBy: AggregateGroupBy, $buildingUses: [BuildingUse!]) {
  aggregate(filter: $filter, groupBy: $groupBy, buildingUses: $buildingUses) {
    groupedBy
    metricSrid
    total {
      ...Stats
    }
    groups {
      key
      region {
        code
      }
      cell
      ...Stats
    }
  }
}
    fragment Stats on AggregateGroup {
  buildings {
    count
    footprintAreaM2
    floorAreaM2
    withFloorArea
    residents
  }
  facilityCount
  facilities {
    type
    count
    capacity
  }
  population {
    cells
    children
    working
    elderly
    total
  }
  extent {
    west
    south
    east
    north
  }
}`) as unknown as TypedDocumentString<AggregateQuery, AggregateQueryVariables>;
export const BuildingProblemsDocument = new TypedDocumentString(`
    query BuildingProblems($id: ID!, $openOnly: Boolean) {
  node(id: $id) {
    ... on Building {
      problems(openOnly: $openOnly) {
        databaseId
        title
        type
        severity
        state
        yearFound
        source
        buildingId
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BuildingProblemsQuery, BuildingProblemsQueryVariables>;
export const BuildingValuesDocument = new TypedDocumentString(`
    query BuildingValues($id: ID!, $campaignId: Int) {
  node(id: $id) {
    ... on Building {
      indicatorValues(campaignId: $campaignId) {
        campaignId
        value
        grade
        unitType
        unitKey
        regionLevel
        indicator {
          code
          name
          unit
          dimension
          sortOrder
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BuildingValuesQuery, BuildingValuesQueryVariables>;
export const CompoundDetailsDocument = new TypedDocumentString(`
    query CompoundDetails($id: ID!) {
  node(id: $id) {
    ... on Compound {
      buildings {
        id
        problems {
          title
        }
        indicatorValues {
          unitType
          indicator {
            code
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CompoundDetailsQuery, CompoundDetailsQueryVariables>;
export const RegionsByLevelDocument = new TypedDocumentString(`
    query RegionsByLevel($level: RegionLevel, $parentCode: String, $after: String) {
  regions(level: $level, parentCode: $parentCode, first: 20, after: $after) {
    totalCount
    edges {
      node {
        id
        code
        name
        level
        scopePrefix
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<RegionsByLevelQuery, RegionsByLevelQueryVariables>;
export const FacilitiesByTypeDocument = new TypedDocumentString(`
    query FacilitiesByType($types: [FacilityType!]) {
  facilities(types: $types, first: 500) {
    totalCount
    edges {
      node {
        id
        type
        name
        capacity
        geom
        region {
          code
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FacilitiesByTypeQuery, FacilitiesByTypeQueryVariables>;
export const CompoundListDocument = new TypedDocumentString(`
    query CompoundList {
  compounds(first: 100) {
    totalCount
    edges {
      node {
        id
        name
        kind
        geom
        areaM2
        buildings {
          id
          centroid
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CompoundListQuery, CompoundListQueryVariables>;
export const RenewalAreasDocument = new TypedDocumentString(`
    query RenewalAreas($filter: SpatialFilter) {
  renewalAreas(filter: $filter) {
    totalCount
    edges {
      node {
        id
        name
        kind
        areaM2
        createdAt
        attributes
        region {
          code
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RenewalAreasQuery, RenewalAreasQueryVariables>;
export const IndicatorCatalogueDocument = new TypedDocumentString(`
    query IndicatorCatalogue($dimension: Dimension) {
  indicatorSystems(year: 2025) {
    edges {
      node {
        id
        code
        name
        year
        level
        status
        indicators(dimension: $dimension) {
          id
          code
          name
          dimension
          unit
          direction
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<IndicatorCatalogueQuery, IndicatorCatalogueQueryVariables>;
export const AllBuildingsDocument = new TypedDocumentString(`
    query AllBuildings($after: String) {
  buildings(first: 500, after: $after) {
    edges {
      node {
        id
        regionCode
        footprint
        centroid
        footprintAreaM2
        floorAreaM2
        residents
        use
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<AllBuildingsQuery, AllBuildingsQueryVariables>;
export const AllFacilitiesDocument = new TypedDocumentString(`
    query AllFacilities($after: String) {
  facilities(first: 500, after: $after) {
    edges {
      node {
        id
        regionCode
        type
        geom
        capacity
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<AllFacilitiesQuery, AllFacilitiesQueryVariables>;
export const AllCellsDocument = new TypedDocumentString(`
    query AllCells($after: String) {
  populationCells(first: 500, after: $after) {
    edges {
      node {
        id
        regionCode
        geom
        centroid
        children
        working
        elderly
        total
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<AllCellsQuery, AllCellsQueryVariables>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    signedIn
    role
    publicOnly
    scopePrefix
    region {
      code
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const ScopedBuildingsDocument = new TypedDocumentString(`
    query ScopedBuildings($filter: SpatialFilter) {
  buildings(filter: $filter, first: 500) {
    totalCount
    edges {
      node {
        id
        regionCode
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ScopedBuildingsQuery, ScopedBuildingsQueryVariables>;
export const SpatialBuildingsDocument = new TypedDocumentString(`
    query SpatialBuildings($filter: SpatialFilter, $first: Int, $after: String, $last: Int, $before: String) {
  buildings(
    filter: $filter
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    totalCount
    edges {
      cursor
      node {
        id
        distanceM
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<SpatialBuildingsQuery, SpatialBuildingsQueryVariables>;
export const SpatialFacilitiesDocument = new TypedDocumentString(`
    query SpatialFacilities($filter: SpatialFilter, $types: [FacilityType!]) {
  facilities(filter: $filter, types: $types, first: 500) {
    edges {
      node {
        id
        type
        distanceM
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SpatialFacilitiesQuery, SpatialFacilitiesQueryVariables>;
export const ViewportBuildingsDocument = new TypedDocumentString(`
    query ViewportBuildings($filter: SpatialFilter, $first: Int) {
  buildings(filter: $filter, first: $first) {
    edges {
      node {
        id
        name
        heightM
        footprint
        compound {
          id
          name
        }
        region {
          code
          name
        }
        block {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ViewportBuildingsQuery, ViewportBuildingsQueryVariables>;
export const CompoundsWithBuildingsDocument = new TypedDocumentString(`
    query CompoundsWithBuildings($first: Int) {
  compounds(first: $first) {
    edges {
      node {
        name
        region {
          name
        }
        buildings {
          id
          region {
            code
          }
          compound {
            id
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CompoundsWithBuildingsQuery, CompoundsWithBuildingsQueryVariables>;
export const RegionTreeDocument = new TypedDocumentString(`
    query RegionTree {
  regions(parentCode: "310100", first: 100) {
    edges {
      node {
        code
        parent {
          code
        }
        children {
          code
          children {
            code
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RegionTreeQuery, RegionTreeQueryVariables>;
export const SystemsWithIndicatorsDocument = new TypedDocumentString(`
    query SystemsWithIndicators {
  indicatorSystems {
    edges {
      node {
        name
        indicators {
          code
          system {
            code
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SystemsWithIndicatorsQuery, SystemsWithIndicatorsQueryVariables>;