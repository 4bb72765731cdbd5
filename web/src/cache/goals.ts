// The goals page's cache updates. A goalProgressChanged event carries the goal as the viewer sees it now, which
// graphcache merges by id into every view of it (cards, tree nodes, the goal's own page). The lists and alignment
// trees are read again after a goal was created, archived or aligned elsewhere (invalidated: the page shows what it
// has until they arrive). The team summary's counts and means, which have no id of their own, are refetched by the
// goals page itself (an invalidation here would hold back the event's own update until the refetch returned).
import type { Cache, UpdateResolver } from "@urql/exchange-graphcache";

const STRUCTURE = new Set(["CREATED", "ARCHIVED", "ALIGNED"]);

function invalidateField(cache: Cache, entity: string, fieldName: string): void {
  for (const field of cache.inspectFields(entity)) {
    if (field.fieldName === fieldName) cache.invalidate(entity, field.fieldName, field.arguments ?? undefined);
  }
}

const goalProgressChanged: UpdateResolver = (result, _args, cache) => {
  const event = result.goalProgressChanged as { kind?: string; goal?: { ownerEmployee?: { id?: string } | null } } | null;
  if (!event) return;
  if (event.kind && STRUCTURE.has(event.kind)) {
    invalidateField(cache, "Query", "myTeamGoals");
    invalidateField(cache, "Query", "goalTree");
    invalidateField(cache, "Query", "goals");
    const ownerId = event.goal?.ownerEmployee?.id;
    if (ownerId) cache.invalidate({ __typename: "Employee", id: ownerId }, "goals");
  }
};

export const updates: Record<string, Record<string, UpdateResolver>> = {
  Subscription: { goalProgressChanged },
};
