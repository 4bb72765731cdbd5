// The goals page's cache updates. A goalProgressChanged event carries the goal as the viewer sees it now, which
// graphcache merges by id into every view of it (cards, tree nodes, the goal's own page). The lists and alignment
// trees are read again after a goal was created, archived or aligned elsewhere (invalidated: the page shows what it
// has until they arrive). The team summary's counts and means, which have no id of their own, are refetched by the
// goals page itself (an invalidation here would hold back the event's own update until the refetch returned).
//
// A query answered before a change but arriving after its event would put the older progress back (the alignment
// tree, fetched once the overview has answered, is such a query). So the latest event's values are kept for a
// short while and written again over any goal a query answer brings: an event is never older than an answer that
// arrives after it, and a newer change sends an event of its own.
import type { Cache, UpdateResolver } from "@urql/exchange-graphcache";
import { gql } from "urql";

const STRUCTURE = new Set(["CREATED", "ARCHIVED", "ALIGNED"]);
const KEEP_MS = 30_000;
const latest = new Map<string, { goal: LiveGoal; at: number }>();

const GOAL_PROGRESS = gql`
  fragment LiveGoalProgress on Goal { id progress keyResultProgress status }
`;
const KEY_RESULT_PROGRESS = gql`
  fragment LiveKeyResultProgress on KeyResult { id currentValue progress }
`;

interface LiveGoal {
  id: string;
  progress: number;
  keyResultProgress: number;
  status: string;
  keyResults: { id: string; currentValue: number; progress: number }[];
}

function keep(goal: LiveGoal | null | undefined): void {
  if (goal && typeof goal.progress === "number" && typeof goal.keyResultProgress === "number" && goal.status) {
    latest.set(goal.id, { goal, at: Date.now() });
  }
}


function invalidateField(cache: Cache, entity: string, fieldName: string): void {
  for (const field of cache.inspectFields(entity)) {
    if (field.fieldName === fieldName) cache.invalidate(entity, field.fieldName, field.arguments ?? undefined);
  }
}

/** A recorded value's answer is as new as its event (and may come first). */
const updateKeyResultProgress: UpdateResolver = (result) => {
  keep((result.updateKeyResultProgress as { goal?: LiveGoal | null } | null)?.goal);
};

const goalProgressChanged: UpdateResolver = (result, _args, cache) => {
  const event = result.goalProgressChanged as { kind?: string; goal?: LiveGoal & { ownerEmployee?: { id?: string } | null } } | null;
  if (!event?.goal) return;
  keep(event.goal);
  if (event.kind && STRUCTURE.has(event.kind)) {
    invalidateField(cache, "Query", "myTeamGoals");
    invalidateField(cache, "Query", "goalTree");
    invalidateField(cache, "Query", "goals");
    const ownerId = event.goal.ownerEmployee?.id;
    if (ownerId) cache.invalidate({ __typename: "Employee", id: ownerId }, "goals");
  }
};

/** The kept event values written again over what a query answer just wrote (goals seen in the last 30 s). */
const reapply: UpdateResolver = (_result, _args, cache) => {
  const now = Date.now();
  for (const [id, { goal, at }] of latest) {
    if (now - at > KEEP_MS) {
      latest.delete(id);
      continue;
    }
    const known = cache.resolve({ __typename: "Goal", id }, "progress");
    if (known === undefined || known === null) continue;
    cache.writeFragment(GOAL_PROGRESS, {
      __typename: "Goal", id, progress: goal.progress, keyResultProgress: goal.keyResultProgress, status: goal.status,
    });
    for (const kr of goal.keyResults ?? []) {
      if (cache.resolve({ __typename: "KeyResult", id: kr.id }, "currentValue") === undefined) continue;
      cache.writeFragment(KEY_RESULT_PROGRESS, { __typename: "KeyResult", id: kr.id, currentValue: kr.currentValue, progress: kr.progress });
    }
  }
};

export const updates: Record<string, Record<string, UpdateResolver>> = {
  Subscription: { goalProgressChanged },
  Mutation: { updateKeyResultProgress },
  Query: { goalTree: reapply, goal: reapply, me: reapply, myTeamGoals: reapply, goals: reapply },
};
