// The org chart as the page holds it: the people it has loaded, whose reports are loaded, which cards are
// expanded, and every live change applied in place. Only expanded people's reports are ever loaded or rendered,
// so the page stays small however large the organisation is. Pure (no I/O): the page feeds it answers and events.
import type { ChartNodeData, EmployeeData, EventEmployee, OrgChartEvent, Status } from "./queries";

/** How long a changed card stays highlighted. */
export const HIGHLIGHT_MS = 2000;

export interface Person {
  id: string;
  name: string;
  status: Status;
  title: string | null;
  positionId: string | null;
  department: { id: string; name: string } | null;
  managerId: string | null;
  /** Direct reports who have not left (exact: from the chart, or from the event that last moved someone). */
  reportCount: number;
  /** When a live change last touched this card (ms since the epoch), 0 when never. */
  changedAt: number;
}

/** What one applied event did, in words for the page's live announcement. */
export interface Applied {
  changed: string[];
  message: string | null;
}

type Listener = () => void;

function byName(people: Map<string, Person>) {
  return (a: string, b: string): number => {
    const left = people.get(a)?.name ?? "";
    const right = people.get(b)?.name ?? "";
    return left.localeCompare(right) || (a < b ? -1 : a > b ? 1 : 0);
  };
}

export class OrgModel {
  readonly people = new Map<string, Person>();
  /** Loaded direct reports, by name; a person missing here has reports not loaded yet. */
  readonly children = new Map<string, string[]>();
  readonly expanded = new Set<string>();
  readonly loading = new Set<string>();
  /** A failed load of someone's reports, in words. */
  readonly failed = new Map<string, string>();
  rootId: string | null = null;
  focusedId: string | null = null;
  /** The organisation's change counter of the last event applied (0 before any). */
  version = 0;
  revision = 0;
  private readonly listeners = new Set<Listener>();

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getRevision = (): number => this.revision;

  /** Tells the views something changed (one render for a whole event). */
  notify(): void {
    this.revision += 1;
    this.listeners.forEach((listener) => listener());
  }

  /** Forgets everything loaded (before the chart is read again from the top). */
  reset(): void {
    this.people.clear();
    this.children.clear();
    this.expanded.clear();
    this.loading.clear();
    this.failed.clear();
    this.rootId = null;
    this.notify();
  }

  /** The top of the chart and the levels below it that the answer holds; its first two levels start expanded. */
  loadTop(node: ChartNodeData): void {
    this.rootId = node.employee.id;
    this.focusedId ??= node.employee.id;
    this.loadNode(node);
    this.expanded.add(node.employee.id);
    for (const child of node.reports ?? []) if (child.reports && child.reportCount > 0) this.expanded.add(child.employee.id);
    this.notify();
  }

  /** A person and, where the answer holds them, their reports (a node whose `reports` was not asked for is left unloaded). */
  loadNode(node: ChartNodeData): void {
    this.put(node.employee, node.reportCount);
    if (node.reports === undefined) return;
    // an answer at the chart's last level says nothing about the reports: only a counted node with reports listed is loaded
    if (node.reports.length === 0 && node.reportCount > 0) return;
    for (const child of node.reports) this.loadNode(child);
    const ids = node.reports.map((child) => child.employee.id);
    this.children.set(node.employee.id, ids.sort(byName(this.people)));
    this.failed.delete(node.employee.id);
  }

  private put(data: EmployeeData | EventEmployee, reportCount: number, changedAt = 0): Person {
    const before = this.people.get(data.id);
    const person: Person = {
      id: data.id,
      name: data.name,
      status: data.status,
      title: data.title,
      positionId: data.position?.id ?? null,
      department: data.department ? { id: data.department.id, name: data.department.name } : null,
      managerId: data.manager?.id ?? null,
      reportCount,
      changedAt: changedAt || before?.changedAt || 0,
    };
    this.people.set(data.id, person);
    return person;
  }

  hasReports(id: string): boolean {
    const loaded = this.children.get(id);
    return loaded ? loaded.length > 0 : (this.people.get(id)?.reportCount ?? 0) > 0;
  }

  reportCount(id: string): number {
    return this.children.get(id)?.length ?? this.people.get(id)?.reportCount ?? 0;
  }

  isExpanded(id: string): boolean {
    return this.expanded.has(id) && this.children.has(id);
  }

  /** The cards on screen, top to bottom: the root and the reports of every expanded card. */
  visible(): string[] {
    const order: string[] = [];
    const walk = (id: string): void => {
      order.push(id);
      if (this.isExpanded(id)) for (const child of this.children.get(id) ?? []) walk(child);
    };
    if (this.rootId && this.people.has(this.rootId)) walk(this.rootId);
    return order;
  }

  /** The managers from the root down to someone loaded, or null when they are not in the loaded chart. */
  pathTo(id: string): string[] | null {
    const path: string[] = [];
    let current: string | null = id;
    const seen = new Set<string>();
    while (current !== null) {
      if (seen.has(current)) return null;
      seen.add(current);
      const person = this.people.get(current);
      if (!person) return null;
      if (current === this.rootId) return path.reverse();
      if (!person.managerId || !this.children.get(person.managerId)?.includes(current)) return null;
      path.push(person.managerId);
      current = person.managerId;
    }
    return null;
  }

