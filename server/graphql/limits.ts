import type { ApolloServerPlugin } from '@apollo/server'
import { ApolloArmor } from '@escape.tech/graphql-armor'
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit'
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives'
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens'
import { GraphQLError, type ValidationRule } from 'graphql'

/**
 * Limits on the shape of a query, checked before it runs. Sized to the deepest and widest documents the viewer,
 * the tests and partner examples send, with room to spare; a hostile query (30 levels, 1,000 aliases) is refused.
 */
export const QUERY_LIMITS = {
  depth: 12,
  aliases: 30,
  directives: 30,
  /** Lexical tokens of the document: bounds parsing work before any rule runs. */
  tokens: 3000,
  /** GraphQL Armor's static cost (objects 2, scalars 1, ×1.5 a level, times literal page sizes): a full 500-row page of buildings costs 22,000. */
  cost: 50_000,
} as const

const ARMOR = {
  maxDepth: { n: QUERY_LIMITS.depth, ignoreIntrospection: true },
  maxAliases: { n: QUERY_LIMITS.aliases },
  maxDirectives: { n: QUERY_LIMITS.directives },
  // Counted by tokenLimitMessage below instead: Armor's plugin turns every syntax error into a 500.
  maxTokens: { enabled: false },
  costLimit: { maxCost: QUERY_LIMITS.cost, ignoreIntrospection: true },
}

/** The Apollo plugins and validation rules that enforce {@link QUERY_LIMITS}. */
export function apolloQueryLimits(options: { suggestFields: boolean }) {
  const { plugins, validationRules } = new ApolloArmor({
    ...ARMOR,
    // With introspection off, "did you mean" suggestions would still reveal the schema's field names.
    blockFieldSuggestion: { enabled: !options.suggestFields },
  }).protect()
  return { plugins: [...plugins, noSubscriptionsOverHttp], validationRules }
}

/**
 * Subscriptions live on the WebSocket at the same path; over HTTP they would run their resolvers without an
 * event. Refused with BAD_REQUEST, naming where to go.
 */
const noSubscriptionsOverHttp: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return
        throw new GraphQLError(
          '订阅请通过 WebSocket（graphql-ws 协议）连接同一路径 / Subscriptions are served over WebSocket (graphql-ws) at this path',
          { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
        )
      },
    }
  },
}

const withinTokenLimit = new Set<string>()
const REMEMBERED_DOCUMENTS = 1000

/**
 * Counts a document's lexical tokens before anything parses it, and says why when there are too many. Apollo's
 * plugins cannot answer a parse-time refusal with anything but a 500, so the HTTP handler asks this first.
 * Documents seen within the limit are remembered: a client's repeated query is lexed once.
 */
export function tokenLimitMessage(document: unknown): { zh: string; en: string } | null {
  if (typeof document !== 'string' || withinTokenLimit.has(document)) return null
  try {
    new MaxTokensParserWLexer(document, { n: QUERY_LIMITS.tokens }).parseDocument()
  } catch (error) {
    const limit = queryLimitMessage(String((error as Error).message))
    if (limit) return limit
    return null // any other syntax error is Apollo's to report, as GRAPHQL_PARSE_FAILED
  }
  if (withinTokenLimit.size >= REMEMBERED_DOCUMENTS) withinTokenLimit.clear()
  withinTokenLimit.add(document)
  return null
}

/** The same limits as validation rules alone, for the WebSocket subscriptions that do not run Apollo. */
export function subscriptionQueryLimits(): ValidationRule[] {
  return [
    maxDepthRule(ARMOR.maxDepth),
    maxAliasesRule(ARMOR.maxAliases),
    maxDirectivesRule(ARMOR.maxDirectives),
    costLimitRule(ARMOR.costLimit),
  ] as ValidationRule[]
}

const LIMIT_MESSAGES: [RegExp, (found: string) => [zh: string, en: string]][] = [
  [
    /Query depth limit of \d+ exceeded, found (\d+)/,
    (n) => [
      `查询嵌套 ${n} 层，超过上限 ${QUERY_LIMITS.depth} 层`,
      `The query nests ${n} levels, more than the ${QUERY_LIMITS.depth} allowed`,
    ],
  ],
  [
    /Aliases limit of \d+ exceeded, found (\d+)/,
    (n) => [
      `查询使用了 ${n} 个别名，超过上限 ${QUERY_LIMITS.aliases} 个`,
      `The query uses ${n} aliases, more than the ${QUERY_LIMITS.aliases} allowed`,
    ],
  ],
  [
    /Directives limit of \d+ exceeded, found (\d+)/,
    (n) => [
      `查询使用了 ${n} 个指令，超过上限 ${QUERY_LIMITS.directives} 个`,
      `The query uses ${n} directives, more than the ${QUERY_LIMITS.directives} allowed`,
    ],
  ],
  [
    /Query Cost limit of \d+ exceeded, found (\d+)/,
    (n) => [
      `查询代价 ${n} 超过上限 ${QUERY_LIMITS.cost}，请减少字段或拆分查询`,
      `The query's cost ${n} exceeds ${QUERY_LIMITS.cost}: ask for fewer fields or split it`,
    ],
  ],
  [
    /Token limit of \d+ exceeded/,
    () => [
      `查询文本过长（超过 ${QUERY_LIMITS.tokens} 个词法单元）`,
      `The query document is too long (more than ${QUERY_LIMITS.tokens} tokens)`,
    ],
  ],
]

/** The bilingual message of a query refused by a limit, or null for any other error. */
export function queryLimitMessage(message: string): { zh: string; en: string } | null {
  for (const [pattern, describe] of LIMIT_MESSAGES) {
    const match = pattern.exec(message)
    if (match) {
      const [zh, en] = describe(match[1] ?? '')
      return { zh, en }
    }
  }
  return null
}
