import type { ProblemState } from '../db/problems.ts'
import { forbidden, notFound, unauthenticated } from '../graphql/errors.ts'
import type { Identity, Role, Scope } from './identity.ts'

/** What a caller may ask of the API beyond the scoped reads every list does. */
export const OPERATIONS = [
  'problem.transition',
  'problem.signOff',
  'problem.reopen',
  'problem.read',
  'run.start',
  'run.cancel',
  'run.read',
  'audit.read',
  'edition.write',
  'edition.publish',
  'campaign.create',
  'filling.fill',
  'filling.submit',
  'filling.reviewCity',
  'filling.reviewProvince',
  'filling.unlock',
  'filling.read',
  'region.classify',
  'problem.report',
  'problem.route',
  'task.work',
  'routing.write',
  'kpi.read',
  'resource.read',
  'resource.report',
  'resource.import',
  'resource.verify',
  'address.read',
  'address.confirm',
  'streetView.read',
  'streetView.write',
  'zoning.write',
  'project.read',
  'project.write',
  'project.plan',
  'exchange.export',
  'exchange.import',
  'exchange.send',
  'report.generate',
  'report.read',
  'report.writeTemplate',
] as const
export type Operation = (typeof OPERATIONS)[number]

/**
 * How a role holds an operation: on targets inside its region scope (`region`), only on targets routed to its
 * own department inside that scope (`routed`), or on rows marked public (`public`).
 */
export type Grant = 'region' | 'routed' | 'public'

/** The permission matrix (ADR 0012): role × operation → grant; a role absent from a row may not do it. */
export const PERMISSIONS: Record<Operation, Partial<Record<Role, Grant>>> = {
  'problem.transition': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'routed',
  },
  'problem.signOff': { province: 'region', city: 'region' },
  'problem.reopen': { province: 'region', city: 'region' },
  'problem.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
    expert: 'region',
    partner: 'region',
    public: 'public',
  },
  'run.start': { province: 'region', city: 'region', district: 'region' },
  'run.cancel': { province: 'region', city: 'region', district: 'region' },
  'run.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
    expert: 'region',
    partner: 'region',
  },
  'audit.read': { province: 'region', city: 'region' },
  'edition.write': { province: 'region', city: 'region' },
  'edition.publish': { province: 'region', city: 'region' },
  'campaign.create': { province: 'region', city: 'region' },
  'filling.fill': { city: 'region', district: 'region', street: 'region', department: 'routed' },
  'filling.submit': { city: 'region', district: 'region' },
  'filling.reviewCity': { city: 'region' },
  'filling.reviewProvince': { province: 'region' },
  'filling.unlock': { province: 'region' },
  'filling.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
    expert: 'region',
  },
  'region.classify': { province: 'region' },
  'problem.report': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
    expert: 'region',
    partner: 'region',
  },
  'problem.route': { province: 'region', city: 'region', district: 'region' },
  'task.work': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'routed',
  },
  'routing.write': { province: 'region', city: 'region' },
  'kpi.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
  },
  'resource.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
    expert: 'region',
    partner: 'region',
  },
  'resource.report': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
  },
  'resource.import': { province: 'region', city: 'region', district: 'region', department: 'region' },
  'resource.verify': { province: 'region', city: 'region', district: 'region' },
  'address.read': { province: 'region', city: 'region', district: 'region', street: 'region' },
  'address.confirm': { province: 'region', city: 'region', district: 'region', street: 'region' },
  'streetView.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
  },
  'streetView.write': { province: 'region', city: 'region', district: 'region', street: 'region' },
  'zoning.write': { province: 'region', city: 'region' },
  'project.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
    expert: 'region',
    partner: 'region',
  },
  'project.write': { province: 'region', city: 'region', district: 'region' },
  'project.plan': { province: 'region', city: 'region' },
  'exchange.export': { province: 'region', city: 'region' },
  'exchange.import': { province: 'region', city: 'region' },
  'exchange.send': { province: 'region', city: 'region' },
  'report.generate': { province: 'region', city: 'region', district: 'region' },
  'report.read': {
    province: 'region',
    city: 'region',
    district: 'region',
    street: 'region',
    department: 'region',
    expert: 'region',
  },
  'report.writeTemplate': { province: 'region', city: 'region' },
}

const ROLE_NAMES: Record<Role, string> = {
  province: '省级',
  city: '市级',
  district: '区县',
  street: '街道',
  department: '责任部门',
  expert: '专家',
  partner: '合作方',
  public: '公众',
}

