"""Pay bands per position or position level and location zone: the lookup's precedence, compa-ratio and range
position from the band found, the zone on a running cycle's snapshot and at launch, and the refusals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tests.client import refused
from tests.compensation.support import (
    PAY_COLLECTIONS,
    PEOPLE,
    RUNNING,
    SAVE_BAND,
    close_running_cycle,
    comp_admin,
    launched_cycle,
    participant,
)
from tests.conftest import NORTHWIND, RunningServer

EMPLOYEE = NORTHWIND.personas["employee"]
TEAM_LEAD = PEOPLE[EMPLOYEE]["managerId"]
POSITION = PEOPLE[EMPLOYEE]["positionId"]
LEVEL = next(p for p in NORTHWIND.positions if p["_id"] == POSITION)["level"]
ASSIGN = """
mutation($employee: ID!, $zone: String) { assignPayZone(employeeId: $employee, zone: $zone) {
  pay { zone bandMatch compaRatio rangePosition annual { amount }
        band { level zone position { id } midpoint { amount } } }
  errors { field code message } } }"""
PAY = """query($id: ID!) { employeePay(employeeId: $id) { zone bandMatch compaRatio
  band { level zone position { id } midpoint { amount } } } }"""
PARTICIPANTS = """
query($cycle: ID!, $manager: ID!) { meritProposals(cycleId: $cycle, managerId: $manager, first: 50) {
  edges { node { employee { id } zone level compaRatio rangePosition } } } }"""


def band_input(**fields: object) -> dict[str, object]:
    return {"currency": "EUR", **fields}


def ratio(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


async def save_zone_bands(admin: object) -> None:
    """A level band in Lisbon (40,000 midpoint, 30,000-50,000) and the position's band in Munich (60,000)."""
    for fields in (dict(level=LEVEL, zone="PT-LIS", minimum="30000", midpoint="40000", maximum="50000"),
                   dict(positionId=POSITION, zone="DE-MUC", minimum="48000", midpoint="60000", maximum="72000")):
        saved = await admin.data(SAVE_BAND, {"input": band_input(**fields)})  # type: ignore[attr-defined]
        assert saved["savePayBand"]["errors"] == [], saved


async def test_the_band_is_found_by_zone_first_then_by_position_before_level(server: RunningServer) -> None:
    # given bands for the employee's level in Lisbon and for their position in Munich (and the seeded position
    # band, for every zone)
    admin = await comp_admin(server)
    await save_zone_bands(admin)
    seeded = (await admin.data(PAY, {"id": EMPLOYEE}))["employeePay"]
    assert (seeded["zone"], seeded["bandMatch"], seeded["band"]["zone"]) == (None, "POSITION", None)
    # when the employee is placed in Lisbon, then in Munich, then in Paris (no band of its own)
    lisbon = (await admin.data(ASSIGN, {"employee": EMPLOYEE, "zone": "PT-LIS"}))["assignPayZone"]
    munich = (await admin.data(ASSIGN, {"employee": EMPLOYEE, "zone": "DE-MUC"}))["assignPayZone"]
    paris = (await admin.data(ASSIGN, {"employee": EMPLOYEE, "zone": "FR-PAR"}))["assignPayZone"]
    # then Lisbon has no position band: the level's band there applies, with compa-ratio and range position from it
    annual = Decimal(lisbon["pay"]["annual"]["amount"])
    assert lisbon["errors"] == []
    assert (lisbon["pay"]["zone"], lisbon["pay"]["bandMatch"]) == ("PT-LIS", "LEVEL_ZONE")
    assert lisbon["pay"]["band"] == {"level": LEVEL, "zone": "PT-LIS", "position": None,
                                     "midpoint": {"amount": "40000.00"}}
    assert lisbon["pay"]["compaRatio"] == ratio(annual / 40000)
    assert lisbon["pay"]["rangePosition"] == ratio((annual - 30000) / 20000)
    # Munich's position band wins over the zone-less one; Paris falls back to the band for every zone
    assert (munich["pay"]["bandMatch"], munich["pay"]["band"]["midpoint"]) == ("POSITION_ZONE", {"amount": "60000.00"})
    assert munich["pay"]["compaRatio"] == ratio(annual / 60000)
    assert (paris["pay"]["zone"], paris["pay"]["bandMatch"], paris["pay"]["band"]["zone"]) == ("FR-PAR", "POSITION",
                                                                                               None)
    assert paris["pay"]["compaRatio"] == seeded["compaRatio"]


