import type { SqlDrill } from './sqlDrills.ts'
import * as drills from './sqlDrills.ts'
import type { SqlFigure } from './sqlFigures.ts'
import * as figures from './sqlFigures.ts'

/** A report the index answers: its rows aggregated by the index (sqlFigures.ts), its drill-down by row key (sqlDrills.ts). */
export interface SqlReport {
  figure: SqlFigure
  drill: SqlDrill
}

const both = (figure: SqlFigure, drill: SqlDrill): SqlReport => ({ figure, drill })

/** Reports whose rows and drill-downs ask the index (the others run their figure over facts). */
export const SQL_REPORTS: Readonly<Record<string, SqlReport>> = {
  'sales.pipeline': both(figures.salesPipeline, drills.salesPipeline),
  'sales.forecast': both(figures.salesForecast, drills.salesForecast),
  'sales.winRate': both(figures.salesWinRate, drills.salesWinRate),
  'sales.funnel': both(figures.salesFunnel, drills.salesFunnel),
  'sales.lostReasons': both(figures.salesLostReasons, drills.salesLostReasons),
  'sales.leaderboard': both(figures.salesLeaderboard, drills.salesLeaderboard),
  'leads.bySource': both(figures.leadsBySource, drills.leadsBySource),
  'leads.conversion': both(figures.leadsConversion, drills.leadsConversion),
  'leads.revenueBySource': both(figures.leadsRevenue, drills.leadsRevenue),
  'service.volume': both(figures.serviceVolume, drills.serviceVolume),
  'service.times': both(figures.serviceTimes, drills.serviceTimes),
  'service.backlog': both(figures.serviceBacklog, drills.serviceBacklog),
  'service.csat': both(figures.serviceCsat, drills.serviceCsat),
  'service.byAccount': both(figures.serviceByAccount, drills.serviceByAccount),
  'customers.byTier': both(figures.accountsBy('tier'), drills.accountsBy('tier')),
  'customers.byIndustry': both(figures.accountsBy('industry'), drills.accountsBy('industry')),
  'customers.byOwner': both(figures.accountsBy('ownerId'), drills.accountsBy('ownerId')),
  'customers.revenue': both(figures.customersRevenue, drills.customersRevenue),
}
