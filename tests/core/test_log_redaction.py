"""The server log never carries an input value (server/observe.py): a malformed amount sent to ``recordPay``
or ``savePayBand`` comes back to the client in its error, while the log says only which variable or
argument, at which input field, and what kind of mistake."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from resolvers.compensation.access import PAY_REFUSAL
from tests.compensation.support import RECORD_PAY, comp_admin
from tests.conftest import NORTHWIND, RunningServer

AMOUNT = "98765.43"
GOOD_PAY = {"employeeId": NORTHWIND.personas["employee"], "effectiveDate": "2026-11-01", "amount": AMOUNT,
            "currency": "EUR", "reason": "market adjustment", "frequency": "MONTHLY"}
INLINE_BAND = (f'mutation {{ savePayBand(input: {{level: 3, currency: "EUR", minimum: "{AMOUNT}x", midpoint: "1", '
               'maximum: "2"}) { errors { code } } }')
MISSING_REASON = {k: v for k, v in GOOD_PAY.items() if k != "reason"}
VARIABLE, LITERAL = "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"
# (document, variables) sent; the client's error (message as graphql-core words it, code); the log line for it
CASES: dict[str, tuple[str, dict[str, Any] | None, tuple[str, str], str]] = {
    "malformed Decimal in a variable": (
        RECORD_PAY, {"input": {**GOOD_PAY, "amount": f"{AMOUNT}x"}},
        (f"Variable '$input' has invalid value at .amount: Value cannot represent a Decimal: \"{AMOUNT}x\".", VARIABLE),
        "client error -: Variable '$input' has invalid value at .amount: Value cannot represent a Decimal: <value>"),
    "missing field beside an amount": (
        RECORD_PAY, {"input": MISSING_REASON},
        ("Variable '$input' has invalid value: Expected value of type 'RecordPayInput' to include required field "
         f"'reason', found: {MISSING_REASON}.", VARIABLE),
        "client error -: Variable '$input' has invalid value: Expected value of type 'RecordPayInput' to include "
        "required field 'reason', found: <value>"),
    "amount where a string goes": (
        RECORD_PAY, {"input": {**GOOD_PAY, "currency": float(AMOUNT)}},
        (f"Variable '$input' has invalid value at .currency: String cannot represent a non string value: {AMOUNT}",
         VARIABLE),
        "client error -: Variable '$input' has invalid value at .currency: String cannot represent a non string "
        "value: <value>"),
    "malformed Decimal written in the document": (
        INLINE_BAND, None, (f"Value cannot represent a Decimal: \"{AMOUNT}x\".", LITERAL),
        "client error -: Value cannot represent a Decimal: <value>"),
}


def perfgraph_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("perfgraph")]


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_an_invalid_input_is_answered_in_full_and_logged_without_its_value(
        server: RunningServer, caplog: pytest.LogCaptureFixture, case: str) -> None:
    # given a compensation admin, and a pay or band input holding a recognisable amount, malformed
    document, variables, answered, logged = CASES[case]
    admin = await comp_admin(server)
    caplog.set_level(logging.DEBUG)
    # when it is sent
    body = await admin.execute(document, variables)
    # then the client's error still quotes what it sent
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [answered]
    # and the error log names the variable or argument, the input field and the kind of mistake, never the value
    errors = [r for r in perfgraph_records(caplog) if r.name == "perfgraph.errors"]
    assert [(r.levelno, r.getMessage()) for r in errors] == [(logging.INFO, logged)]
    # and no record of any perfgraph logger carries the amount, in its message or in any of its fields
    records = perfgraph_records(caplog)
    assert {r.name for r in records} == {"perfgraph.errors", "perfgraph.access"}
    assert [r.getMessage() for r in records if "98765" in r.getMessage()
            or "98765" in json.dumps(r.__dict__, default=str)] == []


async def test_a_refusal_of_ours_is_logged_as_it_is_with_its_field(server: RunningServer,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    # given the employee, who may not read someone else's pay
    caplog.set_level(logging.INFO)
    other = NORTHWIND.personas["manager"]
    # when they ask for it
    body = await server.client("employee").execute("query($id: ID!) { employeePay(employeeId: $id) { zone } }",
                                                   {"id": other})
    # then the log line has the code, the field's path and our message, unchanged
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [(PAY_REFUSAL, {"code": "FORBIDDEN"})]
    errors = [r.getMessage() for r in perfgraph_records(caplog) if r.name == "perfgraph.errors"]
    assert errors == [f"client error FORBIDDEN at employeePay: {PAY_REFUSAL}"]


async def test_an_unexpected_error_quoting_pay_is_logged_with_its_traceback_and_without_the_amount(
        server: RunningServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a resolver that fails with a driver-like error quoting the document it could not write
    import resolvers.org.queries

    async def broken(context: Any) -> list[Any]:
        raise RuntimeError(f"batch op errors occurred, full error: {{'op': {{'pay': {{'minor': {AMOUNT}}}}}}}")

    monkeypatch.setattr(resolvers.org.queries, "departments", broken)
    caplog.set_level(logging.INFO)
    # when it is queried
    await server.client("employee").execute("query { departments { name } }")
    # then the log has the error's type, what it says without the value, and where it was raised (the traceback)
    [record] = [r for r in caplog.records if r.name == "perfgraph.errors"]
    shown = logging.Formatter().format(record)
    assert record.getMessage() == "unexpected error: batch op errors occurred, full error: <value>"
    assert "RuntimeError: batch op errors occurred, full error: <value>" in shown
    assert "in broken" in shown  # the frame that raised it
    assert AMOUNT not in shown and AMOUNT.replace(".", "") not in shown