async def test_a_zone_moves_the_running_cycles_snapshot(server: RunningServer) -> None:
    # given the seeded cycle in proposals, with the employee's snapshot against the position band
    admin = await comp_admin(server)
    await save_zone_bands(admin)
    seeded = participant(RUNNING, EMPLOYEE)
    # when the employee is placed in Munich
    await admin.data(ASSIGN, {"employee": EMPLOYEE, "zone": "DE-MUC"})
    # then their snapshot's band, zone and compa-ratio follow, in the same write, and the pay stays as it was
    stored = await server.database.meritParticipants.find_one({"_id": seeded["_id"]})
    pay = Decimal(seeded["pay"]["minor"]) / 100
    assert (stored["zone"], stored["compaRatio"], stored["pay"]) == ("DE-MUC", ratio(pay / 60000), seeded["pay"])
    assert stored["rangePosition"] == ratio((pay - 48000) / 24000)
    assert stored["trail"][-1]["kind"] == "pay_changed"


async def test_a_launch_snapshots_the_band_of_the_zone(server: RunningServer) -> None:
    # given the employee in Lisbon, where only their level has a band
    admin = await comp_admin(server)
    await save_zone_bands(admin)
    await admin.data(ASSIGN, {"employee": EMPLOYEE, "zone": "PT-LIS"})
    await close_running_cycle(server)
    # when a cycle is launched
    cycle_id, _ = await launched_cycle(admin)
    # then the employee's place in it holds the zone, the level and compa-ratio and range position from that band
    data = await admin.data(PARTICIPANTS, {"cycle": cycle_id, "manager": TEAM_LEAD})
    node = next(e["node"] for e in data["meritProposals"]["edges"] if e["node"]["employee"]["id"] == EMPLOYEE)
    stored = await server.database.meritParticipants.find_one({"cycleId": cycle_id, "employeeId": EMPLOYEE})
    pay = Decimal(stored["pay"]["minor"]) / 100
    assert node == {"employee": {"id": EMPLOYEE}, "zone": "PT-LIS", "level": LEVEL, "compaRatio": ratio(pay / 40000),
                    "rangePosition": ratio((pay - 30000) / 20000)}


async def test_bad_zones_and_bands_are_refused_and_nothing_is_written(server: RunningServer) -> None:
    # given a compensation admin and an HR admin (who does not manage pay)
    admin = await comp_admin(server)
    before = await server.snapshot(PAY_COLLECTIONS)
    # when zones and bands are given wrong
    bad_zone = await admin.execute(ASSIGN, {"employee": EMPLOYEE, "zone": "lisbon"})
    unknown = await admin.execute(ASSIGN, {"employee": "0" * 24, "zone": "PT-LIS"})
    by_hr = await server.client("hr_admin").execute(ASSIGN, {"employee": EMPLOYEE, "zone": "PT-LIS"})
    both = await admin.execute(SAVE_BAND, {"input": band_input(positionId=POSITION, level=LEVEL, minimum="1",
                                                               midpoint="2", maximum="3")})
    neither = await admin.execute(SAVE_BAND, {"input": band_input(minimum="1", midpoint="2", maximum="3")})
    level_zero = await admin.execute(SAVE_BAND, {"input": band_input(level=0, minimum="1", midpoint="2", maximum="3")})
    zone = await admin.execute(SAVE_BAND, {"input": band_input(level=2, zone="pt lis", minimum="1", midpoint="2",
                                                               maximum="3")})
    # then each is a typed payload error and nothing changed
    assert [(f, c) for f, c, _ in refused(bad_zone)] == [("zone", "INVALID")]
    assert [(f, c) for f, c, _ in refused(unknown)] == [("employeeId", "NOT_FOUND")]
    assert [(f, c) for f, c, _ in refused(by_hr)] == [(None, "FORBIDDEN")]
    assert [(f, c) for f, c, _ in refused(both)] == [("positionId", "REQUIRED")]
    assert [(f, c) for f, c, _ in refused(neither)] == [("positionId", "REQUIRED")]
    assert [(f, c) for f, c, _ in refused(level_zero)] == [("level", "INVALID")]
    assert [(f, c) for f, c, _ in refused(zone)] == [("zone", "INVALID")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