const OPERATION_NAMES: Record<Operation, { zh: string; en: string }> = {
  'problem.transition': { zh: '推进问题（交办、整改）', en: 'move a problem through its work' },
  'problem.signOff': { zh: '复查或销号', en: 're-inspect or sign off a problem' },
  'problem.reopen': { zh: '重新打开已销号的问题', en: 'reopen a closed problem' },
  'problem.read': { zh: '读取问题', en: 'read problems' },
  'run.start': { zh: '启动诊断', en: 'start a diagnosis' },
  'run.cancel': { zh: '取消诊断', en: 'cancel a diagnosis' },
  'run.read': { zh: '读取诊断运行', en: 'read diagnostic runs' },
  'audit.read': { zh: '读取审计日志', en: 'read the audit log' },
  'edition.write': { zh: '编辑指标体系版本', en: 'edit an indicator system edition' },
  'edition.publish': { zh: '发布或锁定指标体系版本', en: 'publish or lock an edition' },
  'campaign.create': { zh: '发起体检', en: 'start a check' },
  'filling.fill': { zh: '填报指标值', en: 'fill in indicator values' },
  'filling.submit': { zh: '提交填报', en: 'submit a filling' },
  'filling.reviewCity': { zh: '初审填报（市级）', en: 'review a filling in the city round' },
  'filling.reviewProvince': { zh: '复审填报（省级）', en: 'review a filling in the province round' },
  'filling.unlock': { zh: '解锁已审定的填报', en: 'unlock an approved filling' },
  'filling.read': { zh: '读取填报', en: 'read fillings' },
  'region.classify': { zh: '设定城市分类', en: "set a city's class" },
  'problem.report': { zh: '上报问题', en: 'report a problem' },
  'problem.route': { zh: '派单、拆分或合并问题', en: 'route, split or merge problems' },
  'task.work': { zh: '办理整改任务', en: 'work a rectification task' },
  'routing.write': { zh: '维护派单规则与节假日', en: 'edit routing rules and holidays' },
  'kpi.read': { zh: '读取绩效指标', en: 'read performance figures' },
  'resource.read': { zh: '读取存量资源', en: 'read stock resources' },
  'resource.report': { zh: '上报存量资源', en: 'report a stock resource' },
  'resource.import': { zh: '导入部门存量资源', en: "import a department's stock resources" },
  'resource.verify': { zh: '核实或驳回存量资源', en: 'verify or reject a stock resource' },
  'address.read': { zh: '读取标准地址匹配报告', en: 'read the standard-address match report' },
  'address.confirm': { zh: '确认或否定标准地址的匹配', en: 'confirm or reject a standard-address match' },
  'streetView.read': { zh: '读取街景与现场照片', en: 'read street-view and field photos' },
  'streetView.write': { zh: '登记街景或现场照片', en: 'record a street-view or field photo' },
  'zoning.write': { zh: '编辑更新分区规则', en: 'edit zoning rules' },
  'project.read': { zh: '读取更新项目', en: 'read renewal projects' },
  'project.write': { zh: '生成、编辑或推进更新项目', en: 'generate, edit or advance renewal projects' },
  'project.plan': {
    zh: '将项目纳入年度计划并安排资金',
    en: 'move a project into the annual plan and fund it',
  },
  'exchange.export': { zh: '导出数据交换包', en: 'export an exchange package' },
  'exchange.import': { zh: '接收并导入数据交换包', en: 'import an exchange package' },
  'exchange.send': { zh: '向上级平台上报数据交换包', en: 'send an exchange package upstream' },
  'report.generate': { zh: '生成体检报告', en: 'generate a check report' },
  'report.read': { zh: '读取和下载体检报告', en: 'read and download check reports' },
  'report.writeTemplate': { zh: '编辑体检报告模板', en: 'edit a check report template' },
}

/** What an operation acts on: where it lies and, for routed work, the department it is routed to. */
export interface Target {
  regionCode: string
  department?: string | null
}

/** Which operation a problem transition is: 复查/销号 and reopening are the verifiers' (ADR 0012). */
export function problemOperation(from: ProblemState): Operation {
  if (from === 'closed') return 'problem.reopen'
  if (from === 'rectified' || from === 're_inspected') return 'problem.signOff'
  return 'problem.transition'
}

/** The roles that hold an operation, in the matrix's order. */
export function rolesFor(operation: Operation): Role[] {
  return Object.keys(PERMISSIONS[operation]) as Role[]
}

/**
 * Throws unless `identity` may do `operation` on `target`: UNAUTHENTICATED without a token where one is needed;
 * FORBIDDEN, naming the roles that may, when the role may not do it anywhere; NOT_FOUND for a target outside the
 * read scope (the answer for a row that does not exist); FORBIDDEN when the target is not routed to the
 * caller's department. Without a target only the role is checked (the caller's SQL keeps rows in scope).
 */
export function authorize(
  identity: Identity | null,
  scope: Scope,
  operation: Operation,
  target?: Target | null,
): void {
  const names = OPERATION_NAMES[operation]
  const role = identity?.role ?? 'public'
  const grant = PERMISSIONS[operation][role]
  if (!identity && grant !== 'public') {
    throw unauthenticated(`需要登录才能${names.zh}`, `Sign in to ${names.en}`)
  }
  if (!grant) {
    const roles = rolesFor(operation)
    throw forbidden(
      `${ROLE_NAMES[role]}账号不能${names.zh}；仅${roles.map((r) => ROLE_NAMES[r]).join('、')}可以`,
      `A ${role} may not ${names.en}; only ${roles.join(', ')} may`,
    )
  }
  if (!target) return
  if (scope.kind === 'region' && !target.regionCode.startsWith(scope.prefix)) {
    throw notFound(
      `行政区划 ${target.regionCode} 中的对象不存在或无权访问`,
      `Nothing of region ${target.regionCode} was found`,
    )
  }
  if (grant === 'routed' && (!identity?.department || target.department !== identity.department)) {
    throw forbidden(
      `责任部门只能处理交办给本部门（${identity?.department ?? '未指定'}）的问题`,
      `A department may only ${names.en} routed to its own department (${identity?.department ?? 'none'})`,
    )
  }
}
