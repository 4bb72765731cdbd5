"""Pay never travels over a subscription: an org-chart event selecting a person's pay carries no amount and a
FORBIDDEN error at the field, for a compensation admin and for the person alike, alone or in a shared
execution; the same viewer's query over HTTP still reads the pay."""

from __future__ import annotations

import json
from typing import Any

from tests.client import websocket
from tests.compensation.support import PEOPLE, amount_of, comp_admin, records_of
from tests.conftest import NORTHWIND, RunningServer
from tests.org.test_org_chart_changed import UPDATE_NAME

EMPLOYEE = NORTHWIND.personas["employee"]
CEO = PEOPLE[EMPLOYEE]["managerChain"][0]
PAY_SELECTION = "pay { annual { amount currency } current { base { amount currency } } history { base { amount } } }"
ORG_CHART_WITH_PAY = f"""
subscription($root: ID!) {{
  orgChartChanged(rootId: $root) {{ kind employeeIds employees {{ id name {PAY_SELECTION} }} }}
}}"""
EMPLOYEE_PAY_FIELD = f"query($id: ID!) {{ employee(id: $id) {{ id {PAY_SELECTION} }} }}"
PAY_LINE = ORG_CHART_WITH_PAY.splitlines()[2]  # line 3 of the document
REFUSAL = {"message": "pay is not sent over subscriptions",
           "locations": [{"line": 3, "column": PAY_LINE.index("pay {") + 1}],
           "path": ["orgChartChanged", "employees", 0, "pay"], "extensions": {"code": "FORBIDDEN"}}


def current_annual() -> str:
    """The employee's seeded annual pay in effect today (an annual record), as the API prints it."""
    records = sorted(records_of(EMPLOYEE), key=lambda r: r["effectiveDate"])
    return amount_of(records[-1]["base"]["minor"])


def renamed_event(name: str) -> dict[str, Any]:
    return {"orgChartChanged": {"kind": "EMPLOYEE_UPDATED", "employeeIds": [EMPLOYEE],
                                "employees": [{"id": EMPLOYEE, "name": name, "pay": None}]}}


async def test_a_compensation_admin_gets_no_pay_over_a_subscription_but_still_reads_it_by_query(
        server: RunningServer) -> None:
    # given a compensation admin, who reads the employee's pay over HTTP
    admin = await comp_admin(server)
    amount = current_annual()
    before = (await admin.data(EMPLOYEE_PAY_FIELD, {"id": EMPLOYEE}))["employee"]["pay"]
    assert before["annual"]["amount"] == amount
    # and who subscribes to the org chart selecting the pay of the people in each event
    async with websocket(server.ws_url, admin.token) as subscriber:
        await subscriber.subscribe(ORG_CHART_WITH_PAY, {"root": CEO})
        await server.wait_subscribers(1)
        # when HR renames the employee
        body = await server.client("hr_admin").data(UPDATE_NAME, {"id": EMPLOYEE, "name": "Renamed Person"})
        assert body["updateEmployee"]["errors"] == []
        # then the push names the person, carries no pay at all, and says FORBIDDEN at the pay field
        payload = await subscriber.next_payload()
    assert payload == {"data": renamed_event("Renamed Person"), "errors": [REFUSAL]}
    assert amount not in json.dumps(payload)
    # and the same admin's query of that employee's pay over HTTP still answers it
    after = (await admin.data(EMPLOYEE_PAY_FIELD, {"id": EMPLOYEE}))["employee"]
    assert after == {"id": EMPLOYEE, "pay": before}


async def test_a_shared_execution_reaches_no_pay_for_anyone_in_it(server: RunningServer) -> None:
    # given the employee, who may read their own pay, subscribed twice from one session (one shared execution),
    # and the compensation admin subscribed alike
    admin = await comp_admin(server)
    async with websocket(server.ws_url, server.token("employee")) as person, \
            websocket(server.ws_url, admin.token) as payroll:
        for subscriber in (person, person, payroll):
            await subscriber.subscribe(ORG_CHART_WITH_PAY, {"root": CEO})
        await server.wait_subscribers(3)
        stats = server.app.state.subscriptions.stats()
        assert (stats["groups"], stats["members"]) == (2, 3)
        # when HR renames the employee
        await server.client("hr_admin").data(UPDATE_NAME, {"id": EMPLOYEE, "name": "Shared Rename"})
        # then every push, the shared ones and the admin's, has a null pay and the FORBIDDEN error
        payloads = [await person.next_payload(), await person.next_payload(), await payroll.next_payload()]
    assert payloads == [{"data": renamed_event("Shared Rename"), "errors": [REFUSAL]}] * 3
    assert current_annual() not in json.dumps(payloads)
