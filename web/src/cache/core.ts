// Updates every page shares (none yet beyond graphcache's own merging of objects by id).
import type { UpdateResolver } from "@urql/exchange-graphcache";

export const updates: Record<string, Record<string, UpdateResolver>> = {};
