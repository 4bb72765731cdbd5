// The start page: who you are, where you sit, and the way to each part of the app.
import { useQuery } from "urql";
import { Link } from "../router";
import { Avatar, ErrorMessage, Loading } from "../ui/status";

const HOME = `query Home {
  me { id name title position { id title } department { id name } manager { id name } reports { id name } }
}`;

interface Person { id: string; name: string }
interface HomeData {
  me: (Person & { title: string | null; position: { id: string; title: string } | null;
    department: { id: string; name: string } | null; manager: Person | null; reports: Person[] }) | null;
}

export function HomePage() {
  const [{ data, fetching, error }, again] = useQuery<HomeData>({ query: HOME });
  if (fetching && !data) return <Loading />;
  if (error && !data) return <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />;
  const me = data?.me;
  if (!me) return <ErrorMessage error="Your employee record could not be found." />;
  return (
    <section className="home">
      <h1>
        <Avatar name={me.name} id={me.id} size="lg" /> Welcome, {me.name}
      </h1>
      <p>
        {me.position?.title ?? me.title ?? "No position"}
        {me.department && `, ${me.department.name}`}
        {me.manager && <> · reports to <Link to={`/org/${me.manager.id}`}>{me.manager.name}</Link></>}
        {me.reports.length > 0 && ` · ${me.reports.length} direct report${me.reports.length === 1 ? "" : "s"}`}
      </p>
      <ul className="cards">
        <li><Link to="/org">The org chart, live</Link></li>
        <li><Link to="/reviews">My review forms</Link></li>
        <li><Link to="/goals">My goals and my team's</Link></li>
      </ul>
    </section>
  );
}
