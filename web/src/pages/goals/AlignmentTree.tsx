// The alignment tree below one goal (goalTree): nested lists with a disclosure button per goal that has goals
// aligned below it. A goal the viewer may not see shows as "a goal you cannot see" (the API redacts it), so the
// shape of the tree stays true without leaking its title.
import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { Link } from "../../router";
import { ErrorMessage, Highlight, Loading } from "../../ui/status";
import { GOAL_TREE, type TreeNode } from "./queries";
import { owner, percent, StatusBadge } from "./parts";

/** The ids of the nodes to open at first: the first two levels, and every node above one of `mine`. */
function initiallyOpen(root: TreeNode, mine: Set<string>): Set<string> {
  const open = new Set<string>();
  function walk(node: TreeNode, depth: number): boolean {
    let holdsMine = false;
    for (const child of node.children ?? []) {
      if (walk(child, depth + 1)) holdsMine = true;
    }
    if (depth < 1 || holdsMine) open.add(node.id);
    return holdsMine || mine.has(node.goalId);
  }
  walk(root, 0);
  return open;
}

export function AlignmentTree({ rootGoalId, mine, label }: { rootGoalId: string; mine: Set<string>; label: string }) {
  const [{ data, fetching, error }, again] = useQuery<{ goalTree: TreeNode | null }>({
    query: GOAL_TREE,
    variables: { rootGoalId },
  });
  const root = data?.goalTree ?? null;
  const startOpen = useMemo(() => (root ? initiallyOpen(root, mine) : new Set<string>()), [root?.id]); // eslint-disable-line react-hooks/exhaustive-deps
  const [toggled, setToggled] = useState<Record<string, boolean>>({});
  if (fetching && !data) return <Loading label="Loading the alignment tree…" />;
  if (error && !data) return <ErrorMessage error={error} retry={() => again({ requestPolicy: "network-only" })} />;
  if (!root) return <p className="muted">This goal does not exist or you cannot see it, so its alignment cannot be shown.</p>;
  const isOpen = (node: TreeNode) => toggled[node.id] ?? startOpen.has(node.id);
  const toggle = (node: TreeNode) => setToggled((now) => ({ ...now, [node.id]: !isOpen(node) }));
  return (
    <ul className="g-tree" aria-label={label}>
      <TreeItem node={root} mine={mine} isOpen={isOpen} toggle={toggle} />
    </ul>
  );
}

function TreeItem({ node, mine, isOpen, toggle }: {
  node: TreeNode;
  mine: Set<string>;
  isOpen: (node: TreeNode) => boolean;
  toggle: (node: TreeNode) => void;
}) {
  const children = node.children ?? [];
  const open = isOpen(node);
  const goal = node.goal;
  const title = goal ? goal.title : "A goal you cannot see";
  const listId = `tree-${node.id.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  return (
    <li className={`g-node${node.redacted ? " g-node-redacted" : ""}${mine.has(node.goalId) ? " g-node-mine" : ""}`}
        data-goal-id={node.goalId}>
      <div className="g-node-row">
        {children.length > 0 ? (
          <button type="button" className="g-toggle" aria-expanded={open} aria-controls={open ? listId : undefined}
                  onClick={() => toggle(node)}>
            <span aria-hidden="true">{open ? "▾" : "▸"}</span>
            <span className="g-vh">{open ? "Collapse" : "Expand"} {title} ({children.length} aligned)</span>
          </button>
        ) : (
          <span className="g-toggle-space" aria-hidden="true" />
        )}
        {goal ? (
          <>
            <Link to={`/goals/${goal.id}`} className="g-node-title">{goal.title}</Link>
            {mine.has(node.goalId) && <span className="g-yours">yours</span>}
            <span className="g-node-meta">
              {owner(goal) && <span>{owner(goal)}</span>}
              <Highlight as="span" version={goal.progress} className="g-node-progress">{percent(goal.progress)}</Highlight>
              <StatusBadge status={goal.status} />
            </span>
          </>
        ) : (
          <span className="g-node-title g-redacted">A goal you cannot see</span>
        )}
        {children.length > 0 && !open && <span className="g-node-count muted">{children.length} aligned</span>}
      </div>
      {children.length > 0 && open && (
        <ul id={listId} className="g-tree-children">
          {children.map((child) => (
            <TreeItem key={child.id} node={child} mine={mine} isOpen={isOpen} toggle={toggle} />
          ))}
        </ul>
      )}
    </li>
  );
}
