import { processReportRun } from './annual-reports/job.ts'
import type { ReportRenderer } from './annual-reports/types.ts'
import type { CoverageJobHooks } from './coverage/hooks.ts'
import { processCoverageRun } from './coverage/job.ts'
import { processCoveragePart } from './coverage/parts/part.ts'
import { processExchangeSendRun } from './exchange/job.ts'
import type { PackageSender } from './exchange/types.ts'
import { processHeightsRun } from './heights/job.ts'
import { processIndicatorRun } from './indicators/job.ts'
import { processProjectsRun } from './projects/job.ts'
import type { Processors } from './runs/types.ts'
import { processTilesRun } from './tiles/job.ts'
import { processZoningRun } from './zoning/job.ts'

export interface ProcessorOptions {
  /** Test seams into the coverage processor (failure injection). */
  coverage?: CoverageJobHooks
  /**
   * Draws annual reports: the composition root passes the API's renderer, which jobs/ may not import.
   * @defaultValue none: report runs fail as unrecoverable
   */
  annualReport?: { render: ReportRenderer; dataDir: string }
  /**
   * Builds exchange packages and posts them to the configured upstream with its token (kept out of the run rows);
   * the composition root makes it with `createPackageSender(config.upstream)`, which jobs/ may not import.
   * @defaultValue none: send runs fail as unrecoverable, saying what to configure
   */
  exchange?: PackageSender | null
}

/** The processors both runners share, so BullMQ and in-process execution behave the same. */
export function createProcessors(options: ProcessorOptions = {}): Required<Processors> {
  return {
    coverage: (database, context) => processCoverageRun(database, context, options.coverage),
    coverage_part: (database, context) => processCoveragePart(database, context, options.coverage),
    indicators: (database, context) => processIndicatorRun(database, context),
    tiles: (database, context) => processTilesRun(database, context),
    annual_report: (database, context) =>
      processReportRun(database, context, {
        render: options.annualReport?.render,
        dataDir: options.annualReport?.dataDir ?? '',
      }),
    projects: (database, context) => processProjectsRun(database, context),
    zoning: (database, context) => processZoningRun(database, context),
    heights: (database, context) => processHeightsRun(database, context),
    exchange_send: (database, context) => processExchangeSendRun(database, context, options.exchange ?? null),
  }
}
