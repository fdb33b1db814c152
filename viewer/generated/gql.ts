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
    "\n  fragment ViewerBuildingDetailsFields on Building {\n    id\n    name\n    nameEn\n    use\n    heightM\n    heightEstimated\n    floors\n    floorsEstimated\n    yearBuilt\n    footprintAreaM2\n    standardAddress\n    regionCode\n    region {\n      name\n      nameEn\n    }\n    problems {\n      databaseId\n      title\n      type\n      severity\n      state\n      yearFound\n    }\n    indicatorValues {\n      value\n      grade\n      unitType\n      regionLevel\n      campaignId\n      indicator {\n        code\n        name\n        nameEn\n        unit\n      }\n    }\n  }\n": typeof types.ViewerBuildingDetailsFieldsFragmentDoc,
    "\n  query ViewerBuildingDetails($id: ID!) {\n    node(id: $id) {\n      ... on Building {\n        ...ViewerBuildingDetailsFields\n      }\n    }\n  }\n": typeof types.ViewerBuildingDetailsDocument,
    "\n  query ViewerBuildingsNear($point: [Float!]!, $radiusM: Float!) {\n    buildings(first: 20, filter: { near: { point: $point, radiusM: $radiusM } }, orderBy: DISTANCE) {\n      edges {\n        node {\n          ...ViewerBuildingDetailsFields\n        }\n      }\n    }\n  }\n": typeof types.ViewerBuildingsNearDocument,
    "\n  query ViewerDistrictExtents($city: String!) {\n    aggregate(groupBy: { childrenOf: $city }) {\n      groups {\n        key\n        extent {\n          west\n          south\n          east\n          north\n        }\n      }\n    }\n  }\n": typeof types.ViewerDistrictExtentsDocument,
    "\n  query ViewerFacilities($after: String) {\n    facilities(first: 500, after: $after) {\n      edges {\n        node {\n          type\n          geom\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ViewerFacilitiesDocument,
    "\n  query ViewerCoverageGaps($regionCode: String!, $facilityType: FacilityType!) {\n    latestCoverageRun(regionCode: $regionCode) {\n      databaseId\n      gaps(facilityType: $facilityType, first: 2000) {\n        facilityType\n        distanceModel\n        kind\n        rank\n        priority\n        geom\n        point\n      }\n    }\n  }\n": typeof types.ViewerCoverageGapsDocument,
    "\n  query ViewerBuildingGrades($regionCode: String!, $indicatorCode: String) {\n    buildingGrades(regionCode: $regionCode, indicatorCode: $indicatorCode) {\n      campaignId\n      campaignName\n      year\n      indicatorCode\n      indicators {\n        code\n        name\n        nameEn\n      }\n      buildings {\n        buildingId\n        grade\n        unitType\n      }\n    }\n  }\n": typeof types.ViewerBuildingGradesDocument,
    "\n  query ViewerUncoveredCells($regionCode: String!, $facilityType: FacilityType!, $distanceModel: DistanceModel) {\n    latestCoverageRun(regionCode: $regionCode) {\n      databaseId\n      servedGroups(facilityType: $facilityType)\n      uncoveredCells(facilityType: $facilityType, distanceModel: $distanceModel) {\n        databaseId\n        centroid\n        children\n        working\n        elderly\n        served\n      }\n    }\n  }\n": typeof types.ViewerUncoveredCellsDocument,
    "\n  query ViewerRenewalAreas($after: String) {\n    renewalAreas(first: 500, after: $after) {\n      nodes {\n        name\n        kind\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ViewerRenewalAreasDocument,
    "\n  query ViewerDistrictBoundaries($city: String!) {\n    region(code: $city) {\n      children(level: district) {\n        code\n        name\n        nameEn\n        boundary\n      }\n    }\n  }\n": typeof types.ViewerDistrictBoundariesDocument,
    "\n  query ViewerCompareCampaigns {\n    campaigns(first: 50) {\n      nodes {\n        databaseId\n        name\n        year\n      }\n    }\n  }\n": typeof types.ViewerCompareCampaignsDocument,
    "\n  query ViewerCompareGrades($regionCode: String!, $campaignId: Int!) {\n    buildingGrades(regionCode: $regionCode, campaignId: $campaignId) {\n      campaignId\n      year\n      buildings {\n        buildingId\n        grade\n        unitType\n      }\n    }\n  }\n": typeof types.ViewerCompareGradesDocument,
    "\n  subscription ViewerProblemChanged($regionCode: String) {\n    problemChanged(regionCode: $regionCode) {\n      databaseId\n      state\n      buildingId\n      severity\n    }\n  }\n": typeof types.ViewerProblemChangedDocument,
    "\n  subscription ViewerRunUpdated($regionCode: String) {\n    diagnosticRunUpdated(regionCode: $regionCode) {\n      databaseId\n      kind\n      state\n    }\n  }\n": typeof types.ViewerRunUpdatedDocument,
    "\n  query ViewerStockResources($after: String) {\n    stockResources(first: 500, after: $after) {\n      nodes {\n        kind\n        layer\n        verificationState\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ViewerStockResourcesDocument,
    "\n  query ViewerZoningAreas($regionCode: String!) {\n    zoningAreas(regionCode: $regionCode) {\n      areaClass\n      className\n      reasons\n      geom\n    }\n  }\n": typeof types.ViewerZoningAreasDocument,
    "\n  query ViewerProjects($after: String) {\n    projects(first: 500, after: $after) {\n      nodes {\n        name\n        state\n        newlyCovered\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ViewerProjectsDocument,
    "\n  query ViewerTimelineSpan($regionCode: String) {\n    buildingYearSpan(regionCode: $regionCode) {\n      earliest\n      latest\n      withYear\n      buildings\n    }\n  }\n": typeof types.ViewerTimelineSpanDocument,
    "\n  query ViewerTimelineProblems($regionCode: String, $after: String) {\n    problems(regionCode: $regionCode, first: 500, after: $after) {\n      nodes {\n        databaseId\n        geom\n        foundAt\n        closedAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ViewerTimelineProblemsDocument,
};
const documents: Documents = {
    "\n  fragment ViewerBuildingDetailsFields on Building {\n    id\n    name\n    nameEn\n    use\n    heightM\n    heightEstimated\n    floors\n    floorsEstimated\n    yearBuilt\n    footprintAreaM2\n    standardAddress\n    regionCode\n    region {\n      name\n      nameEn\n    }\n    problems {\n      databaseId\n      title\n      type\n      severity\n      state\n      yearFound\n    }\n    indicatorValues {\n      value\n      grade\n      unitType\n      regionLevel\n      campaignId\n      indicator {\n        code\n        name\n        nameEn\n        unit\n      }\n    }\n  }\n": types.ViewerBuildingDetailsFieldsFragmentDoc,
    "\n  query ViewerBuildingDetails($id: ID!) {\n    node(id: $id) {\n      ... on Building {\n        ...ViewerBuildingDetailsFields\n      }\n    }\n  }\n": types.ViewerBuildingDetailsDocument,
    "\n  query ViewerBuildingsNear($point: [Float!]!, $radiusM: Float!) {\n    buildings(first: 20, filter: { near: { point: $point, radiusM: $radiusM } }, orderBy: DISTANCE) {\n      edges {\n        node {\n          ...ViewerBuildingDetailsFields\n        }\n      }\n    }\n  }\n": types.ViewerBuildingsNearDocument,
    "\n  query ViewerDistrictExtents($city: String!) {\n    aggregate(groupBy: { childrenOf: $city }) {\n      groups {\n        key\n        extent {\n          west\n          south\n          east\n          north\n        }\n      }\n    }\n  }\n": types.ViewerDistrictExtentsDocument,
    "\n  query ViewerFacilities($after: String) {\n    facilities(first: 500, after: $after) {\n      edges {\n        node {\n          type\n          geom\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ViewerFacilitiesDocument,
    "\n  query ViewerCoverageGaps($regionCode: String!, $facilityType: FacilityType!) {\n    latestCoverageRun(regionCode: $regionCode) {\n      databaseId\n      gaps(facilityType: $facilityType, first: 2000) {\n        facilityType\n        distanceModel\n        kind\n        rank\n        priority\n        geom\n        point\n      }\n    }\n  }\n": types.ViewerCoverageGapsDocument,
    "\n  query ViewerBuildingGrades($regionCode: String!, $indicatorCode: String) {\n    buildingGrades(regionCode: $regionCode, indicatorCode: $indicatorCode) {\n      campaignId\n      campaignName\n      year\n      indicatorCode\n      indicators {\n        code\n        name\n        nameEn\n      }\n      buildings {\n        buildingId\n        grade\n        unitType\n      }\n    }\n  }\n": types.ViewerBuildingGradesDocument,
    "\n  query ViewerUncoveredCells($regionCode: String!, $facilityType: FacilityType!, $distanceModel: DistanceModel) {\n    latestCoverageRun(regionCode: $regionCode) {\n      databaseId\n      servedGroups(facilityType: $facilityType)\n      uncoveredCells(facilityType: $facilityType, distanceModel: $distanceModel) {\n        databaseId\n        centroid\n        children\n        working\n        elderly\n        served\n      }\n    }\n  }\n": types.ViewerUncoveredCellsDocument,
    "\n  query ViewerRenewalAreas($after: String) {\n    renewalAreas(first: 500, after: $after) {\n      nodes {\n        name\n        kind\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ViewerRenewalAreasDocument,
    "\n  query ViewerDistrictBoundaries($city: String!) {\n    region(code: $city) {\n      children(level: district) {\n        code\n        name\n        nameEn\n        boundary\n      }\n    }\n  }\n": types.ViewerDistrictBoundariesDocument,
    "\n  query ViewerCompareCampaigns {\n    campaigns(first: 50) {\n      nodes {\n        databaseId\n        name\n        year\n      }\n    }\n  }\n": types.ViewerCompareCampaignsDocument,
    "\n  query ViewerCompareGrades($regionCode: String!, $campaignId: Int!) {\n    buildingGrades(regionCode: $regionCode, campaignId: $campaignId) {\n      campaignId\n      year\n      buildings {\n        buildingId\n        grade\n        unitType\n      }\n    }\n  }\n": types.ViewerCompareGradesDocument,
    "\n  subscription ViewerProblemChanged($regionCode: String) {\n    problemChanged(regionCode: $regionCode) {\n      databaseId\n      state\n      buildingId\n      severity\n    }\n  }\n": types.ViewerProblemChangedDocument,
    "\n  subscription ViewerRunUpdated($regionCode: String) {\n    diagnosticRunUpdated(regionCode: $regionCode) {\n      databaseId\n      kind\n      state\n    }\n  }\n": types.ViewerRunUpdatedDocument,
    "\n  query ViewerStockResources($after: String) {\n    stockResources(first: 500, after: $after) {\n      nodes {\n        kind\n        layer\n        verificationState\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ViewerStockResourcesDocument,
    "\n  query ViewerZoningAreas($regionCode: String!) {\n    zoningAreas(regionCode: $regionCode) {\n      areaClass\n      className\n      reasons\n      geom\n    }\n  }\n": types.ViewerZoningAreasDocument,
    "\n  query ViewerProjects($after: String) {\n    projects(first: 500, after: $after) {\n      nodes {\n        name\n        state\n        newlyCovered\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ViewerProjectsDocument,
    "\n  query ViewerTimelineSpan($regionCode: String) {\n    buildingYearSpan(regionCode: $regionCode) {\n      earliest\n      latest\n      withYear\n      buildings\n    }\n  }\n": types.ViewerTimelineSpanDocument,
    "\n  query ViewerTimelineProblems($regionCode: String, $after: String) {\n    problems(regionCode: $regionCode, first: 500, after: $after) {\n      nodes {\n        databaseId\n        geom\n        foundAt\n        closedAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ViewerTimelineProblemsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ViewerBuildingDetailsFields on Building {\n    id\n    name\n    nameEn\n    use\n    heightM\n    heightEstimated\n    floors\n    floorsEstimated\n    yearBuilt\n    footprintAreaM2\n    standardAddress\n    regionCode\n    region {\n      name\n      nameEn\n    }\n    problems {\n      databaseId\n      title\n      type\n      severity\n      state\n      yearFound\n    }\n    indicatorValues {\n      value\n      grade\n      unitType\n      regionLevel\n      campaignId\n      indicator {\n        code\n        name\n        nameEn\n        unit\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerBuildingDetailsFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerBuildingDetails($id: ID!) {\n    node(id: $id) {\n      ... on Building {\n        ...ViewerBuildingDetailsFields\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerBuildingDetailsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerBuildingsNear($point: [Float!]!, $radiusM: Float!) {\n    buildings(first: 20, filter: { near: { point: $point, radiusM: $radiusM } }, orderBy: DISTANCE) {\n      edges {\n        node {\n          ...ViewerBuildingDetailsFields\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerBuildingsNearDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerDistrictExtents($city: String!) {\n    aggregate(groupBy: { childrenOf: $city }) {\n      groups {\n        key\n        extent {\n          west\n          south\n          east\n          north\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerDistrictExtentsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerFacilities($after: String) {\n    facilities(first: 500, after: $after) {\n      edges {\n        node {\n          type\n          geom\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerFacilitiesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerCoverageGaps($regionCode: String!, $facilityType: FacilityType!) {\n    latestCoverageRun(regionCode: $regionCode) {\n      databaseId\n      gaps(facilityType: $facilityType, first: 2000) {\n        facilityType\n        distanceModel\n        kind\n        rank\n        priority\n        geom\n        point\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerCoverageGapsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerBuildingGrades($regionCode: String!, $indicatorCode: String) {\n    buildingGrades(regionCode: $regionCode, indicatorCode: $indicatorCode) {\n      campaignId\n      campaignName\n      year\n      indicatorCode\n      indicators {\n        code\n        name\n        nameEn\n      }\n      buildings {\n        buildingId\n        grade\n        unitType\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerBuildingGradesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerUncoveredCells($regionCode: String!, $facilityType: FacilityType!, $distanceModel: DistanceModel) {\n    latestCoverageRun(regionCode: $regionCode) {\n      databaseId\n      servedGroups(facilityType: $facilityType)\n      uncoveredCells(facilityType: $facilityType, distanceModel: $distanceModel) {\n        databaseId\n        centroid\n        children\n        working\n        elderly\n        served\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerUncoveredCellsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerRenewalAreas($after: String) {\n    renewalAreas(first: 500, after: $after) {\n      nodes {\n        name\n        kind\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerRenewalAreasDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerDistrictBoundaries($city: String!) {\n    region(code: $city) {\n      children(level: district) {\n        code\n        name\n        nameEn\n        boundary\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerDistrictBoundariesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerCompareCampaigns {\n    campaigns(first: 50) {\n      nodes {\n        databaseId\n        name\n        year\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerCompareCampaignsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerCompareGrades($regionCode: String!, $campaignId: Int!) {\n    buildingGrades(regionCode: $regionCode, campaignId: $campaignId) {\n      campaignId\n      year\n      buildings {\n        buildingId\n        grade\n        unitType\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerCompareGradesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ViewerProblemChanged($regionCode: String) {\n    problemChanged(regionCode: $regionCode) {\n      databaseId\n      state\n      buildingId\n      severity\n    }\n  }\n"): typeof import('./graphql').ViewerProblemChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ViewerRunUpdated($regionCode: String) {\n    diagnosticRunUpdated(regionCode: $regionCode) {\n      databaseId\n      kind\n      state\n    }\n  }\n"): typeof import('./graphql').ViewerRunUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerStockResources($after: String) {\n    stockResources(first: 500, after: $after) {\n      nodes {\n        kind\n        layer\n        verificationState\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerStockResourcesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerZoningAreas($regionCode: String!) {\n    zoningAreas(regionCode: $regionCode) {\n      areaClass\n      className\n      reasons\n      geom\n    }\n  }\n"): typeof import('./graphql').ViewerZoningAreasDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerProjects($after: String) {\n    projects(first: 500, after: $after) {\n      nodes {\n        name\n        state\n        newlyCovered\n        geom\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerProjectsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerTimelineSpan($regionCode: String) {\n    buildingYearSpan(regionCode: $regionCode) {\n      earliest\n      latest\n      withYear\n      buildings\n    }\n  }\n"): typeof import('./graphql').ViewerTimelineSpanDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerTimelineProblems($regionCode: String, $after: String) {\n    problems(regionCode: $regionCode, first: 500, after: $after) {\n      nodes {\n        databaseId\n        geom\n        foundAt\n        closedAt\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ViewerTimelineProblemsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
