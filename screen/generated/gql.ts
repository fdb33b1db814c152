/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ScreenRegion {\n    viewer {\n      publicOnly\n      region {\n        code\n        name\n        nameEn\n        level\n      }\n    }\n  }\n": typeof types.ScreenRegionDocument,
    "\n  query ScreenFigures($regionCode: String!, $from: String!, $to: String!, $groupBy: KpiGrouping!) {\n    screen(regionCode: $regionCode) {\n      regionCode\n      campaign {\n        databaseId\n        name\n        year\n      }\n      gradesByDimension {\n        dimension\n        poor\n        fair\n        good\n        excellent\n      }\n      warnings(first: 6) {\n        red\n        yellow\n        items {\n          indicatorCode\n          name\n          nameEn\n          unitKey\n          regionCode\n          value\n          warning\n        }\n      }\n      problemFunnel {\n        stage\n        problems\n      }\n      areas {\n        code\n        name\n        nameEn\n        open\n        overdue\n      }\n      blindSpots {\n        facilityType\n        distanceModel\n        gaps\n        children\n        working\n        elderly\n      }\n      projectPipeline {\n        state\n        projects\n        budget\n      }\n      projectFunding {\n        source\n        amount\n      }\n    }\n    problemKpis(regionCode: $regionCode, from: $from, to: $to, groupBy: $groupBy) {\n      key\n      onTimeRate\n    }\n  }\n": typeof types.ScreenFiguresDocument,
    "\n  query ScreenChildren($code: String!, $level: RegionLevel!) {\n    region(code: $code) {\n      children(level: $level) {\n        code\n        name\n        nameEn\n        boundary\n      }\n    }\n    aggregate(groupBy: { childrenOf: $code }) {\n      groups {\n        key\n        extent {\n          west\n          south\n          east\n          north\n        }\n      }\n    }\n  }\n": typeof types.ScreenChildrenDocument,
    "\n  subscription ScreenProblemChanged($regionCode: String) {\n    problemChanged(regionCode: $regionCode) {\n      databaseId\n      titleZh\n      titleEn\n      state\n      severity\n      regionCode\n    }\n  }\n": typeof types.ScreenProblemChangedDocument,
    "\n  subscription ScreenRunUpdated($regionCode: String) {\n    diagnosticRunUpdated(regionCode: $regionCode) {\n      databaseId\n      kind\n      state\n    }\n  }\n": typeof types.ScreenRunUpdatedDocument,
};
const documents: Documents = {
    "\n  query ScreenRegion {\n    viewer {\n      publicOnly\n      region {\n        code\n        name\n        nameEn\n        level\n      }\n    }\n  }\n": types.ScreenRegionDocument,
    "\n  query ScreenFigures($regionCode: String!, $from: String!, $to: String!, $groupBy: KpiGrouping!) {\n    screen(regionCode: $regionCode) {\n      regionCode\n      campaign {\n        databaseId\n        name\n        year\n      }\n      gradesByDimension {\n        dimension\n        poor\n        fair\n        good\n        excellent\n      }\n      warnings(first: 6) {\n        red\n        yellow\n        items {\n          indicatorCode\n          name\n          nameEn\n          unitKey\n          regionCode\n          value\n          warning\n        }\n      }\n      problemFunnel {\n        stage\n        problems\n      }\n      areas {\n        code\n        name\n        nameEn\n        open\n        overdue\n      }\n      blindSpots {\n        facilityType\n        distanceModel\n        gaps\n        children\n        working\n        elderly\n      }\n      projectPipeline {\n        state\n        projects\n        budget\n      }\n      projectFunding {\n        source\n        amount\n      }\n    }\n    problemKpis(regionCode: $regionCode, from: $from, to: $to, groupBy: $groupBy) {\n      key\n      onTimeRate\n    }\n  }\n": types.ScreenFiguresDocument,
    "\n  query ScreenChildren($code: String!, $level: RegionLevel!) {\n    region(code: $code) {\n      children(level: $level) {\n        code\n        name\n        nameEn\n        boundary\n      }\n    }\n    aggregate(groupBy: { childrenOf: $code }) {\n      groups {\n        key\n        extent {\n          west\n          south\n          east\n          north\n        }\n      }\n    }\n  }\n": types.ScreenChildrenDocument,
    "\n  subscription ScreenProblemChanged($regionCode: String) {\n    problemChanged(regionCode: $regionCode) {\n      databaseId\n      titleZh\n      titleEn\n      state\n      severity\n      regionCode\n    }\n  }\n": types.ScreenProblemChangedDocument,
    "\n  subscription ScreenRunUpdated($regionCode: String) {\n    diagnosticRunUpdated(regionCode: $regionCode) {\n      databaseId\n      kind\n      state\n    }\n  }\n": types.ScreenRunUpdatedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ScreenRegion {\n    viewer {\n      publicOnly\n      region {\n        code\n        name\n        nameEn\n        level\n      }\n    }\n  }\n"): typeof import('./graphql').ScreenRegionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ScreenFigures($regionCode: String!, $from: String!, $to: String!, $groupBy: KpiGrouping!) {\n    screen(regionCode: $regionCode) {\n      regionCode\n      campaign {\n        databaseId\n        name\n        year\n      }\n      gradesByDimension {\n        dimension\n        poor\n        fair\n        good\n        excellent\n      }\n      warnings(first: 6) {\n        red\n        yellow\n        items {\n          indicatorCode\n          name\n          nameEn\n          unitKey\n          regionCode\n          value\n          warning\n        }\n      }\n      problemFunnel {\n        stage\n        problems\n      }\n      areas {\n        code\n        name\n        nameEn\n        open\n        overdue\n      }\n      blindSpots {\n        facilityType\n        distanceModel\n        gaps\n        children\n        working\n        elderly\n      }\n      projectPipeline {\n        state\n        projects\n        budget\n      }\n      projectFunding {\n        source\n        amount\n      }\n    }\n    problemKpis(regionCode: $regionCode, from: $from, to: $to, groupBy: $groupBy) {\n      key\n      onTimeRate\n    }\n  }\n"): typeof import('./graphql').ScreenFiguresDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ScreenChildren($code: String!, $level: RegionLevel!) {\n    region(code: $code) {\n      children(level: $level) {\n        code\n        name\n        nameEn\n        boundary\n      }\n    }\n    aggregate(groupBy: { childrenOf: $code }) {\n      groups {\n        key\n        extent {\n          west\n          south\n          east\n          north\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ScreenChildrenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ScreenProblemChanged($regionCode: String) {\n    problemChanged(regionCode: $regionCode) {\n      databaseId\n      titleZh\n      titleEn\n      state\n      severity\n      regionCode\n    }\n  }\n"): typeof import('./graphql').ScreenProblemChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ScreenRunUpdated($regionCode: String) {\n    diagnosticRunUpdated(regionCode: $regionCode) {\n      databaseId\n      kind\n      state\n    }\n  }\n"): typeof import('./graphql').ScreenRunUpdatedDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
