// The goals page's cache updates. A goalProgressChanged event carries the goal as the viewer sees it now, which
// graphcache merges by id into every view of it (cards, tree nodes, the goal's own page). What the event cannot
// merge is refetched: the team summary (its counts and means have no id of their own) after any event, and the
// lists and alignment trees after a goal was created, archived or aligned elsewhere.
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
  invalidateField(cache, "Query", "myTeamGoals");
  if (event.kind && STRUCTURE.has(event.kind)) {
    invalidateField(cache, "Query", "goalTree");
    invalidateField(cache, "Query", "goals");
    const ownerId = event.goal?.ownerEmployee?.id;
    if (ownerId) cache.invalidate({ __typename: "Employee", id: ownerId }, "goals");
  }
};

export const updates: Record<string, Record<string, UpdateResolver>> = {
  Subscription: { goalProgressChanged },
};
