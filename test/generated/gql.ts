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
    "\n  query Aggregate($filter: SpatialFilter, $groupBy: AggregateGroupBy, $buildingUses: [BuildingUse!]) {\n    aggregate(filter: $filter, groupBy: $groupBy, buildingUses: $buildingUses) {\n      groupedBy\n      metricSrid\n      total {\n        ...Stats\n      }\n      groups {\n        key\n        region {\n          code\n        }\n        cell\n        ...Stats\n      }\n    }\n  }\n  fragment Stats on AggregateGroup {\n    buildings {\n      count\n      footprintAreaM2\n      floorAreaM2\n      withFloorArea\n      residents\n    }\n    facilityCount\n    facilities {\n      type\n      count\n      capacity\n    }\n    population {\n      cells\n      children\n      working\n      elderly\n      total\n    }\n    extent {\n      west\n      south\n      east\n      north\n    }\n  }\n": typeof types.AggregateDocument,
    "\n  query BuildingProblems($id: ID!, $openOnly: Boolean) {\n    node(id: $id) {\n      ... on Building {\n        problems(openOnly: $openOnly) {\n          databaseId\n          title\n          type\n          severity\n          state\n          yearFound\n          source\n          buildingId\n        }\n      }\n    }\n  }\n": typeof types.BuildingProblemsDocument,
    "\n  query BuildingValues($id: ID!, $campaignId: Int) {\n    node(id: $id) {\n      ... on Building {\n        indicatorValues(campaignId: $campaignId) {\n          campaignId\n          value\n          grade\n          unitType\n          unitKey\n          regionLevel\n          indicator {\n            code\n            name\n            unit\n            dimension\n            sortOrder\n          }\n        }\n      }\n    }\n  }\n": typeof types.BuildingValuesDocument,
    "\n  query CompoundDetails($id: ID!) {\n    node(id: $id) {\n      ... on Compound {\n        buildings {\n          id\n          problems {\n            title\n          }\n          indicatorValues {\n            unitType\n            indicator {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CompoundDetailsDocument,
    "\n  query RegionsByLevel($level: RegionLevel, $parentCode: String, $after: String) {\n    regions(level: $level, parentCode: $parentCode, first: 20, after: $after) {\n      totalCount\n      edges {\n        node {\n          id\n          code\n          name\n          level\n          scopePrefix\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RegionsByLevelDocument,
    "\n  query FacilitiesByType($types: [FacilityType!]) {\n    facilities(types: $types, first: 500) {\n      totalCount\n      edges {\n        node {\n          id\n          type\n          name\n          capacity\n          geom\n          region {\n            code\n          }\n        }\n      }\n    }\n  }\n": typeof types.FacilitiesByTypeDocument,
    "\n  query CompoundList {\n    compounds(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          kind\n          geom\n          areaM2\n          buildings {\n            id\n            centroid\n          }\n        }\n      }\n    }\n  }\n": typeof types.CompoundListDocument,
    "\n  query RenewalAreas($filter: SpatialFilter) {\n    renewalAreas(filter: $filter) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          kind\n          areaM2\n          createdAt\n          attributes\n          region {\n            code\n          }\n        }\n      }\n    }\n  }\n": typeof types.RenewalAreasDocument,
    "\n  query IndicatorCatalogue($dimension: Dimension) {\n    indicatorSystems(year: 2025) {\n      edges {\n        node {\n          id\n          code\n          name\n          year\n          level\n          status\n          indicators(dimension: $dimension) {\n            id\n            code\n            name\n            dimension\n            unit\n            direction\n          }\n        }\n      }\n    }\n  }\n": typeof types.IndicatorCatalogueDocument,
    "\n  query AllBuildings($after: String) {\n    buildings(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          footprint\n          centroid\n          footprintAreaM2\n          floorAreaM2\n          residents\n          use\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AllBuildingsDocument,
    "\n  query AllFacilities($after: String) {\n    facilities(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          type\n          geom\n          capacity\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AllFacilitiesDocument,
    "\n  query AllCells($after: String) {\n    populationCells(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          geom\n          centroid\n          children\n          working\n          elderly\n          total\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AllCellsDocument,
    "\n    query Viewer {\n      viewer {\n        signedIn\n        role\n        publicOnly\n        scopePrefix\n        region {\n          code\n        }\n      }\n    }\n  ": typeof types.ViewerDocument,
    "\n  query ScopedBuildings($filter: SpatialFilter) {\n    buildings(filter: $filter, first: 500) {\n      totalCount\n      edges {\n        node {\n          id\n          regionCode\n        }\n      }\n    }\n  }\n": typeof types.ScopedBuildingsDocument,
    "\n  query SpatialBuildings($filter: SpatialFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    buildings(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          distanceM\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.SpatialBuildingsDocument,
    "\n  query SpatialFacilities($filter: SpatialFilter, $types: [FacilityType!]) {\n    facilities(filter: $filter, types: $types, first: 500) {\n      edges {\n        node {\n          id\n          type\n          distanceM\n        }\n      }\n    }\n  }\n": typeof types.SpatialFacilitiesDocument,
    "\n  query ViewportBuildings($filter: SpatialFilter, $first: Int) {\n    buildings(filter: $filter, first: $first) {\n      edges {\n        node {\n          id\n          name\n          heightM\n          footprint\n          compound {\n            id\n            name\n          }\n          region {\n            code\n            name\n          }\n          block {\n            id\n          }\n        }\n      }\n    }\n  }\n": typeof types.ViewportBuildingsDocument,
    "\n  query CompoundsWithBuildings($first: Int) {\n    compounds(first: $first) {\n      edges {\n        node {\n          name\n          region {\n            name\n          }\n          buildings {\n            id\n            region {\n              code\n            }\n            compound {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CompoundsWithBuildingsDocument,
    "\n  query RegionTree {\n    regions(parentCode: \"310100\", first: 100) {\n      edges {\n        node {\n          code\n          parent {\n            code\n          }\n          children {\n            code\n            children {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.RegionTreeDocument,
    "\n  query SystemsWithIndicators {\n    indicatorSystems {\n      edges {\n        node {\n          name\n          indicators {\n            code\n            system {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.SystemsWithIndicatorsDocument,
};
const documents: Documents = {
    "\n  query Aggregate($filter: SpatialFilter, $groupBy: AggregateGroupBy, $buildingUses: [BuildingUse!]) {\n    aggregate(filter: $filter, groupBy: $groupBy, buildingUses: $buildingUses) {\n      groupedBy\n      metricSrid\n      total {\n        ...Stats\n      }\n      groups {\n        key\n        region {\n          code\n        }\n        cell\n        ...Stats\n      }\n    }\n  }\n  fragment Stats on AggregateGroup {\n    buildings {\n      count\n      footprintAreaM2\n      floorAreaM2\n      withFloorArea\n      residents\n    }\n    facilityCount\n    facilities {\n      type\n      count\n      capacity\n    }\n    population {\n      cells\n      children\n      working\n      elderly\n      total\n    }\n    extent {\n      west\n      south\n      east\n      north\n    }\n  }\n": types.AggregateDocument,
    "\n  query BuildingProblems($id: ID!, $openOnly: Boolean) {\n    node(id: $id) {\n      ... on Building {\n        problems(openOnly: $openOnly) {\n          databaseId\n          title\n          type\n          severity\n          state\n          yearFound\n          source\n          buildingId\n        }\n      }\n    }\n  }\n": types.BuildingProblemsDocument,
    "\n  query BuildingValues($id: ID!, $campaignId: Int) {\n    node(id: $id) {\n      ... on Building {\n        indicatorValues(campaignId: $campaignId) {\n          campaignId\n          value\n          grade\n          unitType\n          unitKey\n          regionLevel\n          indicator {\n            code\n            name\n            unit\n            dimension\n            sortOrder\n          }\n        }\n      }\n    }\n  }\n": types.BuildingValuesDocument,
    "\n  query CompoundDetails($id: ID!) {\n    node(id: $id) {\n      ... on Compound {\n        buildings {\n          id\n          problems {\n            title\n          }\n          indicatorValues {\n            unitType\n            indicator {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n": types.CompoundDetailsDocument,
    "\n  query RegionsByLevel($level: RegionLevel, $parentCode: String, $after: String) {\n    regions(level: $level, parentCode: $parentCode, first: 20, after: $after) {\n      totalCount\n      edges {\n        node {\n          id\n          code\n          name\n          level\n          scopePrefix\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RegionsByLevelDocument,
    "\n  query FacilitiesByType($types: [FacilityType!]) {\n    facilities(types: $types, first: 500) {\n      totalCount\n      edges {\n        node {\n          id\n          type\n          name\n          capacity\n          geom\n          region {\n            code\n          }\n        }\n      }\n    }\n  }\n": types.FacilitiesByTypeDocument,
    "\n  query CompoundList {\n    compounds(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          kind\n          geom\n          areaM2\n          buildings {\n            id\n            centroid\n          }\n        }\n      }\n    }\n  }\n": types.CompoundListDocument,
    "\n  query RenewalAreas($filter: SpatialFilter) {\n    renewalAreas(filter: $filter) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          kind\n          areaM2\n          createdAt\n          attributes\n          region {\n            code\n          }\n        }\n      }\n    }\n  }\n": types.RenewalAreasDocument,
    "\n  query IndicatorCatalogue($dimension: Dimension) {\n    indicatorSystems(year: 2025) {\n      edges {\n        node {\n          id\n          code\n          name\n          year\n          level\n          status\n          indicators(dimension: $dimension) {\n            id\n            code\n            name\n            dimension\n            unit\n            direction\n          }\n        }\n      }\n    }\n  }\n": types.IndicatorCatalogueDocument,
    "\n  query AllBuildings($after: String) {\n    buildings(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          footprint\n          centroid\n          footprintAreaM2\n          floorAreaM2\n          residents\n          use\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AllBuildingsDocument,
    "\n  query AllFacilities($after: String) {\n    facilities(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          type\n          geom\n          capacity\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AllFacilitiesDocument,
    "\n  query AllCells($after: String) {\n    populationCells(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          geom\n          centroid\n          children\n          working\n          elderly\n          total\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AllCellsDocument,
    "\n    query Viewer {\n      viewer {\n        signedIn\n        role\n        publicOnly\n        scopePrefix\n        region {\n          code\n        }\n      }\n    }\n  ": types.ViewerDocument,
    "\n  query ScopedBuildings($filter: SpatialFilter) {\n    buildings(filter: $filter, first: 500) {\n      totalCount\n      edges {\n        node {\n          id\n          regionCode\n        }\n      }\n    }\n  }\n": types.ScopedBuildingsDocument,
    "\n  query SpatialBuildings($filter: SpatialFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    buildings(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          distanceM\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.SpatialBuildingsDocument,
    "\n  query SpatialFacilities($filter: SpatialFilter, $types: [FacilityType!]) {\n    facilities(filter: $filter, types: $types, first: 500) {\n      edges {\n        node {\n          id\n          type\n          distanceM\n        }\n      }\n    }\n  }\n": types.SpatialFacilitiesDocument,
    "\n  query ViewportBuildings($filter: SpatialFilter, $first: Int) {\n    buildings(filter: $filter, first: $first) {\n      edges {\n        node {\n          id\n          name\n          heightM\n          footprint\n          compound {\n            id\n            name\n          }\n          region {\n            code\n            name\n          }\n          block {\n            id\n          }\n        }\n      }\n    }\n  }\n": types.ViewportBuildingsDocument,
    "\n  query CompoundsWithBuildings($first: Int) {\n    compounds(first: $first) {\n      edges {\n        node {\n          name\n          region {\n            name\n          }\n          buildings {\n            id\n            region {\n              code\n            }\n            compound {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n": types.CompoundsWithBuildingsDocument,
    "\n  query RegionTree {\n    regions(parentCode: \"310100\", first: 100) {\n      edges {\n        node {\n          code\n          parent {\n            code\n          }\n          children {\n            code\n            children {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n": types.RegionTreeDocument,
    "\n  query SystemsWithIndicators {\n    indicatorSystems {\n      edges {\n        node {\n          name\n          indicators {\n            code\n            system {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n": types.SystemsWithIndicatorsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Aggregate($filter: SpatialFilter, $groupBy: AggregateGroupBy, $buildingUses: [BuildingUse!]) {\n    aggregate(filter: $filter, groupBy: $groupBy, buildingUses: $buildingUses) {\n      groupedBy\n      metricSrid\n      total {\n        ...Stats\n      }\n      groups {\n        key\n        region {\n          code\n        }\n        cell\n        ...Stats\n      }\n    }\n  }\n  fragment Stats on AggregateGroup {\n    buildings {\n      count\n      footprintAreaM2\n      floorAreaM2\n      withFloorArea\n      residents\n    }\n    facilityCount\n    facilities {\n      type\n      count\n      capacity\n    }\n    population {\n      cells\n      children\n      working\n      elderly\n      total\n    }\n    extent {\n      west\n      south\n      east\n      north\n    }\n  }\n"): typeof import('./graphql').AggregateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BuildingProblems($id: ID!, $openOnly: Boolean) {\n    node(id: $id) {\n      ... on Building {\n        problems(openOnly: $openOnly) {\n          databaseId\n          title\n          type\n          severity\n          state\n          yearFound\n          source\n          buildingId\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').BuildingProblemsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BuildingValues($id: ID!, $campaignId: Int) {\n    node(id: $id) {\n      ... on Building {\n        indicatorValues(campaignId: $campaignId) {\n          campaignId\n          value\n          grade\n          unitType\n          unitKey\n          regionLevel\n          indicator {\n            code\n            name\n            unit\n            dimension\n            sortOrder\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').BuildingValuesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompoundDetails($id: ID!) {\n    node(id: $id) {\n      ... on Compound {\n        buildings {\n          id\n          problems {\n            title\n          }\n          indicatorValues {\n            unitType\n            indicator {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').CompoundDetailsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RegionsByLevel($level: RegionLevel, $parentCode: String, $after: String) {\n    regions(level: $level, parentCode: $parentCode, first: 20, after: $after) {\n      totalCount\n      edges {\n        node {\n          id\n          code\n          name\n          level\n          scopePrefix\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').RegionsByLevelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FacilitiesByType($types: [FacilityType!]) {\n    facilities(types: $types, first: 500) {\n      totalCount\n      edges {\n        node {\n          id\n          type\n          name\n          capacity\n          geom\n          region {\n            code\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').FacilitiesByTypeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompoundList {\n    compounds(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          kind\n          geom\n          areaM2\n          buildings {\n            id\n            centroid\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').CompoundListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RenewalAreas($filter: SpatialFilter) {\n    renewalAreas(filter: $filter) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          kind\n          areaM2\n          createdAt\n          attributes\n          region {\n            code\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').RenewalAreasDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IndicatorCatalogue($dimension: Dimension) {\n    indicatorSystems(year: 2025) {\n      edges {\n        node {\n          id\n          code\n          name\n          year\n          level\n          status\n          indicators(dimension: $dimension) {\n            id\n            code\n            name\n            dimension\n            unit\n            direction\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').IndicatorCatalogueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AllBuildings($after: String) {\n    buildings(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          footprint\n          centroid\n          footprintAreaM2\n          floorAreaM2\n          residents\n          use\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').AllBuildingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AllFacilities($after: String) {\n    facilities(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          type\n          geom\n          capacity\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').AllFacilitiesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AllCells($after: String) {\n    populationCells(first: 500, after: $after) {\n      edges {\n        node {\n          id\n          regionCode\n          geom\n          centroid\n          children\n          working\n          elderly\n          total\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').AllCellsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query Viewer {\n      viewer {\n        signedIn\n        role\n        publicOnly\n        scopePrefix\n        region {\n          code\n        }\n      }\n    }\n  "): typeof import('./graphql').ViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ScopedBuildings($filter: SpatialFilter) {\n    buildings(filter: $filter, first: 500) {\n      totalCount\n      edges {\n        node {\n          id\n          regionCode\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ScopedBuildingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SpatialBuildings($filter: SpatialFilter, $first: Int, $after: String, $last: Int, $before: String) {\n    buildings(filter: $filter, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          distanceM\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').SpatialBuildingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SpatialFacilities($filter: SpatialFilter, $types: [FacilityType!]) {\n    facilities(filter: $filter, types: $types, first: 500) {\n      edges {\n        node {\n          id\n          type\n          distanceM\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').SpatialFacilitiesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewportBuildings($filter: SpatialFilter, $first: Int) {\n    buildings(filter: $filter, first: $first) {\n      edges {\n        node {\n          id\n          name\n          heightM\n          footprint\n          compound {\n            id\n            name\n          }\n          region {\n            code\n            name\n          }\n          block {\n            id\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ViewportBuildingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompoundsWithBuildings($first: Int) {\n    compounds(first: $first) {\n      edges {\n        node {\n          name\n          region {\n            name\n          }\n          buildings {\n            id\n            region {\n              code\n            }\n            compound {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').CompoundsWithBuildingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RegionTree {\n    regions(parentCode: \"310100\", first: 100) {\n      edges {\n        node {\n          code\n          parent {\n            code\n          }\n          children {\n            code\n            children {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').RegionTreeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SystemsWithIndicators {\n    indicatorSystems {\n      edges {\n        node {\n          name\n          indicators {\n            code\n            system {\n              code\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').SystemsWithIndicatorsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
