import { builder } from './builder.ts'
import './scalars.ts'
import './node.ts'
import './regions.ts'
import './buildings.ts'
import './facilities.ts'
import './population.ts'
import './areas.ts'
import './indicators.ts'
import './identity.ts'
import './aggregates.ts'

export const schema = builder.toSchema()
