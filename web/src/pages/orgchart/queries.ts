// The org chart page's GraphQL documents and the shapes of their answers. Every field selected in the live
// subscription is an org-chart field (schema/core/audience.py), so the whole organisation shares one execution.

const PERSON = `id name status title position { id title } department { id name } manager { id }`;

/** Who is signed in and the managers above them: the last is the top of their part of the organisation. */
export const ME_TOP = `query OrgChartMe { me { id reportingChain { id } } }`;

/** The top and two levels below it, each with how many people report to them. */
export const TOP = `query OrgChartTop($rootId: ID!) {
  orgChart(rootId: $rootId, depth: 2) {
    reportCount employee { ${PERSON} }
    reports { reportCount employee { ${PERSON} }
      reports { reportCount employee { ${PERSON} } } }
  }
}`;

/** One person's direct reports, loaded when their card is expanded. */
export const REPORTS = `query OrgChartReports($id: ID!) {
  orgChart(rootId: $id, depth: 1) {
    reportCount employee { ${PERSON} }
    reports { reportCount employee { ${PERSON} } }
  }
}`;

/** The managers above someone (nearest first): the cards to expand to reveal them. */
export const CHAIN = `query OrgChartChain($id: ID!) { reportingChain(employeeId: $id) { id } }`;

export const SEARCH = `query OrgChartSearch($search: String!) {
  employees(first: 8, filter: { search: $search }) {
    totalCount
    edges { node { id name title department { id name } } }
  }
}`;

/** How many people report to each of some people (after a live change that may have changed it). */
export const COUNTS = `query OrgChartCounts($ids: [ID!]!) { nodes(ids: $ids) { ... on Employee { id reports { id } } } }`;

/** The catalogues, read again when a department or a position is saved (their events name nobody). */
export const CATALOGUE = `query OrgChartCatalogue { departments { id name } positions { id title } }`;

/** The side panel: the person, their position, the managers above them and their reports. */
export const PERSON_PANEL = `query OrgChartPerson($id: ID!) {
  employee(id: $id) {
    id name status title
    department { id name }
    position { id title description responsibilities level }
    reportingChain { id name title }
    reports { id name title }
  }
}`;

export const CHANGED = `subscription OrgChartChanged($rootId: ID!) {
  orgChartChanged(rootId: $rootId) {
    kind version employeeIds
    employees { ${PERSON} }
  }
}`;

export type Status = "ACTIVE" | "ON_LEAVE" | "TERMINATED";

export interface EmployeeData {
  id: string;
  name: string;
  status: Status;
  title: string | null;
  position: { id: string; title: string } | null;
  department: { id: string; name: string } | null;
  manager: { id: string } | null;
}

export interface ChartNodeData {
  reportCount: number;
  employee: EmployeeData;
  reports?: ChartNodeData[];
}

export type OrgChangeKind =
  | "EMPLOYEE_CREATED"
  | "EMPLOYEE_UPDATED"
  | "MANAGER_CHANGED"
  | "DEPARTMENT_CHANGED"
  | "EMPLOYEE_TERMINATED"
  | "DEPARTMENT_SAVED"
  | "POSITION_SAVED";

export interface OrgChartEvent {
  kind: OrgChangeKind;
  version: number;
  employeeIds: string[];
  employees: EmployeeData[];
}

export interface Catalogue {
  departments: { id: string; name: string }[];
  positions: { id: string; title: string }[];
}

export interface SearchHit {
  id: string;
  name: string;
  title: string | null;
  department: { id: string; name: string } | null;
}

export interface PanelPerson {
  id: string;
  name: string;
  status: Status;
  title: string | null;
  department: { id: string; name: string } | null;
  position: { id: string; title: string; description: string; responsibilities: string[]; level: number } | null;
  reportingChain: { id: string; name: string; title: string | null }[];
  reports: { id: string; name: string; title: string | null }[];
}
