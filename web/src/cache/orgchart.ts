// The org chart's live events in the shared cache: a move, a hire or a departure changes report lists and
// manager chains that graphcache would otherwise keep as they were. The org chart page keeps its own tree
// (pages/orgchart/model.ts); this keeps every other view's cached lists honest.
import type { Cache, DataFields, UpdateResolver } from "@urql/exchange-graphcache";

/** Who listed whom among their reports, as the cache last wrote it: employee key → managers' keys. */
const listedBy = new Map<string, Set<string>>();

interface Ref {
  id?: string | null;
  manager?: Ref | null;
}

function key(cache: Cache, id: string): string | null {
  return cache.keyOfEntity({ __typename: "Employee", id });
}

const reports: UpdateResolver = (result, _args, cache, info) => {
  const list = (result as DataFields).reports;
  if (!Array.isArray(list)) return;
  for (const item of list as (Ref | null)[]) {
    const child = item?.id ? key(cache, item.id) : null;
    if (!child) continue;
    const parents = listedBy.get(child) ?? new Set<string>();
    parents.add(info.parentKey);
    listedBy.set(child, parents);
  }
};

const orgChartChanged: UpdateResolver = (result, _args, cache) => {
  const event = (result as DataFields).orgChartChanged as { employeeIds?: string[]; employees?: Ref[] } | null;
  if (!event) return;
  const managerOf = new Map<string, string | null>();
  // report lists this event wrote are as they are now (and invalidating them would leave its own result partial)
  const written = new Set<string>();
  for (const employee of event.employees ?? []) {
    if (!employee.id) continue;
    managerOf.set(employee.id, employee.manager?.id ?? null);
    for (const id of [employee.id, employee.manager?.id]) {
      const entity = id ? key(cache, id) : null;
      if (entity) written.add(entity);
    }
  }
  for (const id of event.employeeIds ?? []) {
    const employee = key(cache, id);
    if (!employee) continue;
    const manager = managerOf.get(id);
    const current = manager ? key(cache, manager) : null;
    // a former manager's list still names them: read it again when next shown
    for (const parent of listedBy.get(employee) ?? []) {
      if (parent !== current && !written.has(parent)) cache.invalidate(parent, "reports");
    }
    listedBy.set(employee, new Set(current ? [current] : []));
    cache.invalidate(employee, "reportingChain");
  }
  // charts and manager chains cached whole (anyone below a move has a new chain)
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === "orgChart" || field.fieldName === "reportingChain") {
      cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
    }
  }
};

export const updates: Record<string, Record<string, UpdateResolver>> = {
  Employee: { reports },
  Subscription: { orgChartChanged },
};
