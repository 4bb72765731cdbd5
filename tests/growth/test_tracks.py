"""Career tracks: everyone in the organisation reads them, HR admins save them, bad input writes nothing."""

from __future__ import annotations

from tests.conftest import GLOBEX, RunningServer
from tests.growth.support import BY_TITLE, SEED, UNKNOWN_ID, error, snapshot

TRACKS = """
query($kind: CareerTrackKind) { careerTracks(kind: $kind) {
  id name kind department { name } steps { order position { id title level } } } }
"""
SAVE = """
mutation($id: ID, $name: String!, $kind: CareerTrackKind!, $positions: [ID!]!, $department: ID) {
  saveCareerTrack(id: $id, name: $name, kind: $kind, positionIds: $positions, departmentId: $department) {
    track { id name kind department { name } steps { order position { title } } } errors { field code message } } }
"""


async def test_everyone_reads_the_tracks_of_their_own_organisation(server: RunningServer) -> None:
    # given the seeded tracks: two per department family
    expected = sorted(SEED["careerTracks"], key=lambda t: (t["name"], t["_id"]))
    # when an employee lists them, then they get all twelve by name, with their rungs in order
    data = await server.client("employee").data(TRACKS)
    assert [t["id"] for t in data["careerTracks"]] == [t["_id"] for t in expected]
    engineering = next(t for t in data["careerTracks"] if t["name"] == "Engineering individual contributor")
    assert [(s["order"], s["position"]["title"]) for s in engineering["steps"]] == [
        (1, "Software Engineer"), (2, "Senior Software Engineer"), (3, "Tech Lead")]
    assert engineering["kind"] == "INDIVIDUAL_CONTRIBUTOR" and engineering["department"] == {"name": "Engineering"}
    # and filtered by kind, only the six manager tracks
    managers = await server.client("employee").data(TRACKS, {"kind": "MANAGER"})
    assert len(managers["careerTracks"]) == 6 and {t["kind"] for t in managers["careerTracks"]} == {"MANAGER"}
    # and Globex's people see Globex's tracks only
    globex = await server.client(GLOBEX.personas["employee"], GLOBEX).data(TRACKS)
    assert not {t["id"] for t in globex["careerTracks"]} & {t["_id"] for t in SEED["careerTracks"]}


async def test_hr_saves_a_track_and_a_new_version_of_it(server: RunningServer) -> None:
    # given HR admin and three finance positions of rising level
    hr = server.client("hr_admin")
    positions = [BY_TITLE[t]["_id"] for t in ("Financial Analyst", "Senior Financial Analyst", "VP Finance")]
    # when HR saves a new track
    saved = (await hr.data(SAVE, {"name": " Finance fast track ", "kind": "INDIVIDUAL_CONTRIBUTOR",
                                  "positions": positions}))["saveCareerTrack"]
    # then it is saved as given, its name trimmed
    assert saved["errors"] == []
    assert (saved["track"]["name"], [s["position"]["title"] for s in saved["track"]["steps"]]) == (
        "Finance fast track", ["Financial Analyst", "Senior Financial Analyst", "VP Finance"])
    # when HR saves it again with two rungs, then the same track has them
    again = (await hr.data(SAVE, {"id": saved["track"]["id"], "name": "Finance", "kind": "MANAGER",
                                  "positions": positions[1:]}))["saveCareerTrack"]
    assert (again["track"]["id"], again["track"]["kind"], [s["order"] for s in again["track"]["steps"]]) == (
        saved["track"]["id"], "MANAGER", [1, 2])
    stored = await server.database.careerTracks.find_one({"_id": saved["track"]["id"]})
    assert [s["positionId"] for s in stored["steps"]] == positions[1:]


async def test_refusals_are_typed_and_write_nothing(server: RunningServer) -> None:
    # given the store as seeded
    before = await snapshot(server)
    finance = [BY_TITLE[t]["_id"] for t in ("Financial Analyst", "Senior Financial Analyst")]
    globex_position = GLOBEX.positions[0]["_id"]
    cases = [
        ("employee", {"name": "Mine", "kind": "MANAGER", "positions": finance},
         [error(None, "FORBIDDEN", "only HR admins save career tracks")]),
        ("hr_admin", {"name": "Other org", "kind": "MANAGER", "positions": [finance[0], globex_position]},
         [error("positionIds", "NOT_FOUND", f"no position {globex_position!r} in your organisation")]),
        ("hr_admin", {"name": "Down", "kind": "MANAGER", "positions": list(reversed(finance))},
         [error("positionIds", "INVALID", "the steps of a track rise in level: each above the one before")]),
        ("hr_admin", {"name": "One", "kind": "MANAGER", "positions": finance[:1]},
         [error("positionIds", "INVALID", "a career track has between 2 and 12 steps")]),
        ("hr_admin", {"name": "Twice", "kind": "MANAGER", "positions": [finance[0], finance[0]]},
         [error("positionIds", "DUPLICATE", "a position appears twice in the track")]),
        ("hr_admin", {"name": " ", "kind": "MANAGER", "positions": finance},
         [error("name", "REQUIRED", "name must not be empty")]),
        ("hr_admin", {"id": UNKNOWN_ID, "name": "Gone", "kind": "MANAGER", "positions": finance},
         [error("id", "NOT_FOUND", f"no career track {UNKNOWN_ID!r} in your organisation")]),
        ("hr_admin", {"name": "Dept", "kind": "MANAGER", "positions": finance, "department": UNKNOWN_ID},
         [error("departmentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
    ]
    for who, variables, errors in cases:
        # when each is saved, then it is refused with exactly that error and no track
        payload = (await server.client(who).data(SAVE, variables))["saveCareerTrack"]
        assert payload == {"track": None, "errors": errors}, variables
    # and nothing was written
    assert await snapshot(server) == before
