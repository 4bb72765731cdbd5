// The HR dashboard's GraphQL documents and the shapes they answer.

export const CYCLES = `query DashboardCycles { reviewCycles { id name status periodStart periodEnd } }`;

const COUNTS = `notStarted inProgress submitted`;
const DISTRIBUTION = `
  departments { departmentId department { id name } before { rating count } after { rating count } }
  total { before { rating count } after { rating count } }`;

const OVERDUE = `id kind state reviewer { id name } reviewee { id name department { id name } }`;
const PROGRESS = `
    phases { phase deadline counts { ${COUNTS} } departments { departmentId department { id name } counts { ${COUNTS} } } }
    reviewStates { state count }`;

export const CYCLE_DASHBOARD = `
query CycleDashboard($cycleId: ID!) {
  cycleProgress(cycleId: $cycleId) { ${PROGRESS} }
  cycleDistribution(cycleId: $cycleId) { ${DISTRIBUTION} }
  overdueForms(cycleId: $cycleId) { ${OVERDUE} }
}`;

// The cycle's progress alone: what a cycleProgressChanged event writes into the cache (web/src/cache/dashboard.ts).
export const CYCLE_PROGRESS = `
query CycleProgress($cycleId: ID!) {
  cycleProgress(cycleId: $cycleId) { ${PROGRESS} }
}`;

// The same progress pushed after each change of it (forms started, submitted, reopened; reviews moved; launches).
export const CYCLE_PROGRESS_CHANGED = `
subscription CycleProgressChanged($cycleId: ID!) {
  cycleProgressChanged(cycleId: $cycleId) { ${PROGRESS} }
}`;

export const OVERDUE_FORMS = `
query OverdueForms($cycleId: ID!) {
  overdueForms(cycleId: $cycleId) { ${OVERDUE} }
}`;

export const CYCLE_SCORES = `
subscription CycleScores($cycleId: ID!) {
  cycleScoresChanged(cycleId: $cycleId) { kind cycleId reviewId departmentId }
}`;

const SUCCESSION = `
  position { id title department { id name } }
  incumbents { id name }
  successors { rank emergency employee { id name } externalName readiness left moved }
  benchStrength { readyNow readyIn12Years readyIn3PlusYears unknown atRisk }
  version`;

export const SUCCESSION_RISKS = `query SuccessionRisks { successionRisks { ${SUCCESSION} } }`;

export const SUCCESSION_CHANGED = `
subscription SuccessionChanged($positionId: ID!) {
  successionChanged(positionId: $positionId) { kind positionId plan { ${SUCCESSION} } }
}`;

const ATTRITION_ROW = `key label suppressed surveySuppressed headcountStart headcountEnd leavers attritionRate voluntaryShare
  regrettedShare surveyResponses recommendScore topReasons { category count }`;
const ATTRITION = `groupBy start end k windowMonths rows { ${ATTRITION_ROW} } total { ${ATTRITION_ROW} }`;

export const ATTRITION_REPORT = `query Attrition { attritionReport(groupBy: DEPARTMENT) { ${ATTRITION} } }`;
export const ATTRITION_CHANGED = `subscription AttritionChanged { attritionReportChanged(groupBy: DEPARTMENT) { ${ATTRITION} } }`;

export const MERIT_CYCLES = `query MeritCycles { meritCycles { id name phase currency effectiveDate meritBudgetPercent eligibleCount } }`;

const MONEY = `amount currency`;
export const DEPARTMENT_BUDGETS = `
query DepartmentBudgets($cycleId: ID!) {
  departmentBudgets(cycleId: $cycleId) {
    department { id name }
    payroll { ${MONEY} } allocated { ${MONEY} } proposed { ${MONEY} } committed { ${MONEY} } remaining { ${MONEY} }
    overBudget
  }
}`;

export interface Named {
  id: string;
  name: string;
}

export interface ReviewCycle {
  id: string;
  name: string;
  status: "DRAFT" | "LAUNCHING" | "ACTIVE" | "CLOSED";
  periodStart: string;
  periodEnd: string;
}

export interface FormCounts {
  notStarted: number;
  inProgress: number;
  submitted: number;
}

export interface PhaseProgress {
  phase: string;
  deadline: string | null;
  counts: FormCounts;
  departments: { departmentId: string | null; department: Named | null; counts: FormCounts }[];
}

export interface RatingCount {
  rating: number | null;
  count: number;
}

export interface DepartmentDistribution {
  departmentId?: string | null;
  department?: Named | null;
  before: RatingCount[];
  after: RatingCount[];
}

export interface CycleDistribution {
  departments: DepartmentDistribution[];
  total: DepartmentDistribution;
}

export interface OverdueForm {
  id: string;
  kind: "SELF" | "MANAGER" | "PEER" | "UPWARD";
  state: "NOT_STARTED" | "IN_PROGRESS" | "SUBMITTED";
  reviewer: Named | null;
  reviewee: (Named & { department: Named | null }) | null;
}

export interface CycleProgress {
  phases: PhaseProgress[];
  reviewStates: { state: string; count: number }[];
}

export interface CycleDashboardData {
  cycleProgress: CycleProgress | null;
  cycleDistribution: CycleDistribution | null;
  overdueForms: OverdueForm[] | null;
}

export type Readiness = "READY_NOW" | "READY_IN_1_2_YEARS" | "READY_IN_3_PLUS_YEARS";

export interface SuccessionPlan {
  position: { id: string; title: string; department: Named | null };
  incumbents: Named[];
  successors: { rank: number; emergency: boolean; employee: Named | null; externalName: string | null;
    readiness: Readiness | null; left: boolean; moved: boolean }[];
  benchStrength: { readyNow: number; readyIn12Years: number; readyIn3PlusYears: number; unknown: number; atRisk: boolean };
  version: number;
}

export interface AttritionRow {
  key: string;
  label: string;
  suppressed: boolean;
  surveySuppressed: boolean;
  headcountStart: number | null;
  headcountEnd: number | null;
  leavers: number | null;
  attritionRate: number | null;
  voluntaryShare: number | null;
  regrettedShare: number | null;
  surveyResponses: number | null;
  recommendScore: number | null;
  topReasons: { category: string; count: number }[];
}

export interface AttritionReport {
  groupBy: string;
  start: string;
  end: string;
  k: number;
  windowMonths: number;
  rows: AttritionRow[];
  total: AttritionRow;
}

export interface Money {
  amount: string;
  currency: string;
}

export interface MeritCycle {
  id: string;
  name: string;
  phase: string;
  currency: string;
  effectiveDate: string;
  meritBudgetPercent: string;
  eligibleCount: number | null;
}

export interface DepartmentBudget {
  department: Named | null;
  payroll: Money;
  allocated: Money;
  proposed: Money;
  committed: Money;
  remaining: Money;
  overBudget: boolean;
}
