// The live org chart (issue 18, point 2): the organisation as a tree of cards, expanded and collapsed by
// mouse or keyboard, searched by name, with a side panel for the selected person. The top two levels are read
// at once and everyone else only when their manager's card is expanded, so it works with thousands of
// people. orgChartChanged at the top applies each change in place and highlights the cards it touched.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { type CombinedError, useClient } from "urql";
import { useConnectionState } from "../client";
import { describeError } from "../errors";
import { navigate } from "../router";
import { ErrorMessage, Loading } from "../ui/status";
import { OrgModel } from "./orgchart/model";
import { PersonPanel } from "./orgchart/Panel";
import {
  CATALOGUE, type Catalogue, CHAIN, CHANGED, COUNTS, ME_TOP, type ChartNodeData, type OrgChartEvent, REPORTS, TOP,
} from "./orgchart/queries";
import { Search } from "./orgchart/Search";
import { Tree, type TreeActions } from "./orgchart/Tree";
import "./orgchart/orgchart.css";

type TopState = { state: "loading" } | { state: "ready" } | { state: "empty" } | { state: "error"; error: CombinedError | string };

export function OrgChartPage({ employeeId }: { employeeId?: string }) {
  const client = useClient();
  const model = useMemo(() => new OrgModel(), []);
  useSyncExternalStore(model.subscribe, model.getRevision);
  const [top, setTop] = useState<TopState>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  const [focusRequest, setFocusRequest] = useState(0);
  const [panelRefresh, setPanelRefresh] = useState(0);
  const [announcement, setAnnouncement] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [liveError, setLiveError] = useState<string | null>(null);
  const connection = useConnectionState();

  // The top of the chart: the top of the viewer's own management chain (one cheap read), so that the live
  // subscription starts beside the chart's first read rather than after it; read again on "Try again" and when
  // the root leaves. Events that arrive before the chart are kept and applied once it is there.
  const [topId, setTopId] = useState<string | null>(null);
  const pending = useRef<OrgChartEvent[]>([]);
  useEffect(() => {
    let current = true;
    model.reset();
    setTop({ state: "loading" });
    void (async () => {
      const me = await client.query<{ me: { id: string; reportingChain: { id: string }[] } | null }>(
        ME_TOP, {}, { requestPolicy: "network-only" }).toPromise();
      if (!current) return;
      if (!me.data?.me) {
        setTop(me.error ? { state: "error", error: me.error } : { state: "empty" });
        return;
      }
      const chain = me.data.me.reportingChain;
      const id = chain.length > 0 ? chain[chain.length - 1].id : me.data.me.id;
      setTopId(id);
      const result = await client.query<{ orgChart: ChartNodeData | null }>(TOP, { rootId: id },
        { requestPolicy: "network-only" }).toPromise();
      if (!current) return;
      if (result.data?.orgChart) {
        model.loadTop(result.data.orgChart);
        setTop({ state: "ready" });
      } else if (result.error) setTop({ state: "error", error: result.error });
      else setTop({ state: "empty" });
    })();
    return () => {
      current = false;
    };
  }, [attempt, client, model]);

  /** Someone's direct reports, read again if a live change arrived meanwhile (the answer may predate it). */
  const loadReports = useCallback(async (id: string): Promise<boolean> => {
    model.loading.add(id);
    model.failed.delete(id);
    model.notify();
    for (let tries = 0; ; tries++) {
      const version = model.version;
      const result = await client
        .query<{ orgChart: ChartNodeData | null }>(REPORTS, { id }, { requestPolicy: "network-only" })
        .toPromise();
      if (result.data?.orgChart && model.version !== version && tries < 2) continue;
      model.loading.delete(id);
      if (result.data?.orgChart) {
        model.loadNode(result.data.orgChart);
        model.notify();
        return true;
      }
      const name = model.people.get(id)?.name ?? "This person";
      model.failed.set(id, result.error ? (describeError(result.error) ?? "") : `${name} is no longer in the chart.`);
      model.notify();
      return false;
    }
  }, [client, model]);

  const actions: TreeActions = useMemo(() => ({
    toggle(id: string) {
      if (model.isExpanded(id)) {
        model.expanded.delete(id);
        if (model.focusedId && model.pathTo(model.focusedId)?.includes(id)) model.focusedId = id;
        model.notify();
        return;
      }
      model.expanded.add(id);
      model.notify();
      if (!model.children.has(id) && !model.loading.has(id) && model.reportCount(id) !== 0) void loadReports(id);
    },
    select(id: string) {
      model.focusedId = id;
      navigate(`/org/${encodeURIComponent(id)}`);
    },
    retry(id: string) {
      void loadReports(id);
    },
  }), [model, loadReports]);

  /** Reads again how many people report to each of `ids` (100 at a time, the most `nodes` takes). */
  const recount = useCallback(async (ids: string[]): Promise<void> => {
    for (let at = 0; at < ids.length; at += 100) {
      const result = await client
        .query<{ nodes: ({ id: string; reports: { id: string }[] } | null)[] }>(COUNTS, { ids: ids.slice(at, at + 100) },
          { requestPolicy: "network-only" })
        .toPromise();
      const counts = new Map<string, number>();
      for (const node of result.data?.nodes ?? []) if (node?.reports) counts.set(node.id, node.reports.length);
      model.setCounts(counts);
    }
  }, [client, model]);

  /** Expands the cards above someone (reading the reports still missing) and moves to their card. */
  const reveal = useCallback(async (id: string): Promise<void> => {
    setNotice(null);
    let path = model.pathTo(id);
    if (!path) {
      const result = await client
        .query<{ reportingChain: { id: string }[] | null }>(CHAIN, { id }, { requestPolicy: "network-only" })
        .toPromise();
      const chain = result.data?.reportingChain?.map((manager) => manager.id).reverse();
      if (!chain) {
        setNotice(result.error ? describeError(result.error) : "This person could not be found in your organisation.");
        return;
      }
      if (id !== model.rootId && chain[0] !== model.rootId) {
        setNotice("This person is not in the chart: they may have left the organisation.");
        return;
      }
      await Promise.all(chain.filter((manager) => !model.children.has(manager)).map(loadReports));
      path = model.pathTo(id);
      if (!path) {
        setNotice("This person is not in the chart any more: they may have left or moved meanwhile.");
        return;
      }
    }
    for (const manager of path) model.expanded.add(manager);
    model.focusedId = id;
    model.notify();
    setFocusRequest((count) => count + 1);
  }, [client, model, loadReports]);

  useEffect(() => {
    if (employeeId && top.state === "ready") void reveal(employeeId);
  }, [employeeId, top.state, reveal]);

  // Department and position names are read again one read at a time: a rename pushed while a read is under way
  // is read again after it, so an older answer never lands after a newer one (two reads at once could answer in
  // either order, or be merged into the one already under way, read before the second rename).
  const catalogue = useRef({ reading: false, again: false });
  const readCatalogue = useCallback(async (): Promise<void> => {
    const state = catalogue.current;
    if (state.reading) {
      state.again = true;
      return;
    }
    state.reading = true;
    try {
      do {
        state.again = false;
        const answer = await client.query<Catalogue>(CATALOGUE, {}, { requestPolicy: "network-only" }).toPromise();
        if (answer.data) {
          const applied = model.applyCatalogue(
            new Map(answer.data.departments.map((department) => [department.id, department.name])),
            new Map(answer.data.positions.map((position) => [position.id, position.title])),
          );
          if (applied.message) setAnnouncement(applied.message);
        }
        setPanelRefresh((count) => count + 1);
      } while (state.again);
    } finally {
      state.reading = false;
    }
  }, [client, model]);

  /** One orgChartChanged event, applied to the chart. */
  const handle = useCallback(async (event: OrgChartEvent): Promise<void> => {
    if (event.kind === "DEPARTMENT_SAVED" || event.kind === "POSITION_SAVED") {
      await readCatalogue();
      return;
    }
    const applied = model.apply(event);
    if (applied.message) setAnnouncement(applied.message);
    if (applied.recount.length > 0) void recount(applied.recount);
    if (model.rootId && !model.people.has(model.rootId)) setAttempt((count) => count + 1);
    setPanelRefresh((count) => count + 1);
  }, [model, recount, readCatalogue]);

  // live: every committed change at or below the top, applied in place (kept until the chart is read)
  useEffect(() => {
    if (!topId) return;
    const { unsubscribe } = client
      .subscription<{ orgChartChanged: OrgChartEvent }>(CHANGED, { rootId: topId })
      .subscribe((result) => {
        if (result.error) {
          setLiveError(describeError(result.error));
          return;
        }
        const event = result.data?.orgChartChanged;
        if (!event) return;
        setLiveError(null);
        if (model.rootId === null) pending.current.push(event);
        else void handle(event);
      });
    return unsubscribe;
  }, [topId, client, model, handle]);

  useEffect(() => {
    if (top.state !== "ready") return;
    const waiting = pending.current.splice(0);
    for (const event of waiting) void handle(event);
  }, [top.state, handle]);

  // after the live connection was lost, what is on screen is read again (changes meanwhile were not sent)
  const wasDown = useRef(false);
  useEffect(() => {
    if (connection === "reconnecting") wasDown.current = true;
    else if (connection === "live" && wasDown.current && top.state === "ready") {
      wasDown.current = false;
      const expanded = [...model.expanded].filter((id) => model.children.has(id));
      void Promise.all(expanded.map(loadReports)).then(() => setPanelRefresh((count) => count + 1));
    }
  }, [connection, top.state, model, loadReports]);

  let chart;
  if (top.state === "loading") chart = <Loading label="Loading the org chart…" />;
  else if (top.state === "error") chart = <ErrorMessage error={top.error} retry={() => setAttempt((count) => count + 1)} />;
  else if (top.state === "empty") chart = <p>Nobody is in the organisation's chart yet.</p>;
  else chart = <Tree model={model} selectedId={employeeId ?? null} actions={actions} focusRequest={focusRequest} />;

  return (
    <section className="oc">
      <h1>Org chart</h1>
      <Search onPick={(id) => navigate(`/org/${encodeURIComponent(id)}`)} />
      {notice && <ErrorMessage error={notice} />}
      {liveError && <ErrorMessage error={`Live updates stopped: ${liveError}`} />}
      <p id="oc-keys" className="oc-meta oc-keys">
        Select a card to see the person. With the keyboard: the arrow keys move between people, Right and Left
        expand and collapse, Enter opens the person.
      </p>
      <div className={`oc-layout${employeeId ? " oc-with-panel" : ""}`}>
        <div className="oc-chart">{chart}</div>
        {employeeId && <PersonPanel id={employeeId} refresh={panelRefresh} />}
      </div>
      <p className="oc-sr-only" role="status" aria-live="polite" data-testid="oc-announcement">{announcement}</p>
    </section>
  );
}
