// The shell: who is signed in, the navigation, and the page for the current address.
import { type ReactNode, useEffect, useMemo } from "react";
import { Provider, useQuery } from "urql";
import { createApi } from "./client";
import { DashboardPage } from "./pages/Dashboard";
import { GoalsPage } from "./pages/Goals";
import { HomePage } from "./pages/Home";
import { OrgChartPage } from "./pages/OrgChart";
import { ReviewsPage } from "./pages/Reviews";
import { SignInPage } from "./pages/SignIn";
import { Link, match, usePath } from "./router";
import { saveSession, type Session, useSession } from "./session";
import { Avatar, LiveIndicator } from "./ui/status";

export function App() {
  const session = useSession();
  const path = usePath();
  if (path === "/sign-in" || !session) return <SignInPage />;
  return <SignedIn session={session} path={path} />;
}

const ME = `query Me { me { id name title roles } }`;

interface Me {
  id: string;
  name: string;
  title: string | null;
  roles: string[] | null;
}

function SignedIn({ session, path }: { session: Session; path: string }) {
  const api = useMemo(() => createApi(session), [session.token]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => api.dispose(), [api]);
  return (
    <Provider value={api.client}>
      <Shell path={path} />
    </Provider>
  );
}

function Shell({ path }: { path: string }) {
  const [{ data }] = useQuery<{ me: Me | null }>({ query: ME });
  const me = data?.me ?? null;
  const hr = me?.roles?.includes("HR_ADMIN") ?? false;
  useEffect(() => {
    document.title = `${title(path)} · Perfgraph`;
  }, [path]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Perfgraph
        </Link>
        <nav aria-label="Main">
          <ul>
            <li><Link to="/org">Org chart</Link></li>
            <li><Link to="/reviews">My reviews</Link></li>
            <li><Link to="/goals">Goals</Link></li>
            {hr && <li><Link to="/hr">HR dashboard</Link></li>}
          </ul>
        </nav>
        <LiveIndicator />
        {me && (
          <span className="who">
            <Avatar name={me.name} id={me.id} size="sm" />
            <span className="who-name">{me.name}</span>
            <button type="button" className="link" onClick={() => saveSession(null)}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} me={me} />
      </main>
    </div>
  );
}

function title(path: string): string {
  if (path.startsWith("/org")) return "Org chart";
  if (path.startsWith("/reviews")) return "My reviews";
  if (path.startsWith("/goals")) return "Goals";
  if (path.startsWith("/hr")) return "HR dashboard";
  return "Home";
}

function Page({ path, me }: { path: string; me: Me | null }): ReactNode {
  let params: Record<string, string> | null;
  if (path === "/") return <HomePage />;
  if (path === "/org") return <OrgChartPage />;
  if ((params = match("/org/:employeeId", path))) return <OrgChartPage employeeId={params.employeeId} />;
  if (path === "/reviews") return <ReviewsPage />;
  if ((params = match("/reviews/:formId", path))) return <ReviewsPage formId={params.formId} />;
  if (path === "/goals") return <GoalsPage />;
  if ((params = match("/goals/:goalId", path))) return <GoalsPage goalId={params.goalId} />;
  if (path === "/hr") return <DashboardPage me={me} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </section>
  );
}
