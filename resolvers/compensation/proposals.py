"""Merit proposals: a manager proposes, submits up the chain; decisions up to HR. Each change is one conditional
write on the participant and atomic increments on the budgets above (``store.compensation.repository``)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from models.compensation import budgets as budget_rules
from models.compensation import cycles as rules
from models.compensation.cycles import Phase, is_locked
from models.compensation.money import check_percent, percent_of, to_minor
from models.compensation.permissions import can_decide, can_manage_compensation, can_propose
from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode
from models.core.validation import check_name
from resolvers.compensation.channels import participants_event
from resolvers.compensation.mutations import budget_deltas, not_found
from resolvers.compensation.promotions import promotion_increase, promotions_of
from resolvers.compensation.queries import Budget
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from store.compensation import repository as pay_store
from store.core.repository import TenantStore

CHAIN_REFUSAL = "only a manager above this person (when the cycle launched) proposes their increase"

# ---- proposals ---------------------------------------------------------------------------------------------

def _refusal_for_proposals(cycle: Document | None, *, revising: bool = True) -> Outcome | None:
    """Why the cycle takes no proposals now (unknown, locked, another phase), or ``None``. In the review phase a
    proposal sent back (a draft again) is still revised and submitted (``revising``); a new one, or a draft never
    submitted in the proposals phase, is not."""
    if cycle is None:
        return not_found("cycleId", "merit cycle")
    if is_locked(cycle):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: proposals are locked")
    if cycle["phase"] == Phase.REVIEW and revising:
        return None
    if cycle["phase"] == Phase.REVIEW:
        return Outcome.refused("cycleId", ErrorCode.INVALID_TRANSITION,
                               "in the review phase only proposals sent back are revised and submitted")
    if cycle["phase"] != Phase.PROPOSALS:
        return Outcome.refused("cycleId", ErrorCode.INVALID_TRANSITION,
                               f"proposals are made in the proposals phase, not {cycle['phase']}")
    return None


async def _cycle_for_proposals(store: TenantStore, cycle_id: str) -> tuple[Document | None, Outcome | None]:
    cycle = await store.meritCycles.get(cycle_id)
    refusal = _refusal_for_proposals(cycle)
    return (None, refusal) if refusal else (cycle, None)


def _sent_back(participant: Document | None) -> bool:
    """A draft that was submitted and sent back (its trail's latest decision), which review still takes."""
    if participant is None or (participant.get("proposal") or {}).get("state") != "draft":
        return False
    decisions = [e["kind"] for e in participant.get("trail") or () if e.get("kind") in {"submitted", "sent_back"}]
    return bool(decisions) and decisions[-1] == "sent_back"


async def propose(context: Context, cycle_id: str, employee_id: str, percent: Decimal | None,
                  amount: Decimal | None, justification: str | None,
                  promotion_percent: Decimal | None = None) -> Outcome:
    """A manager's proposed increase for a person (a % or an amount in the cycle currency): within the matrix
    cell or with a justification; with ``promotion_percent``, a promotion increase on top (only for a person
    with an approved promotion effective in the cycle; not prorated, counted on the promotion pools). One
    conditional write, then atomic increments on the budgets above; ``extra["overBudget"]`` reads, when awaited,
    the budgets (the viewer's and below, and for compensation admins the department's) whose proposals now exceed
    them."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    # the participant and its cycle (one round trip) and, at the same time, the person's promotions (growth's)
    (cycle, participant), promotions = await asyncio.gather(
        pay_store.cycle_and_participant(store, cycle_id, employee_id), promotions_of(context, employee_id))
    refusal = _refusal_for_proposals(cycle, revising=_sent_back(participant))
    if refusal or cycle is None:
        return refusal or not_found("cycleId", "merit cycle")
    if participant is None:
        if not can_manage_compensation(viewer):
            employee = await signed_in.loaders.employee_by_id.load(employee_id)
            if employee is None or viewer.employee_id not in employee.get("managerChain", []):
                raise Forbidden(CHAIN_REFUSAL)
        return Outcome.refused("employeeId", ErrorCode.INACTIVE, "this person is not eligible in this cycle")
    if not can_propose(viewer, cycle, participant):
        raise Forbidden(CHAIN_REFUSAL)
    if (percent is None) == (amount is None):
        return Outcome.refused("percent", ErrorCode.INVALID, "give either percent or amount")
    if amount is not None:
        minor, errors = to_minor(amount, cycle["currency"], "amount", positive=False)
        if errors or minor is None:
            return Outcome(errors=errors)
        percent = rules.percent_for_amount(participant, minor)
    assert percent is not None
    errors = rules.check_proposal(participant, cycle["matrix"], percent, justification)
    if errors:
        return Outcome(errors=errors)
    promotion = promotion_increase(cycle, promotions)
    promotion_minor = 0
    if promotion_percent is not None:
        if promotion is None:
            return Outcome.refused("promotionPercent", ErrorCode.INVALID,
                                   "a promotion increase needs an approved promotion effective in this cycle")
        errors = check_percent(promotion_percent, "promotionPercent")
        if errors:
            return Outcome(errors=errors)
        promotion = {**promotion, "percent": str(promotion_percent)}
        promotion_minor = percent_of(participant["payInCycle"]["minor"], promotion_percent)
    at = clock.now()
    cell = rules.cell_for(cycle["matrix"], participant.get("rating"), participant.get("compaRatio"))
    proposal = {"percent": str(percent), "justification": (justification or "").strip() or None, "state": "draft",
                "byId": viewer.employee_id, "at": at, "matrixVersion": cycle["matrix"]["version"],
                "cell": dict(cell) if cell else None, "promotion": promotion}
    if promotion_minor:
        proposal["promotionIncreaseMinor"] = promotion_minor
    entry = {"kind": "proposed", "byId": viewer.employee_id, "at": at, "percent": str(percent),
             "justification": proposal["justification"],
             "promotionPercent": str(promotion_percent) if promotion_percent is not None else None}

    # One conditional single-document write on the participant (the version read, not locked), then one
    # atomic $inc on the budgets above: no lost update whatever the concurrency, and no transaction for
    # fifty managers to conflict on over the budgets at the top of the chain.
    current = participant  # read from the store above, not through a loader: the version this write expects
    if current.get("locked"):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, "the cycle is locked")
    if (current.get("proposal") or {}).get("state") in {"submitted", "approved"}:
        return Outcome.refused("employeeId", ErrorCode.READ_ONLY, "this proposal is submitted; it changes when "
                                                                  "sent back")
    proposal["increaseMinor"] = rules.increase(current, percent).minor
    after = rules.applied(current, {"proposal": proposal}, entry)
    deltas = budget_deltas(current, after)

    async def write() -> Outcome:
        if cycle.get("blockOverBudget") and (deltas["proposedMinor"] > 0 or deltas["promotionProposedMinor"] > 0):
            # HR chose to block: the budgets (the managers' above and the department's) are checked and the
            # proposal written in one transaction, so two proposals cannot both fit in the same remaining budget
            over = [b["_id"] for b in await pay_store.budgets_above(store, current)
                    if budget_rules.over_after(b, deltas)]
            if over:
                return Outcome.refused("percent", ErrorCode.CONFLICT, f"this increase would take {len(over)} "
                                                                      "budget(s) above over their allocation")
        if not await pay_store.write_proposal(store, current, {"proposal": proposal}, entry, deltas):
            return Outcome.refused("employeeId", ErrorCode.CONFLICT, "the proposal changed meanwhile (or the cycle "
                                                                     "locked): read it again")
        return Outcome(after)

    outcome = await (store.transaction(write) if cycle.get("blockOverBudget") else write())
    if not outcome.ok:
        return outcome
    await publish_after_commit(context, *participants_event(context.bus, store.organization_id, cycle_id, [after]))
    chain = current["managerChain"]
    admin = can_manage_compensation(viewer)
    mine = chain if admin else chain[chain.index(viewer.employee_id):]  # theirs and below

    async def over_budget() -> list[Budget]:
        """Going over warns: the budgets above (the viewer's and below; for compensation admins every one above
        and the department's) now over their allocation. Read only when the payload asks for them."""
        found = await (pay_store.budgets_above(store, current) if admin else
                       pay_store.budgets_of(store, cycle_id, mine))
        return [Budget(b, cycle) for b in found if budget_rules.is_over(b)]

    outcome.extra["overBudget"] = over_budget
    return outcome


async def submit(context: Context, cycle_id: str) -> Outcome:
    """The viewer's draft proposals go up for approval (committed spend rises by their amounts)."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    cycle, refusal = await _cycle_for_proposals(store, cycle_id)
    if refusal or cycle is None:
        return refusal or not_found("cycleId", "merit cycle")
    at = clock.now()

    drafts = await store.meritParticipants.find({"cycleId": cycle_id, "proposal.byId": viewer.employee_id,
                                                 "proposal.state": "draft"})
    if cycle["phase"] == Phase.REVIEW:  # review takes back only what was sent back
        drafts = [d for d in drafts if _sent_back(d)]
    moved = []
    for participant in drafts:  # each: a conditional write and its atomic increments, as for a proposal
        proposal = {**participant["proposal"], "state": "submitted", "submittedAt": at,
                    "pendingWith": rules.next_approver(participant["managerChain"], viewer.employee_id)}
        entry = {"kind": "submitted", "byId": viewer.employee_id, "at": at}
        after = rules.applied(participant, {"proposal": proposal}, entry)
        if await pay_store.write_proposal(store, participant, {"proposal": proposal}, entry,
                                          budget_deltas(participant, after)):
            moved.append(after)
    if moved:
        await publish_after_commit(context, *participants_event(context.bus, store.organization_id, cycle_id, moved))
    return Outcome(cycle, extra={"submitted": moved})


async def decide(context: Context, cycle_id: str, employee_ids: list[str], approve: bool,
                 reason: str | None) -> Outcome:
    """Approvals go up the chain to HR: the manager a submitted proposal is pending with approves it (it
    moves on to the manager above them, then to HR) or sends it back to draft with a reason; compensation
    admins give the final approval (and may decide at any step). Every decision is kept in the trail; all of
    the listed proposals are decided, or none; refused once locked."""
    signed_in = await require(context)
    store = signed_in.store
    viewer = signed_in.viewer
    admin = can_manage_compensation(viewer)
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return not_found("cycleId", "merit cycle")
    if is_locked(cycle) or cycle["phase"] not in {Phase.PROPOSALS, Phase.REVIEW}:
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: decisions are closed")
    if not approve:
        errors = check_name(reason, "reason")
        if errors:
            return Outcome(errors=errors)
    at = clock.now()

    async def step() -> Outcome:
        found = await pay_store.participants(store, cycle_id, employee_ids=employee_ids)
        waiting = [p for p in found if (p.get("proposal") or {}).get("state") == "submitted"]
        if not all(can_decide(viewer, p) for p in found):
            raise Forbidden("a proposal is decided by the manager it is pending with, then by compensation admins; "
                            "no one decides their own")
        if len(waiting) != len(set(employee_ids)):
            return Outcome.refused("employeeIds", ErrorCode.INVALID_TRANSITION,
                                   "every person decided needs a submitted proposal")
        decided = []
        for participant in waiting:
            current = participant["proposal"]
            if not approve:
                proposal, kind = {**current, "state": "draft", "pendingWith": None}, "sent_back"
            elif admin:
                proposal, kind = {**current, "state": "approved", "pendingWith": None}, "approved"
            else:
                proposal = {**current, "pendingWith": rules.next_approver(participant["managerChain"],
                                                                           viewer.employee_id)}
                kind = "endorsed"
            entry = {"kind": kind, "byId": viewer.employee_id, "at": at, "reason": reason.strip() if reason else None}
            after = rules.applied(participant, {"proposal": proposal}, entry)
            if not await pay_store.write_proposal(store, participant, {"proposal": proposal}, entry,
                                                  budget_deltas(participant, after)):
                return Outcome.refused("employeeIds", ErrorCode.CONFLICT, "a proposal changed meanwhile")
            decided.append(after)
        return Outcome(cycle, extra={"decided": decided})

    outcome = await store.transaction(step)
    if outcome.ok:
        await publish_after_commit(context, *participants_event(context.bus, store.organization_id, cycle_id,
                                                                outcome.extra["decided"]))
    return outcome
