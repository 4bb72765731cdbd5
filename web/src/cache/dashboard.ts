// The HR dashboard's cache updates. A cycleProgressChanged event carries the cycle's whole progress as the viewer
// may see it now; progress has no id of its own (it lives in Query.cycleProgress), so the event is written there,
// and the dashboard's query, which reads that field, shows it at once.
import type { UpdateResolver } from "@urql/exchange-graphcache";
import { gql } from "urql";
import { CYCLE_PROGRESS, type CycleProgress } from "../pages/dashboard/queries";

const PROGRESS_QUERY = gql(CYCLE_PROGRESS);

const cycleProgressChanged: UpdateResolver = (result, args, cache) => {
  const progress = result.cycleProgressChanged as CycleProgress | null | undefined;
  if (!progress || typeof args.cycleId !== "string") return;
  cache.updateQuery({ query: PROGRESS_QUERY, variables: { cycleId: args.cycleId } }, () => ({ cycleProgress: progress }));
};

export const updates: Record<string, Record<string, UpdateResolver>> = {
  Subscription: { cycleProgressChanged },
};
