/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** 建筑用途 / Building use */
export type BuildingUse =
  | 'commercial'
  | 'industrial'
  | 'mixed'
  | 'office'
  | 'other'
  | 'public'
  | 'residential';

/** 盲区（无设施可达）或容量缺口 / a blind spot (no facility in reach) or a capacity gap */
export type CoverageGapKind =
  | 'blind_spot'
  | 'capacity';

export type DiagnosticRunState =
  | 'cancelled'
  | 'failed'
  | 'queued'
  | 'running'
  | 'succeeded';

/** 距离模型：直线或沿路网步行 / straight line or walking on the road network */
export type DistanceModel =
  | 'euclidean'
  | 'network';

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

/** 人口年龄组：儿童 0–14 / 劳动年龄 / 老年 60+ / Age group */
export type PopulationGroup =
  | 'children'
  | 'elderly'
  | 'working';

/** 问题状态：发现→交办→整改中→已整改→已复查→销号 / Problem workflow state */
export type ProblemState =
  | 'assigned'
  | 'closed'
  | 'identified'
  | 'in_progress'
  | 're_inspected'
  | 'rectified';

/** 项目状态：提出→批准→实施中→完工→已评估 / proposed, approved, under way, completed, evaluated */
export type ProjectState =
  | 'approved'
  | 'completed'
  | 'evaluated'
  | 'proposed'
  | 'under_way';

/** 行政层级 / Administrative level */
export type RegionLevel =
  | 'city'
  | 'community'
  | 'district'
  | 'province'
  | 'street';

/** 核实状态：已上报 → 已核实 / 已驳回 / reported, then verified or rejected */
export type ResourceVerificationState =
  | 'rejected'
  | 'reported'
  | 'verified';

export type ViewerBuildingDetailsFieldsFragment = { id: string, name: string | null, nameEn: string | null, use: BuildingUse, heightM: number, heightEstimated: boolean, floors: number | null, floorsEstimated: boolean, yearBuilt: number | null, footprintAreaM2: number, standardAddress: string | null, regionCode: string, region: { name: string, nameEn: string | null } | null, problems: Array<{ databaseId: number, title: string, type: string, severity: number, state: ProblemState, yearFound: number }>, indicatorValues: Array<{ value: number | null, grade: Grade | null, unitType: GradeUnitType, regionLevel: RegionLevel | null, campaignId: number, indicator: { code: string, name: string, nameEn: string | null, unit: string | null } }> };

export type ViewerBuildingDetailsQueryVariables = Exact<{
  id: string | number;
}>;


export type ViewerBuildingDetailsQuery = { node:
    | { id: string, name: string | null, nameEn: string | null, use: BuildingUse, heightM: number, heightEstimated: boolean, floors: number | null, floorsEstimated: boolean, yearBuilt: number | null, footprintAreaM2: number, standardAddress: string | null, regionCode: string, region: { name: string, nameEn: string | null } | null, problems: Array<{ databaseId: number, title: string, type: string, severity: number, state: ProblemState, yearFound: number }>, indicatorValues: Array<{ value: number | null, grade: Grade | null, unitType: GradeUnitType, regionLevel: RegionLevel | null, campaignId: number, indicator: { code: string, name: string, nameEn: string | null, unit: string | null } }> }
    | Record<PropertyKey, never>
   | null };

export type ViewerBuildingsNearQueryVariables = Exact<{
  point: Array<number> | number;
  radiusM: number;
}>;


export type ViewerBuildingsNearQuery = { buildings: { edges: Array<{ node: { id: string, name: string | null, nameEn: string | null, use: BuildingUse, heightM: number, heightEstimated: boolean, floors: number | null, floorsEstimated: boolean, yearBuilt: number | null, footprintAreaM2: number, standardAddress: string | null, regionCode: string, region: { name: string, nameEn: string | null } | null, problems: Array<{ databaseId: number, title: string, type: string, severity: number, state: ProblemState, yearFound: number }>, indicatorValues: Array<{ value: number | null, grade: Grade | null, unitType: GradeUnitType, regionLevel: RegionLevel | null, campaignId: number, indicator: { code: string, name: string, nameEn: string | null, unit: string | null } }> } }> } | null };

export type ViewerDistrictExtentsQueryVariables = Exact<{
  city: string;
}>;


