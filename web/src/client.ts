// One GraphQL client per session: urql with graphcache (a normalised cache: every object with an id is one
// entry, so a subscription's result updates every view showing that object) over HTTP, and graphql-ws
// (graphql-transport-ws) on the same origin's /graphql for subscriptions.
import { type Cache, cacheExchange, type UpdateResolver } from "@urql/exchange-graphcache";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { useSyncExternalStore } from "react";
import { Client, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { saveSession, type Session } from "./session";

export type ConnectionState = "connecting" | "live" | "reconnecting";

let connection: ConnectionState = "connecting";
const listeners = new Set<() => void>();
function setConnection(state: ConnectionState): void {
  connection = state;
  listeners.forEach((listener) => listener());
}

/** Whether the live connection is up (the header shows it: live updates pause while it reconnects). */
export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(
    (onChange) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    () => connection,
  );
}

type Updates = Record<string, Record<string, UpdateResolver>>;

// Each page keeps the cache updates it needs in a module of src/cache/ exporting `updates`
// (for instance what a new hire in orgChartChanged adds to a list); they are merged here.
const modules = import.meta.glob<{ updates: Updates }>("./cache/*.ts", { eager: true });
export const updates: Updates = {};
for (const module of Object.values(modules)) {
  for (const [typename, fields] of Object.entries(module.updates)) {
    updates[typename] = { ...(updates[typename] ?? {}), ...fields };
  }
}

/** Objects without an id of their own are kept inside their parent (graphcache's embedded data). */
function keyOf(data: { id?: unknown }): string | null {
  return typeof data.id === "string" ? data.id : null;
}

export function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/graphql`;
}

export interface Api {
  client: Client;
  ws: WsClient;
  dispose: () => void;
}

export function createApi(session: Session): Api {
  const ws = createWsClient({
    url: wsUrl(),
    connectionParams: { authorization: `Bearer ${session.token}` },
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 15000)));
    },
    on: {
      connecting: () => setConnection(connection === "live" ? "reconnecting" : "connecting"),
      connected: () => setConnection("live"),
      closed: (event) => {
        setConnection("reconnecting");
        // 4403 "Forbidden: token expired" (or revoked, unknown): back to sign-in; "too many connections"
        // is not about the token, and graphql-ws tries again later.
        const closed = event as CloseEvent | undefined;
        if (closed?.code === 4403 && !/too many connections/i.test(closed.reason)) saveSession(null);
      },
    },
  });
  const client = new Client({
    url: "/graphql",
    requestPolicy: "cache-and-network",
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${session.token}` } }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED") || error.response?.status === 401) {
            saveSession(null);
          }
        },
      }),
      cacheExchange({ keys: new Proxy({}, { get: () => keyOf }), updates }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, ws, dispose: () => void ws.dispose() };
}

export type { Cache };
