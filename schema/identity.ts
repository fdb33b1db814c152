import type { Identity, Scope } from '../server/auth/identity.ts'
import { ROLES } from '../server/auth/identity.ts'
import { builder } from './builder.ts'
import { loadRegions, Region } from './regions.ts'

interface ViewerShape {
  identity: Identity | null
  scope: Scope
}

export const Role = builder.enumType('Role', {
  description: '身份角色 / Role of an identity',
  values: ROLES,
})

const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  description: '当前请求的身份与读取范围 / The caller and what it may read',
  fields: (t) => ({
    signedIn: t.boolean({ resolve: (v) => v.identity !== null }),
    subject: t.string({ nullable: true, resolve: (v) => v.identity?.subject ?? null }),
    role: t.field({ type: Role, nullable: true, resolve: (v) => v.identity?.role ?? null }),
    department: t.string({ nullable: true, resolve: (v) => v.identity?.department ?? null }),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (v, _a, c) =>
        v.identity?.regionCode ? c.loader(loadRegions).load(v.identity.regionCode) : null,
    }),
    publicOnly: t.boolean({
      description: '只能读取公开数据 / Reads only what is marked public',
      resolve: (v) => v.scope.kind === 'public',
    }),
    scopePrefix: t.string({
      nullable: true,
      description: '可读数据的区划代码前缀 / Region-code prefix of what may be read',
      resolve: (v) => (v.scope.kind === 'region' ? v.scope.prefix : null),
    }),
  }),
})

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    resolve: (_root, _args, context) => ({ identity: context.identity, scope: context.scope }),
  }),
)
