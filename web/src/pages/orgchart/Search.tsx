// Search by name: matches as you type (debounced); choosing one opens them in the chart, expanding the cards
// above them.
import { type FormEvent, useEffect, useState } from "react";
import { useClient } from "urql";
import { describeError } from "../../errors";
import { Avatar } from "../../ui/status";
import { SEARCH, type SearchHit } from "./queries";

const DEBOUNCE_MS = 250;

export function Search({ onPick }: { onPick: (id: string) => void }) {
  const client = useClient();
  const [text, setText] = useState("");
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const search = text.trim();
    if (search === "") {
      setHits(null);
      setError(null);
      setBusy(false);
      return;
    }
    let current = true;
    const timer = setTimeout(async () => {
      setBusy(true);
      const result = await client
        .query<{ employees: { totalCount: number; edges: { node: SearchHit }[] } }>(SEARCH, { search: search.slice(0, 100) },
          { requestPolicy: "network-only" })
        .toPromise();
      if (!current) return;
      setBusy(false);
      if (result.error || !result.data) {
        setError(describeError(result.error) ?? "The search failed. Try again.");
        setHits(null);
        return;
      }
      setError(null);
      setHits(result.data.employees.edges.map((edge) => edge.node));
      setTotal(result.data.employees.totalCount);
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, client]);

  function pick(id: string): void {
    setText("");
    setHits(null);
    onPick(id);
  }

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (hits && hits.length > 0) pick(hits[0].id);
  }

  let status = "";
  if (busy) status = "Searching…";
  else if (hits && hits.length === 0) status = `Nobody's name contains “${text.trim()}”.`;
  else if (hits) status = total > hits.length ? `${total} people match; the first ${hits.length} are shown.` : `${hits.length} ${hits.length === 1 ? "person matches" : "people match"}.`;

  return (
    <form role="search" className="oc-search" onSubmit={submit} aria-label="Find a person in the chart">
      <label htmlFor="oc-search">Find a person</label>
      <div className="oc-search-row">
        <input id="oc-search" type="search" value={text} autoComplete="off" placeholder="Part of a name"
               aria-describedby="oc-search-status" maxLength={100} onChange={(event) => setText(event.target.value)}
               onKeyDown={(event) => { if (event.key === "Escape") setText(""); }} />
        <button type="submit" disabled={!hits || hits.length === 0}>Show</button>
      </div>
      <p id="oc-search-status" className="oc-meta" role="status" aria-live="polite">{status}</p>
      {error && <p className="error" role="alert">{error}</p>}
      {hits && hits.length > 0 && (
        <ul className="oc-hits" aria-label="People found">
          {hits.map((hit) => (
            <li key={hit.id}>
              <button type="button" className="person" onClick={() => pick(hit.id)}>
                <Avatar name={hit.name} id={hit.id} size="sm" />
                <span>
                  <span className="name">{hit.name}</span>
                  <span className="meta">{[hit.title, hit.department?.name].filter(Boolean).join(" · ") || "No position"}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