export type ViewerDistrictExtentsQuery = { aggregate: { groups: Array<{ key: string, extent: { west: number, south: number, east: number, north: number } | null }> } | null };

export type ViewerFacilitiesQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ViewerFacilitiesQuery = { facilities: { edges: Array<{ node: { type: FacilityType, geom: import("geojson").Geometry } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type ViewerCoverageGapsQueryVariables = Exact<{
  regionCode: string;
  facilityType: FacilityType;
}>;


export type ViewerCoverageGapsQuery = { latestCoverageRun: { databaseId: number, gaps: Array<{ facilityType: FacilityType, distanceModel: DistanceModel, kind: CoverageGapKind, rank: number, priority: number, geom: import("geojson").Geometry | null, point: import("geojson").Geometry }> } | null };

export type ViewerBuildingGradesQueryVariables = Exact<{
  regionCode: string;
  indicatorCode?: string | null | undefined;
}>;


export type ViewerBuildingGradesQuery = { buildingGrades: { campaignId: number, campaignName: string, year: number, indicatorCode: string | null, indicators: Array<{ code: string, name: string, nameEn: string | null }>, buildings: Array<{ buildingId: number, grade: Grade, unitType: GradeUnitType }> } | null };

export type ViewerUncoveredCellsQueryVariables = Exact<{
  regionCode: string;
  facilityType: FacilityType;
  distanceModel?: DistanceModel | null | undefined;
}>;


export type ViewerUncoveredCellsQuery = { latestCoverageRun: { databaseId: number, servedGroups: Array<PopulationGroup>, uncoveredCells: Array<{ databaseId: number, centroid: import("geojson").Geometry, children: number, working: number, elderly: number, served: number }> } | null };

export type ViewerRenewalAreasQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ViewerRenewalAreasQuery = { renewalAreas: { nodes: Array<{ name: string, kind: string | null, geom: import("geojson").Geometry }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type ViewerDistrictBoundariesQueryVariables = Exact<{
  city: string;
}>;


export type ViewerDistrictBoundariesQuery = { region: { children: Array<{ code: string, name: string, nameEn: string | null, boundary: import("geojson").Geometry | null }> } | null };

export type ViewerCompareCampaignsQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerCompareCampaignsQuery = { campaigns: { nodes: Array<{ databaseId: number, name: string, year: number }> } | null };

export type ViewerCompareGradesQueryVariables = Exact<{
  regionCode: string;
  campaignId: number;
}>;


export type ViewerCompareGradesQuery = { buildingGrades: { campaignId: number, year: number, buildings: Array<{ buildingId: number, grade: Grade, unitType: GradeUnitType }> } | null };

export type ViewerProblemChangedSubscriptionVariables = Exact<{
  regionCode?: string | null | undefined;
}>;


export type ViewerProblemChangedSubscription = { problemChanged: { databaseId: number, state: ProblemState, buildingId: number | null, severity: number } };

export type ViewerRunUpdatedSubscriptionVariables = Exact<{
  regionCode?: string | null | undefined;
}>;


export type ViewerRunUpdatedSubscription = { diagnosticRunUpdated: { databaseId: number, kind: string, state: DiagnosticRunState } };

export type ViewerStockResourcesQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ViewerStockResourcesQuery = { stockResources: { nodes: Array<{ kind: string, layer: string | null, verificationState: ResourceVerificationState, geom: import("geojson").Geometry }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ViewerZoningAreasQueryVariables = Exact<{
  regionCode: string;
}>;


export type ViewerZoningAreasQuery = { zoningAreas: Array<{ areaClass: string, className: string, reasons: unknown, geom: import("geojson").Geometry }> };

export type ViewerProjectsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ViewerProjectsQuery = { projects: { nodes: Array<{ name: string, state: ProjectState, newlyCovered: number | null, geom: import("geojson").Geometry | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ViewerTimelineSpanQueryVariables = Exact<{
  regionCode?: string | null | undefined;
}>;


export type ViewerTimelineSpanQuery = { buildingYearSpan: { earliest: number | null, latest: number | null, withYear: number, buildings: number } };

export type ViewerTimelineProblemsQueryVariables = Exact<{
  regionCode?: string | null | undefined;
  after?: string | null | undefined;
}>;


export type ViewerTimelineProblemsQuery = { problems: { nodes: Array<{ databaseId: number, geom: import("geojson").Geometry | null, foundAt: string, closedAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

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
export const ViewerBuildingDetailsFieldsFragmentDoc = new TypedDocumentString(`
    fragment ViewerBuildingDetailsFields on Building {
  id
  name
  nameEn
  use
  heightM
  heightEstimated
  floors
  floorsEstimated
  yearBuilt
  footprintAreaM2
  standardAddress
  regionCode
  region {
    name
    nameEn
  }
  problems {
    databaseId
    title
    type
    severity
    state
    yearFound
  }
  indicatorValues {
    value
    grade
    unitType
    regionLevel
    campaignId
    indicator {
      code
      name
      nameEn
      unit
    }
  }
}
    `, {"fragmentName":"ViewerBuildingDetailsFields"}) as unknown as TypedDocumentString<ViewerBuildingDetailsFieldsFragment, unknown>;
export const ViewerBuildingDetailsDocument = new TypedDocumentString(`
    query ViewerBuildingDetails($id: ID!) {
  node(id: $id) {
    ... on Building {
      ...ViewerBuildingDetailsFields
    }
  }
}
    fragment ViewerBuildingDetailsFields on Building {
  id
  name
  nameEn
  use
  heightM
  heightEstimated
  floors
  floorsEstimated
  yearBuilt
  footprintAreaM2
  standardAddress
  regionCode
  region {
    name
    nameEn
  }
  problems {
    databaseId
    title
    type
    severity
    state
    yearFound
  }
  indicatorValues {
    value
    grade
    unitType
    regionLevel
    campaignId
    indicator {
      code
      name
      nameEn
      unit
    }
  }
}`) as unknown as TypedDocumentString<ViewerBuildingDetailsQuery, ViewerBuildingDetailsQueryVariables>;
export const ViewerBuildingsNearDocument = new TypedDocumentString(`
    query ViewerBuildingsNear($point: [Float!]!, $radiusM: Float!) {
  buildings(
    first: 20
    filter: {near: {point: $point, radiusM: $radiusM}}
    orderBy: DISTANCE
  ) {
    edges {
      node {
        ...ViewerBuildingDetailsFields
      }
    }
  }
}
    fragment ViewerBuildingDetailsFields on Building {
  id
  name
  nameEn
  use
  heightM
  heightEstimated
  floors
  floorsEstimated
  yearBuilt
  footprintAreaM2
  standardAddress
  regionCode
  region {
    name
    nameEn
  }
  problems {
    databaseId
    title
    type
    severity
    state
    yearFound
  }
  indicatorValues {
    value
    grade
    unitType
    regionLevel
    campaignId
    indicator {
      code
      name
      nameEn
      unit
    }
  }
}`) as unknown as TypedDocumentString<ViewerBuildingsNearQuery, ViewerBuildingsNearQueryVariables>;
export const ViewerDistrictExtentsDocument = new TypedDocumentString(`
    query ViewerDistrictExtents($city: String!) {
  aggregate(groupBy: {childrenOf: $city}) {
    groups {
      key
      extent {
        west
        south
        east
        north
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerDistrictExtentsQuery, ViewerDistrictExtentsQueryVariables>;
export const ViewerFacilitiesDocument = new TypedDocumentString(`
    query ViewerFacilities($after: String) {
  facilities(first: 500, after: $after) {
    edges {
      node {
        type
        geom
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerFacilitiesQuery, ViewerFacilitiesQueryVariables>;
export const ViewerCoverageGapsDocument = new TypedDocumentString(`
    query ViewerCoverageGaps($regionCode: String!, $facilityType: FacilityType!) {
  latestCoverageRun(regionCode: $regionCode) {
    databaseId
    gaps(facilityType: $facilityType, first: 2000) {
      facilityType
      distanceModel
      kind
      rank
      priority
      geom
      point
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerCoverageGapsQuery, ViewerCoverageGapsQueryVariables>;
export const ViewerBuildingGradesDocument = new TypedDocumentString(`
    query ViewerBuildingGrades($regionCode: String!, $indicatorCode: String) {
  buildingGrades(regionCode: $regionCode, indicatorCode: $indicatorCode) {
    campaignId
    campaignName
    year
    indicatorCode
    indicators {
      code
      name
      nameEn
    }
    buildings {
      buildingId
      grade
      unitType
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerBuildingGradesQuery, ViewerBuildingGradesQueryVariables>;
export const ViewerUncoveredCellsDocument = new TypedDocumentString(`
    query ViewerUncoveredCells($regionCode: String!, $facilityType: FacilityType!, $distanceModel: DistanceModel) {
  latestCoverageRun(regionCode: $regionCode) {
    databaseId
    servedGroups(facilityType: $facilityType)
    uncoveredCells(facilityType: $facilityType, distanceModel: $distanceModel) {
      databaseId
      centroid
      children
      working
      elderly
      served
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerUncoveredCellsQuery, ViewerUncoveredCellsQueryVariables>;
export const ViewerRenewalAreasDocument = new TypedDocumentString(`
    query ViewerRenewalAreas($after: String) {
  renewalAreas(first: 500, after: $after) {
    nodes {
      name
      kind
      geom
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerRenewalAreasQuery, ViewerRenewalAreasQueryVariables>;
export const ViewerDistrictBoundariesDocument = new TypedDocumentString(`
    query ViewerDistrictBoundaries($city: String!) {
  region(code: $city) {
    children(level: district) {
      code
      name
      nameEn
      boundary
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerDistrictBoundariesQuery, ViewerDistrictBoundariesQueryVariables>;
export const ViewerCompareCampaignsDocument = new TypedDocumentString(`
    query ViewerCompareCampaigns {
  campaigns(first: 50) {
    nodes {
      databaseId
      name
      year
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerCompareCampaignsQuery, ViewerCompareCampaignsQueryVariables>;
export const ViewerCompareGradesDocument = new TypedDocumentString(`
    query ViewerCompareGrades($regionCode: String!, $campaignId: Int!) {
  buildingGrades(regionCode: $regionCode, campaignId: $campaignId) {
    campaignId
    year
    buildings {
      buildingId
      grade
      unitType
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerCompareGradesQuery, ViewerCompareGradesQueryVariables>;
export const ViewerProblemChangedDocument = new TypedDocumentString(`
    subscription ViewerProblemChanged($regionCode: String) {
  problemChanged(regionCode: $regionCode) {
    databaseId
    state
    buildingId
    severity
  }
}
    `) as unknown as TypedDocumentString<ViewerProblemChangedSubscription, ViewerProblemChangedSubscriptionVariables>;
export const ViewerRunUpdatedDocument = new TypedDocumentString(`
    subscription ViewerRunUpdated($regionCode: String) {
  diagnosticRunUpdated(regionCode: $regionCode) {
    databaseId
    kind
    state
  }
}
    `) as unknown as TypedDocumentString<ViewerRunUpdatedSubscription, ViewerRunUpdatedSubscriptionVariables>;
export const ViewerStockResourcesDocument = new TypedDocumentString(`
    query ViewerStockResources($after: String) {
  stockResources(first: 500, after: $after) {
    nodes {
      kind
      layer
      verificationState
      geom
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerStockResourcesQuery, ViewerStockResourcesQueryVariables>;
export const ViewerZoningAreasDocument = new TypedDocumentString(`
    query ViewerZoningAreas($regionCode: String!) {
  zoningAreas(regionCode: $regionCode) {
    areaClass
    className
    reasons
    geom
  }
}
    `) as unknown as TypedDocumentString<ViewerZoningAreasQuery, ViewerZoningAreasQueryVariables>;
export const ViewerProjectsDocument = new TypedDocumentString(`
    query ViewerProjects($after: String) {
  projects(first: 500, after: $after) {
    nodes {
      name
      state
      newlyCovered
      geom
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerProjectsQuery, ViewerProjectsQueryVariables>;
export const ViewerTimelineSpanDocument = new TypedDocumentString(`
    query ViewerTimelineSpan($regionCode: String) {
  buildingYearSpan(regionCode: $regionCode) {
    earliest
    latest
    withYear
    buildings
  }
}
    `) as unknown as TypedDocumentString<ViewerTimelineSpanQuery, ViewerTimelineSpanQueryVariables>;
export const ViewerTimelineProblemsDocument = new TypedDocumentString(`
    query ViewerTimelineProblems($regionCode: String, $after: String) {
  problems(regionCode: $regionCode, first: 500, after: $after) {
    nodes {
      databaseId
      geom
      foundAt
      closedAt
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerTimelineProblemsQuery, ViewerTimelineProblemsQueryVariables>;