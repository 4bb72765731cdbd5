"""SCIM deactivation starts the leaving process end to end: org's termination runs its departure steps, so the
exits domain opens the leaver's exit record, which HR then reads."""

from __future__ import annotations

from models.core import clock
from tests.conftest import RunningServer
from tests.exits.support import EXIT_RECORD
from tests.integrations.support import patch, scim_client


async def test_okta_deactivation_opens_an_exit_record_for_hr(server: RunningServer) -> None:
    # given Okta connected and the manager persona employed, with no exit record
    okta = await scim_client(server)
    manager_id = server.demo.personas["manager"]
    assert await server.database.exitRecords.find_one({"employeeId": manager_id}) is None
    # when Okta deactivates them
    deactivated = await okta.patch(f"/Users/{manager_id}", patch({"op": "replace", "value": {"active": False}}))
    assert deactivated.status_code == 200, deactivated.text
    # then HR finds their exit record: pending, leaving today, with their open work listed
    hr = server.client("hr_admin")
    stored = await server.database.exitRecords.find_one({"employeeId": manager_id})
    assert stored is not None
    record = (await hr.data(EXIT_RECORD, {"id": stored["_id"]}))["exitRecord"]
    assert record["employee"] == {"id": manager_id}
    assert (record["status"], record["lastDay"]) == ("PENDING", clock.today().isoformat())
    assert record["checklist"] != []
    # and deactivating again opens no second record
    again = await okta.patch(f"/Users/{manager_id}", patch({"op": "replace", "value": {"active": False}}))
    assert again.status_code == 200
    assert await server.database.exitRecords.count_documents({"employeeId": manager_id}) == 1
