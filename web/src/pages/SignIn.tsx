// Sign-in: a link's one-time code is exchanged at once; without one, development offers the demo's personas
// and a search over everyone (GET /dev/personas); in production the identity provider's token (#token=…).
import { type FormEvent, useEffect, useRef, useState } from "react";
import { navigate, useSearchParams } from "../router";
import { exchangeCode, findPersonas, type Persona, saveSession, sessionFromToken, signInAs, SignInError } from "../session";
import { Avatar, ErrorMessage, Loading } from "../ui/status";

const PERSONA_WORDS: Record<string, string> = {
  employee: "An employee",
  manager: "A manager",
  hr_admin: "An HR admin",
};

export function SignInPage() {
  const params = useSearchParams();
  const code = params.get("code");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const exchanged = useRef<string | null>(null);

  useEffect(() => {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const token = fragment.get("token");
    if (token) {
      const session = sessionFromToken(token);
      if (session) {
        saveSession(session);
        navigate("/", { replace: true });
      } else setError("The sign-in token from your organisation could not be read. Sign in again.");
      return;
    }
    if (!code || exchanged.current === code) return;
    exchanged.current = code; // once: the code is single use (StrictMode runs effects twice in development)
    setBusy(true);
    exchangeCode(code)
      .then(() => navigate("/", { replace: true }))
      .catch((reason: unknown) => {
        setError(reason instanceof SignInError ? reason.message : "Sign-in failed. Try again.");
        window.history.replaceState(null, "", "/app/sign-in");
      })
      .finally(() => setBusy(false));
  }, [code]);

  async function choose(employeeId: string) {
    setBusy(true);
    setError(null);
    try {
      await signInAs(employeeId);
      navigate("/", { replace: true });
    } catch (reason) {
      setError(reason instanceof SignInError ? reason.message : "Sign-in failed. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Perfgraph</h1>
      {busy && <Loading label="Signing in…" />}
      <ErrorMessage error={error} />
      {!code && <PersonaPicker onChoose={choose} disabled={busy} />}
    </main>
  );
}

function PersonaPicker({ onChoose, disabled }: { onChoose: (employeeId: string) => void; disabled: boolean }) {
  const [search, setSearch] = useState("");
  const [personas, setPersonas] = useState<Persona[] | null>(null);
  const [people, setPeople] = useState<Persona[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [production, setProduction] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => {
      findPersonas(search.trim().length >= 2 ? search.trim() : "")
        .then((found) => {
          setPersonas(found.personas);
          setPeople(found.people);
          setError(null);
        })
        .catch((reason: unknown) => {
          if (reason instanceof SignInError && reason.code === "NOT_DEVELOPMENT") setProduction(true);
          else setError(reason instanceof Error ? reason.message : String(reason));
        });
    }, 200);
    return () => clearTimeout(timer);
  }, [search]);

  if (production) {
    return <p>Sign in through your organisation's sign-in page; it brings you back here signed in.</p>;
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    if (people.length === 1) onChoose(people[0].employeeId);
  }
  return (
    <section aria-labelledby="personas-title">
      <h2 id="personas-title">Development sign-in: choose who you are</h2>
      <ErrorMessage error={error} />
      {personas === null && !error && <Loading label="Loading the demo's people…" />}
      <ul className="personas">
        {(personas ?? []).map((persona) => (
          <li key={persona.employeeId}>
            <PersonButton person={persona} label={PERSONA_WORDS[persona.persona ?? ""] ?? persona.persona} onChoose={onChoose} disabled={disabled} />
          </li>
        ))}
      </ul>
      <form onSubmit={submit} role="search">
        <label htmlFor="person-search">Anyone else: search by name</label>
        <input id="person-search" type="search" value={search} autoComplete="off" onChange={(event) => setSearch(event.target.value)} />
      </form>
      {search.trim().length >= 2 && (
        <ul className="personas" aria-label="People found">
          {people.length === 0 && <li>No one of that name.</li>}
          {people.map((person) => (
            <li key={person.employeeId}>
              <PersonButton person={person} onChoose={onChoose} disabled={disabled} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function PersonButton({ person, label, onChoose, disabled }: {
  person: Persona;
  label?: string;
  onChoose: (employeeId: string) => void;
  disabled: boolean;
}) {
  return (
    <button type="button" className="person" disabled={disabled} onClick={() => onChoose(person.employeeId)}>
      <Avatar name={person.name} id={person.employeeId} />
      <span>
        {label && <strong className="persona">{label}: </strong>}
        <span className="name">{person.name}</span>
        <span className="meta">
          {[person.title, person.department].filter(Boolean).join(", ")}
          {person.roles.length > 0 && ` · ${person.roles.map((role) => role === "HR_ADMIN" ? "HR admin" : role.toLowerCase().replace(/_/g, " ")).join(", ")}`}
        </span>
      </span>
    </button>
  );
}
