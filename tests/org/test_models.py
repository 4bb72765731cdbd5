"""The pure organisation rules of models/org.py: cycles, chains and field validators."""

from __future__ import annotations

from datetime import date

from models.core.errors import ErrorCode, FieldError
from models.core.validation import NAME_MAX, TEXT_MAX, check_name, check_text
from models.org.rules import (
    chain_of,
    check_email,
    check_hire_date,
    department_would_cycle,
    normalize_email,
    rebuild_chains,
    would_cycle,
)
from tests.conftest import NORTHWIND

TODAY = date(2026, 11, 1)


def person(id: str, manager: dict | None, chain: list[str] | None = None) -> dict:
    """An employee document reporting to ``manager``, with a correct chain unless ``chain`` is given."""
    return {"_id": id, "managerId": manager["_id"] if manager else None,
            "managerChain": chain_of(manager) if chain is None else chain}


def small_org() -> dict[str, dict]:
    """ceo ← vp ← lead ← ic1, ic2;  ceo ← other ← other_ic."""
    ceo = person("ceo", None)
    vp = person("vp", ceo)
    lead = person("lead", vp)
    other = person("other", ceo)
    return {"ceo": ceo, "vp": vp, "lead": lead, "ic1": person("ic1", lead), "ic2": person("ic2", lead),
            "other": other, "other_ic": person("other_ic", other)}


# would_cycle

def test_would_cycle_when_reporting_to_oneself() -> None:
    org = small_org()
    assert would_cycle("lead", org["lead"]) is True


def test_would_cycle_when_reporting_to_a_direct_report() -> None:
    org = small_org()
    assert would_cycle("lead", org["ic1"]) is True


def test_would_cycle_when_reporting_to_an_indirect_report() -> None:
    org = small_org()
    assert would_cycle("ceo", org["ic2"]) is True
    assert would_cycle("vp", org["ic1"]) is True


def test_no_cycle_for_no_manager_or_someone_outside_the_subtree() -> None:
    org = small_org()
    assert would_cycle("lead", None) is False
    assert would_cycle("lead", org["other_ic"]) is False
    assert would_cycle("ic1", org["ic2"]) is False  # a peer
    assert would_cycle("ic1", org["ceo"]) is False  # someone above


def test_would_cycle_with_a_document_without_chain() -> None:
    assert would_cycle("a", {"_id": "b"}) is False
    assert would_cycle("a", {"_id": "a"}) is True


# chain_of

def test_chain_of_is_the_managers_chain_then_the_manager() -> None:
    org = small_org()
    assert chain_of(None) == []
    assert chain_of(org["ceo"]) == ["ceo"]
    assert chain_of(org["lead"]) == ["ceo", "vp", "lead"]


# rebuild_chains

def test_rebuild_chains_after_a_subtree_moved() -> None:
    # given lead moved from vp to other: lead's managerId is new, its chain and its reports' chains are stale
    org = small_org()
    org["lead"]["managerId"] = "other"
    # when the chains below other are rebuilt
    below = [org["lead"], org["ic1"], org["ic2"], org["other_ic"]]
    changes = rebuild_chains(org["other"], below)
    # then the moved subtree gets chains through other, and nobody else changes
    assert changes == {
        "lead": ["ceo", "other"],
        "ic1": ["ceo", "other", "lead"],
        "ic2": ["ceo", "other", "lead"],
    }


def test_rebuild_chains_of_the_whole_organisation() -> None:
    # given stale chains everywhere below vp, after vp became top-level
    org = small_org()
    org["vp"]["managerId"] = None
    # when the whole organisation is rebuilt (root None)
    changes = rebuild_chains(None, org.values())
    # then exactly the vp's subtree changes
    assert changes == {"vp": [], "lead": ["vp"], "ic1": ["vp", "lead"], "ic2": ["vp", "lead"]}


def test_rebuild_chains_is_idempotent() -> None:
    # given a stale organisation
    org = small_org()
    org["ic1"]["managerId"] = "other"
    org["other"]["managerId"] = "lead"
    first = rebuild_chains(None, org.values())
    assert first == {"other": ["ceo", "vp", "lead"], "other_ic": ["ceo", "vp", "lead", "other"],
                     "ic1": ["ceo", "vp", "lead", "other"]}
    # when the changes are applied and it runs again
    for id, chain in first.items():
        org[id]["managerChain"] = chain
    # then nothing more changes
    assert rebuild_chains(None, org.values()) == {}


def test_rebuild_chains_of_a_consistent_org_changes_nothing() -> None:
    assert rebuild_chains(None, small_org().values()) == {}
    assert rebuild_chains(None, NORTHWIND.employees) == {}