  private mark(id: string | null | undefined, at: number, changed: Set<string>): void {
    if (!id) return;
    const person = this.people.get(id);
    if (!person) return;
    this.people.set(id, { ...person, changedAt: at });
    changed.add(id);
  }

  private detach(id: string, managerId: string | null): void {
    if (!managerId) return;
    const siblings = this.children.get(managerId);
    if (siblings) this.children.set(managerId, siblings.filter((sibling) => sibling !== id));
    else {
      const manager = this.people.get(managerId);
      if (manager) this.people.set(managerId, { ...manager, reportCount: Math.max(0, manager.reportCount - 1) });
    }
  }

  private attach(id: string, managerId: string): void {
    const siblings = this.children.get(managerId);
    if (siblings && !siblings.includes(id)) this.children.set(managerId, [...siblings, id].sort(byName(this.people)));
  }

  private forget(id: string): void {
    this.people.delete(id);
    this.children.delete(id);
    this.expanded.delete(id);
    if (this.focusedId === id) this.focusedId = null;
  }

  /**
   * Applies one orgChartChanged event in place: whoever it names is read again as it stands now (a new manager,
   * a new name or title, a new department, a termination, a new hire), moved between loaded report lists, and
   * highlighted with the managers whose reports changed. Applying an event twice changes nothing more.
   */
  apply(event: OrgChartEvent, now: number = Date.now()): Applied {
    const changed = new Set<string>();
    const words: string[] = [];
    const listed = new Set(event.employees.map((employee) => employee.id));
    for (const employee of event.employees) {
      const before = this.people.get(employee.id);
      const newManagerId = employee.manager?.id ?? null;
      if (employee.status === "TERMINATED") {
        if (before) {
          this.detach(employee.id, before.managerId);
          this.mark(before.managerId, now, changed);
          this.forget(employee.id);
          words.push(`${employee.name} left`);
        }
        continue;
      }
      if (newManagerId && employee.manager) {
        const manager = this.people.get(newManagerId);
        // the new manager's count as it stands after the change (exact whatever was loaded before)
        if (manager && !this.children.has(newManagerId)) {
          this.people.set(newManagerId, { ...manager, reportCount: employee.manager.reports.length });
        }
      }
      const visibleUnder = newManagerId !== null && this.children.has(newManagerId);
      if (!before && !visibleUnder) {
        // not loaded and not joining a loaded list: nothing on screen shows them (a collapsed card's count may)
        if (newManagerId && this.people.has(newManagerId)) this.mark(newManagerId, now, changed);
        continue;
      }
      const moved = before !== undefined && before.managerId !== newManagerId;
      if (moved) {
        this.detach(employee.id, before.managerId);
        this.mark(before.managerId, now, changed);
      }
      const person = this.put(employee, employee.reports.length, now);
      changed.add(person.id);
      if (newManagerId) {
        this.attach(employee.id, newManagerId);
        // a name change re-sorts the list it is in
        const siblings = this.children.get(newManagerId);
        if (siblings) this.children.set(newManagerId, [...siblings].sort(byName(this.people)));
        if (moved || !before) this.mark(newManagerId, now, changed);
      }
      const managerName = newManagerId ? this.people.get(newManagerId)?.name : undefined;
      if (!before) words.push(`${employee.name} joined${managerName ? ` under ${managerName}` : ""}`);
      else if (moved) words.push(`${employee.name} now reports to ${managerName ?? "nobody"}`);
      else words.push(`${employee.name} was updated`);
    }
    for (const id of event.employeeIds) {
      // named but not readable any more (or not visible to this viewer): off the chart
      const before = this.people.get(id);
      if (!listed.has(id) && before && id !== this.rootId) {
        this.detach(id, before.managerId);
        this.mark(before.managerId, now, changed);
        this.forget(id);
        words.push(`${before.name} left the chart`);
      }
    }
    this.version = Math.max(this.version, event.version);
    if (changed.size > 0 || words.length > 0) this.notify();
    return { changed: [...changed], message: words.length > 0 ? `${words.join("; ")}.` : null };
  }

  /** After a department or a position was saved: the names and titles the cards show, as they are now. */
  applyCatalogue(departments: Map<string, string>, positions: Map<string, string>, now: number = Date.now()): Applied {
    const changed: string[] = [];
    for (const person of this.people.values()) {
      const department = person.department ? departments.get(person.department.id) : undefined;
      const title = person.positionId ? positions.get(person.positionId) : undefined;
      const newDepartment = department !== undefined && department !== person.department?.name;
      const newTitle = title !== undefined && title !== person.title;
      if (!newDepartment && !newTitle) continue;
      this.people.set(person.id, {
        ...person,
        department: newDepartment && person.department ? { id: person.department.id, name: department } : person.department,
        title: newTitle ? title : person.title,
        changedAt: now,
      });
      changed.push(person.id);
    }
    if (changed.length > 0) this.notify();
    const count = changed.length;
    return { changed, message: count > 0 ? `${count} card${count === 1 ? "" : "s"} updated.` : null };
  }
}
