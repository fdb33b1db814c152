/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type DiagnosticRunState =
  | 'cancelled'
  | 'failed'
  | 'queued'
  | 'running'
  | 'succeeded';

/** 按区、街道或责任部门统计 / Group by district, street or responsible department */
export type KpiGrouping =
  | 'department'
  | 'district'
  | 'street';

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

export type ScreenRegionQueryVariables = Exact<{ [key: string]: never; }>;


export type ScreenRegionQuery = { viewer: { publicOnly: boolean, region: { code: string, name: string, nameEn: string | null, level: RegionLevel } | null } };

export type ScreenFiguresQueryVariables = Exact<{
  regionCode: string;
  from: string;
  to: string;
  groupBy: KpiGrouping;
}>;


export type ScreenFiguresQuery = { screen: { regionCode: string, campaign: { databaseId: number, name: string, year: number } | null, gradesByDimension: Array<{ dimension: string, poor: number, fair: number, good: number, excellent: number }>, warnings: { red: number, yellow: number, items: Array<{ indicatorCode: string, name: string, nameEn: string | null, unitKey: string, regionCode: string, value: number | null, warning: string }> }, problemFunnel: Array<{ stage: string, problems: number }>, areas: Array<{ code: string, name: string, nameEn: string | null, open: number, overdue: number }>, blindSpots: Array<{ facilityType: string, distanceModel: string, gaps: number, children: number, working: number, elderly: number }>, projectPipeline: Array<{ state: string, projects: number, budget: number }>, projectFunding: Array<{ source: string, amount: number }> }, problemKpis: Array<{ key: string, onTimeRate: number | null }> };

export type ScreenChildrenQueryVariables = Exact<{
  code: string;
  level: RegionLevel;
}>;


export type ScreenChildrenQuery = { region: { children: Array<{ code: string, name: string, nameEn: string | null, boundary: import("geojson").Geometry | null }> } | null, aggregate: { groups: Array<{ key: string, extent: { west: number, south: number, east: number, north: number } | null }> } | null };

export type ScreenProblemChangedSubscriptionVariables = Exact<{
  regionCode?: string | null | undefined;
}>;


export type ScreenProblemChangedSubscription = { problemChanged: { databaseId: number, titleZh: string, titleEn: string | null, state: ProblemState, severity: number, regionCode: string } };

export type ScreenRunUpdatedSubscriptionVariables = Exact<{
  regionCode?: string | null | undefined;
}>;


export type ScreenRunUpdatedSubscription = { diagnosticRunUpdated: { databaseId: number, kind: string, state: DiagnosticRunState } };

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

export const ScreenRegionDocument = new TypedDocumentString(`
    query ScreenRegion {
  viewer {
    publicOnly
    region {
      code
      name
      nameEn
      level
    }
  }
}
    `) as unknown as TypedDocumentString<ScreenRegionQuery, ScreenRegionQueryVariables>;
export const ScreenFiguresDocument = new TypedDocumentString(`
    query ScreenFigures($regionCode: String!, $from: String!, $to: String!, $groupBy: KpiGrouping!) {
  screen(regionCode: $regionCode) {
    regionCode
    campaign {
      databaseId
      name
      year
    }
    gradesByDimension {
      dimension
      poor
      fair
      good
      excellent
    }
    warnings(first: 6) {
      red
      yellow
      items {
        indicatorCode
        name
        nameEn
        unitKey
        regionCode
        value
        warning
      }
    }
    problemFunnel {
      stage
      problems
    }
    areas {
      code
      name
      nameEn
      open
      overdue
    }
    blindSpots {
      facilityType
      distanceModel
      gaps
      children
      working
      elderly
    }
    projectPipeline {
      state
      projects
      budget
    }
    projectFunding {
      source
      amount
    }
  }
  problemKpis(regionCode: $regionCode, from: $from, to: $to, groupBy: $groupBy) {
    key
    onTimeRate
  }
}
    `) as unknown as TypedDocumentString<ScreenFiguresQuery, ScreenFiguresQueryVariables>;
export const ScreenChildrenDocument = new TypedDocumentString(`
    query ScreenChildren($code: String!, $level: RegionLevel!) {
  region(code: $code) {
    children(level: $level) {
      code
      name
      nameEn
      boundary
    }
  }
  aggregate(groupBy: {childrenOf: $code}) {
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
    `) as unknown as TypedDocumentString<ScreenChildrenQuery, ScreenChildrenQueryVariables>;
export const ScreenProblemChangedDocument = new TypedDocumentString(`
    subscription ScreenProblemChanged($regionCode: String) {
  problemChanged(regionCode: $regionCode) {
    databaseId
    titleZh
    titleEn
    state
    severity
    regionCode
  }
}
    `) as unknown as TypedDocumentString<ScreenProblemChangedSubscription, ScreenProblemChangedSubscriptionVariables>;
export const ScreenRunUpdatedDocument = new TypedDocumentString(`
    subscription ScreenRunUpdated($regionCode: String) {
  diagnosticRunUpdated(regionCode: $regionCode) {
    databaseId
    kind
    state
  }
}
    `) as unknown as TypedDocumentString<ScreenRunUpdatedSubscription, ScreenRunUpdatedSubscriptionVariables>;