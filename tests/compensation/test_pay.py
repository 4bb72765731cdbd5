"""Pay records and bands end to end: effective-dated history, exact money, compa-ratio and position in
range, refusals that write nothing, and who sees a person's pay (refused / empty / full per viewer)."""

from __future__ import annotations

from decimal import Decimal

from tests.client import answer, refused
from tests.compensation.support import (
    COMP_ADMIN,
    EMPLOYEE_PAY,
    PAY_COLLECTIONS,
    PEOPLE,
    RECORD_PAY,
    SAVE_BAND,
    UNKNOWN_ID,
    amount_of,
    band_of,
    close_running_cycle,
    comp_admin,
    records_of,
    reports_of,
)
from tests.conftest import GLOBEX, NORTHWIND, RunningServer

EMPLOYEE = NORTHWIND.personas["employee"]
MANAGER = NORTHWIND.personas["manager"]


def ratio(pay: int, over: int, minus: int = 0, spread: int | None = None) -> str:
    value = Decimal(pay - minus) / Decimal(spread if spread is not None else over)
    return str(value.quantize(Decimal("0.001")))


def a_report_of_manager() -> str:
    return next(e["_id"] for e in reports_of(MANAGER) if e["status"] == "active" and records_of(e["_id"]))


async def test_a_person_reads_their_own_pay_with_history_band_and_compa_ratio(server: RunningServer) -> None:
    # given the demo employee's seeded records and band
    records = sorted(records_of(EMPLOYEE), key=lambda r: r["effectiveDate"])
    band = band_of(EMPLOYEE)
    current = records[-1]
    # when they read their pay
    pay = (await server.client("employee").data(EMPLOYEE_PAY, {"id": EMPLOYEE}))["employeePay"]
    # then the current record, exact amounts, the band, compa-ratio and range position, and the history
    assert pay["current"]["id"] == current["_id"]
    assert pay["annual"] == {"amount": amount_of(current["base"]["minor"]), "currency": band["currency"]}
    assert pay["band"]["midpoint"]["amount"] == amount_of(band["midpoint"])
    assert pay["compaRatio"] == ratio(current["base"]["minor"], band["midpoint"])
    assert pay["rangePosition"] == ratio(current["base"]["minor"], 0, band["minimum"],
                                         band["maximum"] - band["minimum"])
    assert [h["effectiveDate"] for h in pay["history"]] == [r["effectiveDate"] for r in records]


async def test_recording_pay_keeps_history_and_the_latest_effective_record_is_current(server: RunningServer) -> None:
    # given the compensation admin
    admin = await comp_admin(server)
    before = len(records_of(EMPLOYEE))
    # when they record a monthly pay in effect from yesterday's past and a future one
    past = {"employeeId": EMPLOYEE, "effectiveDate": "2026-11-01", "amount": "5123.45", "currency": "EUR",
            "reason": "market adjustment", "frequency": "MONTHLY"}
    future = {**past, "effectiveDate": "2099-01-01", "amount": "9000.00", "reason": "future"}
    written = (await admin.data(RECORD_PAY, {"input": past}))["recordPay"]
    assert (await admin.data(RECORD_PAY, {"input": future}))["recordPay"]["errors"] == []
    # then the record is exact, annualised ×12, and the one in effect today is current; history has both
    assert written["errors"] == []
    assert written["record"]["base"] == {"amount": "5123.45", "currency": "EUR"}
    assert written["record"]["annual"] == {"amount": "61481.40", "currency": "EUR"}
    pay = (await admin.data(EMPLOYEE_PAY, {"id": EMPLOYEE}))["employeePay"]
    assert pay["current"]["id"] == written["record"]["id"]
    assert pay["annual"]["amount"] == "61481.40"
    assert len(pay["history"]) == before + 2


async def test_bad_pay_and_bands_are_refused_and_nothing_is_written(server: RunningServer) -> None:
    # given the compensation admin and the pay collections as seeded
    admin = await comp_admin(server)
    before = await server.snapshot(PAY_COLLECTIONS)
    good = {"employeeId": EMPLOYEE, "effectiveDate": "2026-11-01", "amount": "50000", "currency": "EUR",
            "reason": "raise"}
    position = PEOPLE[EMPLOYEE]["positionId"]
    band = {"positionId": position, "currency": "EUR", "minimum": "40000", "midpoint": "50000", "maximum": "60000"}
    cases = [
        (RECORD_PAY, {**good, "amount": "50000.001"}, [("amount", "INVALID")]),
        (RECORD_PAY, {**good, "currency": "JPY", "amount": "100.5"}, [("amount", "INVALID")]),
        (RECORD_PAY, {**good, "amount": "-1"}, [("amount", "INVALID")]),
        (RECORD_PAY, {**good, "currency": "euro"}, [("currency", "INVALID")]),
        (RECORD_PAY, {**good, "reason": "x" * 201}, [("reason", "TOO_LONG")]),
        (RECORD_PAY, {**good, "employeeId": UNKNOWN_ID}, [("employeeId", "NOT_FOUND")]),
        (RECORD_PAY, {**good, "employeeId": GLOBEX.employees[0]["_id"]}, [("employeeId", "NOT_FOUND")]),
        (SAVE_BAND, {**band, "midpoint": "70000"}, [("midpoint", "INVALID")]),
        (SAVE_BAND, {**band, "positionId": GLOBEX.positions[0]["_id"]}, [("positionId", "NOT_FOUND")]),
    ]
    for query, input, expected in cases:
        # when each is sent
        body = await admin.execute(query, {"input": input})
        # then it is refused with the field and code, and no amount in the message
        errors = refused(body)
        assert [(f, c) for f, c, _ in errors] == expected, (input, errors)
        assert all("50000" not in m and "70000" not in m for _, _, m in errors)
    # and nothing changed
    assert await server.snapshot(PAY_COLLECTIONS) == before


