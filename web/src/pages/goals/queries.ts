// The goals page's GraphQL documents and the shapes they answer.

export const GOAL_FIELDS = `
fragment GoalFields on Goal {
  id title level status visibility progress keyResultProgress rollUpChildren startDate dueDate canEdit
  ownerEmployee { id name }
  ownerDepartment { id name }
  keyResults { id title metricKind startValue targetValue currentValue unit weight progress }
}`;

// Parents up to four levels: the alignment tree starts at the highest goal the viewer may see.
export const GOALS_OVERVIEW = `
query GoalsOverview {
  me {
    id
    name
    goals { ...GoalFields parent { id title parent { id title parent { id title parent { id title } } } } }
  }
  myTeamGoals {
    employee { id name title }
    goalCount meanProgress atRiskCount offTrackCount
    goals { id title level status progress dueDate }
  }
  companyGoals: goals(first: 20, filter: { level: COMPANY }) { edges { node { id title } } }
}
${GOAL_FIELDS}`;

export const GOAL_DETAIL = `
query GoalDetail($id: ID!) {
  goal(id: $id) {
    ...GoalFields
    description
    parent { id title parent { id title parent { id title parent { id title } } } }
    progressHistory { id keyResultId keyResultTitle at oldValue newValue comment by { id name } }
  }
}
${GOAL_FIELDS}`;

export const GOAL_PROGRESS = `
subscription GoalProgress($ownerId: ID, $goalId: ID) {
  goalProgressChanged(ownerId: $ownerId, goalId: $goalId) {
    kind progress changedGoalId keyResultId
    goal { ...GoalFields }
  }
}
${GOAL_FIELDS}`;

// One goal's live updates on its own page also bring its progress history.
export const GOAL_DETAIL_PROGRESS = `
subscription GoalDetailProgress($goalId: ID) {
  goalProgressChanged(goalId: $goalId) {
    kind progress changedGoalId keyResultId
    goal {
      ...GoalFields
      progressHistory { id keyResultId keyResultTitle at oldValue newValue comment by { id name } }
    }
  }
}
${GOAL_FIELDS}`;

export const RECORD_PROGRESS = `
mutation RecordProgress($keyResultId: ID!, $value: Float!, $comment: String) {
  updateKeyResultProgress(keyResultId: $keyResultId, value: $value, comment: $comment) {
    goal {
      ...GoalFields
      progressHistory { id keyResultId keyResultTitle at oldValue newValue comment by { id name } }
    }
    errors { field code message }
  }
}
${GOAL_FIELDS}`;

// The alignment tree, seven levels deep (deeper goals are reached from their own page).
const TREE_NODE = `id goalId redacted goal { id title level status progress ownerEmployee { id name } ownerDepartment { id name } }`;
function nested(depth: number): string {
  return depth === 0 ? TREE_NODE : `${TREE_NODE} children { ${nested(depth - 1)} }`;
}
export const TREE_DEPTH = 7;
export const GOAL_TREE = `
query GoalTree($rootGoalId: ID!) {
  goalTree(rootGoalId: $rootGoalId) { ${nested(TREE_DEPTH)} }
}`;

export type GoalLevel = "COMPANY" | "DEPARTMENT" | "INDIVIDUAL";
export type GoalStatus = "ON_TRACK" | "AT_RISK" | "OFF_TRACK" | "DONE" | "CANCELLED";
export type MetricKind = "NUMBER" | "PERCENTAGE" | "CURRENCY" | "BOOLEAN" | "MILESTONE";

export interface Named {
  id: string;
  name: string;
}

export interface KeyResult {
  id: string;
  title: string;
  metricKind: MetricKind;
  startValue: number;
  targetValue: number;
  currentValue: number;
  unit: string;
  weight: number;
  progress: number;
}

export interface Goal {
  id: string;
  title: string;
  level: GoalLevel;
  status: GoalStatus;
  visibility: string;
  progress: number;
  keyResultProgress: number;
  rollUpChildren: boolean;
  startDate: string;
  dueDate: string;
  canEdit: boolean;
  ownerEmployee: Named | null;
  ownerDepartment: Named | null;
  keyResults: KeyResult[];
}

export interface ParentLink {
  id: string;
  title: string;
  parent?: ParentLink | null;
}

export interface ProgressEntry {
  id: string;
  keyResultId: string;
  keyResultTitle: string;
  at: string;
  oldValue: number | null;
  newValue: number;
  comment: string | null;
  by: Named | null;
}

/** A team member's goal as the team summary lists it (key results are on the goal's own page). */
export type TeamGoal = Pick<Goal, "id" | "title" | "level" | "status" | "progress" | "dueDate">;

export interface TeamMemberGoals {
  employee: Named & { title: string | null };
  goalCount: number;
  meanProgress: number | null;
  atRiskCount: number;
  offTrackCount: number;
  goals: TeamGoal[];
}

export interface GoalsOverviewData {
  me: (Named & { goals: (Goal & { parent: ParentLink | null })[] }) | null;
  myTeamGoals: TeamMemberGoals[];
  companyGoals: { edges: { node: { id: string; title: string } }[] };
}

export interface GoalDetailData {
  goal: (Goal & { description: string; parent: ParentLink | null; progressHistory: ProgressEntry[] }) | null;
}

export interface TreeNode {
  id: string;
  goalId: string;
  redacted: boolean;
  goal: Pick<Goal, "id" | "title" | "level" | "status" | "progress" | "ownerEmployee" | "ownerDepartment"> | null;
  children?: TreeNode[];
}

export interface PayloadResult {
  goal: Goal | null;
  errors: { field: string | null; code: string; message: string }[];
}
