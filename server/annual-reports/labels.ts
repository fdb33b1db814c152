// The report's Chinese words for the codes the API answers.

export const STATE_LABELS: Record<string, string> = {
  identified: '已识别',
  assigned: '已交办',
  in_progress: '整改中',
  rectified: '已整改',
  re_inspected: '已复查',
  closed: '已销号',
}

export const WARNING_LABELS: Record<string, string> = { red: '红色预警', yellow: '黄色预警' }

export const DIRECTION_LABELS: Record<string, string> = {
  higher: '越高越好',
  lower: '越低越好',
  target: '接近目标',
  none: '—',
}

export const SOURCE_LABELS: Record<string, string> = {
  reported: '填报',
  computed: '计算',
  imported: '导入',
}

export const RUN_KIND_LABELS: Record<string, string> = {
  coverage: '公共服务设施覆盖诊断',
  indicators: '指标计算',
  tiles: '三维瓦片',
  annual_report: '体检报告生成',
}

export const PHASE_LABELS: Record<string, string> = { annual: '年度计划', reserve: '储备' }

export const PROJECT_STATE_LABELS: Record<string, string> = {
  proposed: '拟议',
  approved: '已批准',
  under_way: '实施中',
  completed: '已完成',
  evaluated: '已评估',
}

export const LEVEL_LABELS: Record<string, string> = {
  province: '省',
  city: '市',
  district: '区县',
  street: '街道',
  community: '社区',
}