async def test_hr_admins_do_not_get_pay_by_default(server: RunningServer) -> None:
    # given an HR admin without the compensation_admin role
    hr = server.client("hr_admin")
    before = await server.snapshot(PAY_COLLECTIONS)
    # when they read someone's pay, the bands, or record pay
    read = await hr.execute(EMPLOYEE_PAY, {"id": EMPLOYEE})
    bands = await hr.execute("{ payBands { id } }")
    write = await hr.execute(RECORD_PAY, {"input": {"employeeId": EMPLOYEE, "effectiveDate": "2026-11-01",
                                                    "amount": "1", "currency": "EUR", "reason": "x"}})
    # then each is FORBIDDEN and nothing is written
    assert read["data"]["employeePay"] is None and read["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert bands["data"] == {"payBands": None} and bands["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert [c for _, c, _ in refused(write)] == ["FORBIDDEN"]
    assert await server.snapshot(PAY_COLLECTIONS) == before


async def test_who_sees_a_persons_pay(server: RunningServer) -> None:
    # given a report of the manager persona, during the seeded running cycle (in proposals)
    report = a_report_of_manager()
    others_manager = next(e["_id"] for e in NORTHWIND.employees if "manager" in e["roles"] and e["_id"] != MANAGER
                          and MANAGER not in e["managerChain"] and e["_id"] not in PEOPLE[report]["managerChain"])
    admin = await comp_admin(server)
    # when the manager, a manager of another organisation, the person, the admin and another org's admin read it
    manager = (await server.client("manager").execute(EMPLOYEE_PAY, {"id": report}))
    peer = await server.client(others_manager).execute(EMPLOYEE_PAY, {"id": report})
    own = await server.client(report).execute(EMPLOYEE_PAY, {"id": report})
    full = await admin.execute(EMPLOYEE_PAY, {"id": report})
    globex = await server.client("hr_admin", GLOBEX).execute(EMPLOYEE_PAY, {"id": report})
    # then the manager sees current pay and band without the history; the peer manager is refused;
    # the person and the admin see everything; another organisation's id is unknown
    assert manager["data"]["employeePay"]["current"]["id"] is not None
    assert manager["data"]["employeePay"]["history"] == []
    assert peer["data"]["employeePay"] is None and peer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "amount" not in peer["errors"][0]["message"]
    assert len(own["data"]["employeePay"]["history"]) == len(records_of(report))
    assert full["data"]["employeePay"] == own["data"]["employeePay"]
    assert answer(globex) == {"data": {"employeePay": None}}


async def test_managers_lose_sight_of_pay_once_no_cycle_is_open(server: RunningServer) -> None:
    # given the running cycle approved (locked): no cycle in proposals or review
    report = a_report_of_manager()
    await close_running_cycle(server)
    # when the manager reads their report's pay, directly and as a nested field
    direct = await server.client("manager").execute(EMPLOYEE_PAY, {"id": report})
    nested = await server.client("manager").execute(
        "query($id: ID!) { employee(id: $id) { name pay { annual { amount } } } }", {"id": report})
    # then the direct read is refused, the nested field is null without an error; the employee still reads
    assert direct["data"]["employeePay"] is None and direct["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert nested["data"]["employee"] == {"name": PEOPLE[report]["name"], "pay": None}
    assert "errors" not in nested


async def test_pay_as_a_nested_field_of_a_managers_reports(server: RunningServer) -> None:
    # given the manager persona during the running cycle
    # when they list their reports with pay
    data = await server.client("manager").execute("{ me { reports { id pay { current { id } } } } }")
    # then every active report with pay shows it, and no error is raised for them
    reports = data["data"]["me"]["reports"]
    assert "errors" not in data
    assert {r["id"] for r in reports if r["pay"]["current"]} == {
        e["_id"] for e in reports_of(MANAGER) if records_of(e["_id"]) and e["status"] != "terminated"} - {COMP_ADMIN}


async def test_without_a_token_every_compensation_field_is_unauthenticated(server: RunningServer) -> None:
    # given no token, when each query and a mutation are sent
    anonymous = server.client()
    bodies = [await anonymous.execute(EMPLOYEE_PAY, {"id": EMPLOYEE}),
              await anonymous.execute("{ payBands { id } }"),
              await anonymous.execute("{ meritCycles { id } }"),
              await anonymous.execute(RECORD_PAY, {"input": {"employeeId": EMPLOYEE, "effectiveDate": "2026-11-01",
                                                             "amount": "1", "currency": "EUR", "reason": "x"}})]
    # then each is a top-level UNAUTHENTICATED error
    assert [[e["extensions"]["code"] for e in b["errors"]] for b in bodies] == [["UNAUTHENTICATED"]] * 4
