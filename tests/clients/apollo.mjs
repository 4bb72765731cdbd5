// Apollo Client 4 with its InMemoryCache in Node, against a running Perfgraph, as a web app would use it.
//
//   node tests/clients/apollo.mjs SCENARIO URL TOKEN [ARG]
//
// Prints one JSON object: what the client's cache answered and the requests it sent, so that the
// Python test (tests/core/test_real_clients.py) asserts on them. Scenarios:
//   templates  every review and check-in template read through the normalised cache, and as sent
//   apq        the persisted-query protocol as Apollo's link speaks it (GET with the hash first)
//   mutation   a watched query updated by a mutation's payload (ARG: the employee id, then the new name)
import { createHash } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [scenario, url, token, ...args] = process.argv.slice(2);
const sent = [];

// fetch, recording each request as the server saw it
async function recordingFetch(input, init = {}) {
  const target = new URL(typeof input === "string" ? input : input.url);
  const entry = { method: init.method ?? "GET", hash: null, query: false };
  if (entry.method === "GET") {
    const extensions = target.searchParams.get("extensions");
    entry.hash = extensions ? JSON.parse(extensions).persistedQuery?.sha256Hash ?? null : null;
    entry.query = target.searchParams.has("query");
  } else {
    const body = JSON.parse(init.body);
    entry.hash = body.extensions?.persistedQuery?.sha256Hash ?? null;
    entry.query = typeof body.query === "string";
  }
  const response = await fetch(input, init);
  entry.status = response.status;
  const copy = response.clone();
  try {
    const answer = await copy.json();
    entry.codes = (answer.errors ?? []).map((e) => e.extensions?.code ?? null);
  } catch {
    entry.codes = ["<not json>"];
  }
  sent.push(entry);
  return response;
}

function client({ persisted = false } = {}) {
  const http = new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: recordingFetch });
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  const link = persisted ? ApolloLink.from([new PersistedQueryLink({ sha256, useGETForHashedQueries: true }), http]) : http;
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

async function raw(query, variables = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()).data;
}

const TEMPLATES = `query Templates {
  reviewTemplates(includeOldVersions: true) { id name sections { id key title questions { id key text } } }
  checkInTemplates { id name questions { id text } }
}`;

async function templates() {
  const apollo = client();
  // read each template on its own first, so the cache holds every one before the list is read back
  const listed = await raw(TEMPLATES);
  for (const template of listed.reviewTemplates) {
    await apollo.query({
      query: gql`query One($id: ID!) { reviewTemplate(id: $id) { id name sections { id key title questions { id key text } } } }`,
      variables: { id: template.id },
    });
  }
  const cached = await apollo.query({ query: gql(TEMPLATES) });
  return { cached: strip(cached.data), sent: listed };
}

async function apq() {
  const query = gql`query PersistedMe { me { id name } }`;
  const first = await client({ persisted: true }).query({ query });
  const second = await client({ persisted: true }).query({ query }); // a new client: a new cache, the same hash
  return { first: strip(first.data), second: strip(second.data), requests: sent };
}

async function mutation() {
  const [employeeId, name] = args;
  const apollo = client();
  const watched = gql`query Person($id: ID!) { employee(id: $id) { id name } }`;
  const seen = [];
  const subscription = apollo.watchQuery({ query: watched, variables: { id: employeeId } }).subscribe({
    next: (result) => { if (result.data) seen.push(result.data.employee.name); },
  });
  await waitFor(() => seen.length === 1);
  const payload = await apollo.mutate({
    mutation: gql`mutation Rename($id: ID!, $name: String!) {
      updateEmployee(id: $id, input: { name: $name }) { employee { id name } errors { field code message } }
    }`,
    variables: { id: employeeId, name },
  });
  await waitFor(() => seen.length === 2);
  subscription.unsubscribe();
  const fragment = apollo.cache.readFragment({ id: `Employee:${employeeId}`, fragment: gql`fragment N on Employee { name }` });
  return { seen, errors: payload.data.updateEmployee.errors, cachedName: fragment?.name ?? null };
}

async function waitFor(condition) {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((done) => setTimeout(done, 10));
  if (!condition()) throw new Error("timed out waiting for the watched query");
}

// the data without Apollo's __typename fields, to compare with what the server sent
function strip(value) {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "__typename").map(([k, v]) => [k, strip(v)]));
  }
  return value;
}

const scenarios = { templates, apq, mutation };
try {
  console.log(JSON.stringify(await scenarios[scenario]()));
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error) }));
  process.exitCode = 1;
}
