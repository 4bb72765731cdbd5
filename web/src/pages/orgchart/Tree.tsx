// The chart as an ARIA tree: one card per person, the reports of expanded cards below them. The keyboard
// follows the WAI-ARIA tree pattern (one card in the tab order; arrows move, Right/Left expand and collapse,
// Home/End, Enter or Space opens the person); the mouse uses the expand control and the card itself.
import { type CSSProperties, type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Avatar } from "../../ui/status";
import { HIGHLIGHT_MS, type OrgModel, type Person } from "./model";

export interface TreeActions {
  toggle: (id: string) => void;
  select: (id: string) => void;
  retry: (id: string) => void;
}

/** Whether a card's last change is recent enough to show, re-rendering when it stops being so. */
function useLit(changedAt: number): boolean {
  const [, setTick] = useState(0);
  const left = changedAt + HIGHLIGHT_MS - Date.now();
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setTick((tick) => tick + 1), left + 20);
    return () => clearTimeout(timer);
  }, [changedAt, left > 0]); // eslint-disable-line react-hooks/exhaustive-deps
  return left > 0;
}

function Card({ person, count, expanded, hasReports }: {
  person: Person;
  count: number | null;
  expanded: boolean;
  hasReports: boolean;
}) {
  const lit = useLit(person.changedAt);
  const meta = [person.title ?? "No position", person.department?.name ?? "No department"].join(" · ");
  return (
    <div className={`oc-card${lit ? " changed" : ""}`} data-changed={lit ? "true" : undefined}>
      <span className="oc-toggle" aria-hidden="true" data-toggle="true">
        {hasReports ? (expanded ? "▾" : "▸") : ""}
      </span>
      <Avatar name={person.name} id={person.id} />
      <span className="oc-text">
        <span className="oc-name">{person.name}</span>{" "}
        <span className="oc-meta">
          {meta}
          {person.status === "ON_LEAVE" && <span className="oc-badge"> · On leave</span>}
        </span>
      </span>{" "}
      {count !== null && count > 0 && (
        <span className="oc-count">
          {count} {count === 1 ? "report" : "reports"}
        </span>
      )}
    </div>
  );
}

interface Row {
  id: string;
  level: number;
  position: number;
  size: number;
}

/** The cards on screen in order, each with its place in the tree (a flat tree: aria-level says the nesting). */
function rows(model: OrgModel): Row[] {
  const out: Row[] = [];
  const walk = (id: string, level: number, position: number, size: number): void => {
    out.push({ id, level, position, size });
    if (!model.isExpanded(id)) return;
    const reports = model.children.get(id) ?? [];
    reports.forEach((child, index) => walk(child, level + 1, index + 1, reports.length));
  };
  if (model.rootId && model.people.has(model.rootId)) walk(model.rootId, 1, 1, 1);
  return out;
}

function Item({ model, row, selectedId, actions }: {
  model: OrgModel;
  row: Row;
  selectedId: string | null;
  actions: TreeActions;
}) {
  const { id, level } = row;
  const person = model.people.get(id);
  if (!person) return null;
  const hasReports = model.hasReports(id);
  const expanded = model.isExpanded(id);
  const loading = model.loading.has(id);
  const failed = model.failed.get(id);
  return (
    <li
      role="treeitem"
      className={`oc-item${level > 1 ? " oc-child" : ""}`}
      data-id={id}
      data-manager={person.managerId ?? undefined}
      style={{ "--oc-level": level - 1 } as CSSProperties}
      aria-level={level}
      aria-posinset={row.position}
      aria-setsize={row.size}
      aria-expanded={hasReports ? expanded : undefined}
      aria-selected={selectedId === id}
      aria-busy={loading || undefined}
      tabIndex={model.focusedId === id ? 0 : -1}
      onClick={(event) => {
        const target = event.target as HTMLElement;
        if (target.closest("button")) return;
        if (target.closest("[data-toggle]")) actions.toggle(id);
        else actions.select(id);
      }}
    >
      <Card person={person} count={model.reportCount(id)} expanded={expanded} hasReports={hasReports} />
      {loading && <p className="oc-note">Loading {person.name}'s reports…</p>}
      {failed && !loading && (
        <p className="oc-note oc-failed">
          {failed}{" "}
          <button type="button" className="link" tabIndex={-1} onClick={() => actions.retry(id)}>
            Try again
          </button>
          <span className="oc-sr-only"> (press Right to try again)</span>
        </p>
      )}
    </li>
  );
}

export function Tree({ model, selectedId, actions, focusRequest }: {
  model: OrgModel;
  selectedId: string | null;
  actions: TreeActions;
  /** Bumped (with model.focusedId set) when the keyboard or a search moves to a card: it takes the focus. */
  focusRequest: number;
}) {
  const tree = useRef<HTMLUListElement>(null);
  const [moves, setMoves] = useState(0);
  const [, rerender] = useState(0);
  const shown = rows(model);
  const visible = shown.map((row) => row.id);
  if (model.focusedId === null || !visible.includes(model.focusedId)) model.focusedId = visible[0] ?? null;

  useLayoutEffect(() => {
    if (focusRequest === 0 && moves === 0) return;
    const id = model.focusedId;
    const item = id ? tree.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`) : null;
    if (item) {
      item.focus({ preventScroll: true });
      item.scrollIntoView?.({ block: "nearest", inline: "nearest" });
    }
  }, [focusRequest, moves]); // eslint-disable-line react-hooks/exhaustive-deps

  function moveTo(id: string | undefined): void {
    if (!id) return;
    model.focusedId = id;
    setMoves((count) => count + 1);
  }

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>): void {
    const item = (event.target as HTMLElement).closest<HTMLElement>("[role=treeitem]");
    const id = item?.dataset.id;
    if (!id || event.altKey || event.ctrlKey || event.metaKey) return;
    const order = model.visible();
    const at = order.indexOf(id);
    const person = model.people.get(id);
    let handled = true;
    switch (event.key) {
      case "ArrowDown":
        moveTo(order[at + 1]);
        break;
      case "ArrowUp":
        moveTo(order[at - 1]);
        break;
      case "Home":
        moveTo(order[0]);
        break;
      case "End":
        moveTo(order[order.length - 1]);
        break;
      case "ArrowRight":
        if (model.failed.has(id)) actions.retry(id);
        if (!model.hasReports(id)) break;
        if (!model.isExpanded(id)) actions.toggle(id);
        else moveTo(model.children.get(id)?.[0]);
        break;
      case "ArrowLeft":
        if (model.isExpanded(id)) actions.toggle(id);
        else if (person?.managerId && order.includes(person.managerId)) moveTo(person.managerId);
        break;
      case "Enter":
      case " ":
        actions.select(id);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  if (!model.rootId) return null;
  return (
    <ul role="tree" aria-label="Organisation chart" aria-describedby="oc-keys" className="oc-tree" ref={tree} onKeyDown={onKeyDown}
        onFocus={(event) => {
          const id = (event.target as HTMLElement).dataset?.id;
          if (id && id !== model.focusedId) {
            model.focusedId = id;
            rerender((count) => count + 1); // the roving tab stop follows a click into the tree
          }
        }}>
      {shown.map((row) => <Item key={row.id} model={model} row={row} selectedId={selectedId} actions={actions} />)}
    </ul>
  );
}