def test_rebuild_chains_ignores_documents_not_below_the_root() -> None:
    org = small_org()
    org["other_ic"]["managerChain"] = ["stale"]
    assert rebuild_chains(org["vp"], [org["lead"], org["ic1"], org["ic2"], org["other_ic"]]) == {}


def test_rebuild_chains_of_a_real_subtree_move() -> None:
    # given the demo manager persona moved under the CEO directly (their managerId rewritten only)
    docs = {doc["_id"]: {**doc, "managerChain": list(doc["managerChain"])} for doc in NORTHWIND.employees}
    ceo = next(doc for doc in docs.values() if doc["managerId"] is None)
    moved = docs[NORTHWIND.personas["manager"]]
    moved["managerId"] = ceo["_id"]
    # when the whole organisation is rebuilt
    changes = rebuild_chains(None, docs.values())
    # then exactly the manager and everyone below them change, to ceo + the path below
    below = [doc for doc in docs.values() if moved["_id"] in doc["managerChain"]]
    old_prefix = len(moved["managerChain"])
    expected = {moved["_id"]: [ceo["_id"]]}
    expected |= {doc["_id"]: [ceo["_id"], *doc["managerChain"][old_prefix:]] for doc in below}
    assert changes == expected
    assert len(changes) == 1 + len(below) > 1


# department_would_cycle

DEPARTMENT_PARENTS = {"exec": None, "eng": "exec", "platform": "eng", "data": "eng", "sales": "exec"}


def test_department_cycle_when_parent_is_itself() -> None:
    assert department_would_cycle("eng", {"_id": "eng"}, DEPARTMENT_PARENTS) is True


def test_department_cycle_when_parent_is_a_child_or_grandchild() -> None:
    assert department_would_cycle("eng", {"_id": "platform"}, DEPARTMENT_PARENTS) is True
    assert department_would_cycle("exec", {"_id": "data"}, DEPARTMENT_PARENTS) is True


def test_no_department_cycle_for_none_or_elsewhere() -> None:
    assert department_would_cycle("eng", None, DEPARTMENT_PARENTS) is False
    assert department_would_cycle("platform", {"_id": "sales"}, DEPARTMENT_PARENTS) is False
    assert department_would_cycle("platform", {"_id": "exec"}, DEPARTMENT_PARENTS) is False


def test_department_cycle_check_terminates_on_corrupt_parents() -> None:
    # given a loop that does not involve the department being checked
    parents = {"a": "b", "b": "a", "x": None}
    assert department_would_cycle("x", {"_id": "a"}, parents) is False


# validators

def test_check_name() -> None:
    assert check_name("Ada", "name") == []
    assert check_name("x" * NAME_MAX, "name") == []
    assert check_name(None, "name") == [FieldError("name", ErrorCode.REQUIRED, "name is required")]
    assert check_name(None, "name", required=False) == []
    assert check_name("   ", "title") == [FieldError("title", ErrorCode.REQUIRED, "title must not be empty")]
    assert check_name("", "name") == [FieldError("name", ErrorCode.REQUIRED, "name must not be empty")]
    assert check_name("x" * (NAME_MAX + 1), "name") == [
        FieldError("name", ErrorCode.TOO_LONG, f"name is longer than {NAME_MAX} characters")]


def test_check_text() -> None:
    assert check_text(None, "note") == []
    assert check_text("x" * TEXT_MAX, "note") == []
    assert check_text("x" * (TEXT_MAX + 1), "note") == [
        FieldError("note", ErrorCode.TOO_LONG, f"note is longer than {TEXT_MAX} characters")]


def test_check_email() -> None:
    assert check_email("ada@example.com") == []
    assert check_email("  Ada@Example.COM ") == []
    assert check_email(None) == [FieldError("email", ErrorCode.REQUIRED, "email is required")]
    assert check_email("not-an-email") == [
        FieldError("email", ErrorCode.INVALID, "'not-an-email' is not an email address")]
    assert check_email("a b@example.com", "contact") == [
        FieldError("contact", ErrorCode.INVALID, "'a b@example.com' is not an email address")]
    assert check_email("ada@localhost") == [
        FieldError("email", ErrorCode.INVALID, "'ada@localhost' is not an email address")]


def test_normalize_email() -> None:
    assert normalize_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"


def test_check_hire_date() -> None:
    invalid = [FieldError("hireDate", ErrorCode.INVALID, "hireDate must lie between 1900 and a year from now")]
    assert check_hire_date(date(1900, 1, 1), TODAY) == []
    assert check_hire_date(TODAY, TODAY) == []
    assert check_hire_date(date(2027, 11, 1), TODAY) == []
    assert check_hire_date(None, TODAY) == [FieldError("hireDate", ErrorCode.REQUIRED, "hireDate is required")]
    assert check_hire_date(date(1899, 12, 31), TODAY) == invalid
    assert check_hire_date(date(2027, 11, 2), TODAY) == invalid
