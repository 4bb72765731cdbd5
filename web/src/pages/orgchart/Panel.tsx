// The side panel of the selected person: their position and what it is for, the managers above them and
// their reports. Read again after every live change of the chart, highlighted when what it shows changed.
import { useEffect } from "react";
import { useQuery } from "urql";
import { Link, navigate } from "../../router";
import { Avatar, ErrorMessage, Highlight, Loading } from "../../ui/status";
import { type PanelPerson, PERSON_PANEL } from "./queries";

const STATUS_WORDS: Record<PanelPerson["status"], string> = {
  ACTIVE: "Working",
  ON_LEAVE: "On leave",
  TERMINATED: "Has left the organisation",
};

export function PersonPanel({ id, refresh }: { id: string; refresh: number }) {
  const [{ data, fetching, error }, again] = useQuery<{ employee: PanelPerson | null }>({
    query: PERSON_PANEL,
    variables: { id },
  });
  useEffect(() => {
    if (refresh > 0) again({ requestPolicy: "network-only" });
  }, [refresh]); // eslint-disable-line react-hooks/exhaustive-deps

  const person = data?.employee ?? null;
  let body;
  if (fetching && !data) body = <Loading label="Loading this person…" />;
  else if (error && !data) body = <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />;
  else if (!person) body = <ErrorMessage error="This person could not be found in your organisation." />;
  else {
    // highlighted when what it shows changes live (not when it first arrives)
    body = (
      <Highlight key={person.id} version={JSON.stringify(person)}>
        <Details person={person} />
      </Highlight>
    );
  }

  return (
    <aside className="oc-panel card" aria-labelledby="oc-panel-title">
      <div className="oc-panel-head">
        <h2 id="oc-panel-title">{person ? person.name : "Person"}</h2>
        <button type="button" className="secondary" onClick={() => navigate("/org")}>
          Close<span className="oc-sr-only"> the details of {person?.name ?? "this person"}</span>
        </button>
      </div>
      {body}
    </aside>
  );
}

function Details({ person }: { person: PanelPerson }) {
  const chain = person.reportingChain;
  return (
    <>
      <p className="oc-panel-who">
        <Avatar name={person.name} id={person.id} size="lg" />
        <span>
          <strong>{person.position?.title ?? person.title ?? "No position"}</strong>
          <span className="oc-meta">{person.department?.name ?? "No department"}</span>
          <span className="oc-meta">{STATUS_WORDS[person.status]}</span>
        </span>
      </p>

      <h3>Position</h3>
      {person.position ? (
        <>
          <p className="oc-meta">Level {person.position.level}</p>
          <p>{person.position.description || "No description has been written for this position yet."}</p>
          {person.position.responsibilities.length > 0 && (
            <>
              <h4>Responsibilities</h4>
              <ul>
                {person.position.responsibilities.map((item, index) => <li key={index}>{item}</li>)}
              </ul>
            </>
          )}
        </>
      ) : (
        <p>{person.name} holds no position in the catalogue.</p>
      )}

      <h3>Manager chain</h3>
      {chain.length === 0 ? (
        <p>{person.name} is at the top of the organisation.</p>
      ) : (
        <ol className="oc-chain" aria-label={`Managers above ${person.name}, nearest first`}>
          {chain.map((manager) => (
            <li key={manager.id}>
              <Link to={`/org/${manager.id}`}>{manager.name}</Link>
              {manager.title && <span className="oc-meta"> {manager.title}</span>}
            </li>
          ))}
        </ol>
      )}

      <h3>Reports ({person.reports.length})</h3>
      {person.reports.length === 0 ? (
        <p>Nobody reports to {person.name}.</p>
      ) : (
        <ul className="oc-reports">
          {person.reports.map((report) => (
            <li key={report.id}>
              <Link to={`/org/${report.id}`}>{report.name}</Link>
              {report.title && <span className="oc-meta"> {report.title}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
