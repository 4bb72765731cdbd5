// The org chart as the page holds it: the people it has loaded, whose reports are loaded, which cards are
// expanded, and every live change applied in place. Only expanded people's reports are ever loaded or rendered,
// so the page stays small however large the organisation is. Pure (no I/O): the page feeds it answers and events.
import type { ChartNodeData, EmployeeData, OrgChartEvent, Status } from "./queries";

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
  /** Direct reports who have not left, when their list is not loaded (null: not known yet, being read). */
  reportCount: number | null;
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
    this.focusedId = null;
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

  private put(data: EmployeeData, reportCount: number | null, changedAt = 0): Person {
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

  reportCount(id: string): number | null {
    return this.children.get(id)?.length ?? this.people.get(id)?.reportCount ?? null;
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

  /** Adds ``delta`` to the count of a manager whose reports are not loaded (a loaded list counts itself). */
  private bump(managerId: string | null, delta: number): void {
    if (!managerId || this.children.has(managerId)) return;
    const manager = this.people.get(managerId);
    if (manager && manager.reportCount !== null) {
      this.people.set(managerId, { ...manager, reportCount: Math.max(0, manager.reportCount + delta) });
    }
  }

  private detach(id: string, managerId: string | null): void {
    if (!managerId) return;
    const siblings = this.children.get(managerId);
    if (siblings) this.children.set(managerId, siblings.filter((sibling) => sibling !== id));
    else this.bump(managerId, -1);
  }

  private attach(id: string, managerId: string): void {
    const siblings = this.children.get(managerId);
    if (!siblings) this.bump(managerId, 1);
    else if (!siblings.includes(id)) this.children.set(managerId, [...siblings, id].sort(byName(this.people)));
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
   *
   * The event says where people are now, not where they were: for someone the page had not loaded, the
   * manager they left is unknown, so `recount` names the cards whose counts to read again (the collapsed
   * cards on screen, and people who arrived in a loaded list with a count not known yet).
   */
  apply(event: OrgChartEvent, now: number = Date.now()): Applied & { recount: string[] } {
    const changed = new Set<string>();
    const recount = new Set<string>();
    const words: string[] = [];
    // the kinds that move people between report lists (an update or a department move keeps the manager)
    const moves = event.kind === "EMPLOYEE_CREATED" || event.kind === "MANAGER_CHANGED" || event.kind === "EMPLOYEE_TERMINATED";
    let unseenLeft = false;
    const listed = new Set(event.employees.map((employee) => employee.id));
    for (const employee of event.employees) {
      const before = this.people.get(employee.id);
      const managerId = employee.manager?.id ?? null;
      if (employee.status === "TERMINATED") {
        if (before) {
          this.detach(employee.id, before.managerId);
          this.mark(before.managerId, now, changed);
          this.forget(employee.id);
          words.push(`${employee.name} left`);
        } else unseenLeft = true;
        continue;
      }
      if (!before) {
        if (!managerId || !this.people.has(managerId)) continue; // below a card not on the page
        if (this.children.has(managerId)) {
          // a new hire has no reports yet; anyone else arriving has a count to read
          const count = event.kind === "EMPLOYEE_CREATED" ? 0 : null;
          this.put(employee, count, now);
          changed.add(employee.id);
          if (count === null) recount.add(employee.id);
          this.attach(employee.id, managerId);
        } else if (moves) this.attach(employee.id, managerId);
        else continue; // an update of someone below a collapsed card: nothing on screen shows it
        this.mark(managerId, now, changed);
        if (event.kind !== "EMPLOYEE_CREATED") unseenLeft = true;
        const managerName = this.people.get(managerId)?.name;
        words.push(event.kind === "EMPLOYEE_CREATED" ? `${employee.name} joined under ${managerName}`
          : `${employee.name} now reports to ${managerName}`);
        continue;
      }
      const moved = before.managerId !== managerId;
      if (moved) {
        this.detach(employee.id, before.managerId);
        this.mark(before.managerId, now, changed);
      }
      this.put(employee, before.reportCount, now);
      changed.add(employee.id);
      if (managerId) {
        if (moved) {
          this.attach(employee.id, managerId);
          this.mark(managerId, now, changed);
        }
        // a new name re-sorts the list it is in
        const siblings = this.children.get(managerId);
        if (siblings) this.children.set(managerId, [...siblings].sort(byName(this.people)));
      }
      const managerName = managerId ? this.people.get(managerId)?.name : undefined;
      words.push(moved ? `${employee.name} now reports to ${managerName ?? "nobody"}` : `${employee.name} was updated`);
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
    if (unseenLeft && moves) {
      for (const id of this.visible()) if (!this.children.has(id)) recount.add(id);
    }
    this.version = Math.max(this.version, event.version);
    if (changed.size > 0 || words.length > 0) this.notify();
    return { changed: [...changed], message: words.length > 0 ? `${words.join("; ")}.` : null, recount: [...recount] };
  }

  /** Report counts read again (for cards whose reports are not loaded; a loaded list counts itself). */
  setCounts(counts: Map<string, number>): void {
    let any = false;
    for (const [id, count] of counts) {
      const person = this.people.get(id);
      if (!person || this.children.has(id) || person.reportCount === count) continue;
      this.people.set(id, { ...person, reportCount: count });
      any = true;
    }
    if (any) this.notify();
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
