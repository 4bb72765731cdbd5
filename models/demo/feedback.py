"""Demo feedback: a realistic spread of feedback, requests, anonymous upward feedback, praise and follow-ups.

Deterministic: ids from :func:`stable_id`, randomness from ``random.Random`` seeded by the slug, times
derived from :data:`SEED_TODAY`. Sizes scale with the organisation (about 200 feedback items, 30
requests, 120 praise and 50 follow-ups for 200 people). Anonymous upward feedback is seeded for the
previous quarter only (released batches for a few managers, one batch still below the threshold),
with placeholder contributor hashes: no seeded anonymous item is linked to anyone.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization
from models.demo.praise import demo_praise
from models.feedback.rules import (
    DEFAULT_COMPETENCIES,
    DEFAULT_VALUES,
    MIN_ANONYMITY_THRESHOLD,
    Direction,
    Visibility,
    direction_of,
    period_of,
)
from models.org.rules import EmployeeStatus

SEED_TODAY = date(2026, 11, 1)
ANONYMOUS_DAYS = (date(2026, 7, 1), date(2026, 9, 30))  # the quarter before SEED_TODAY's

TEXTS = {
    Direction.DOWNWARD: [
        "Your write-up of the {topic} made the decision easy for everyone. More of that, please.",
        "The {topic} slipped twice; let's agree on smaller milestones so we see trouble earlier.",
        "You handled the tough conversation about the {topic} calmly and fairly.",
        "I'd like you to take the lead on the {topic} next quarter; you're ready for it.",
    ],
    Direction.UPWARD: [
        "The context you gave before the {topic} helped me prioritise. Thank you.",
        "I'd appreciate earlier notice when priorities change around the {topic}.",
        "Our one-on-ones about the {topic} have been really useful lately.",
        "It would help to hear the reasoning behind the decision on the {topic}.",
    ],
    Direction.PEER: [
        "Thanks for jumping in on the {topic}; we would have missed the deadline without you.",
        "Your review comments on the {topic} were thorough and kind.",
        "Could we sync earlier on the {topic}? I found out about the change late.",
        "Pairing with you on the {topic} taught me a lot.",
    ],
}
TOPICS = ["quarterly plan", "customer escalation", "migration", "launch", "budget review", "hiring loop",
          "onboarding guide", "incident review", "pricing change", "team offsite"]
QUESTIONS = ["What should I keep doing, and what should I change?", "How did I do leading the {topic}?",
             "How can I be a better partner to your team?", "What is one thing I could do better next quarter?"]
ANONYMOUS_TEXTS = ["Team meetings run long and rarely end with decisions.", "I'd like clearer priorities each week.",
                   "You are approachable and that makes a big difference.", "Please share more about where the "
                   "company is heading.", "Recognition of quieter work would help morale.",
                   "Decisions sometimes get revisited without explanation.", "Thank you for protecting our focus time."]
FOLLOW_UPS = ["Agree on milestones for the {topic}", "Share a weekly priorities note", "Book a retro on the {topic}",
              "Pair on the next {topic}", "Draft a proposal for the {topic}", "Ask for a mentor on the {topic}"]
VISIBILITY_WEIGHTS = {
    Direction.DOWNWARD: ([Visibility.RECIPIENT_AND_MANAGER, Visibility.PRIVATE, Visibility.MANAGER_ONLY], [5, 3, 1]),
    Direction.UPWARD: ([Visibility.PRIVATE, Visibility.RECIPIENT_AND_MANAGER], [3, 1]),
    Direction.PEER: ([Visibility.PRIVATE, Visibility.RECIPIENT_AND_MANAGER, Visibility.MANAGER_ONLY], [4, 3, 2]),
}


class _Seeder:
    def __init__(self, demo: DemoOrganization) -> None:
        self.slug = demo.organization["slug"]
        self.rng = random.Random(f"feedback:{self.slug}")
        self.people = [e for e in demo.employees if e["status"] == EmployeeStatus.ACTIVE.value]
        self.by_id = {e["_id"]: e for e in self.people}
        self.reports: dict[str, list[Document]] = {}
        for person in self.people:
            if person["managerId"] in self.by_id:
                self.reports.setdefault(person["managerId"], []).append(person)
        self.personas = demo.personas
        self.feedback: list[Document] = []
        self.counts: dict[str, int] = {}

    def id(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return stable_id(f"{self.slug}:{kind}:{self.counts[kind]}")

    def at(self, days_ago: int) -> datetime:
        moment = datetime.combine(SEED_TODAY - timedelta(days=days_ago), time(0, 0), tzinfo=UTC)
        return moment + timedelta(minutes=self.rng.randint(8 * 60, 18 * 60), milliseconds=self.rng.randint(0, 999))

    def tags(self) -> list[str]:
        return self.rng.sample([*DEFAULT_VALUES, *DEFAULT_COMPETENCIES], self.rng.choice([0, 1, 1, 2]))

    def pair(self) -> tuple[Document, Document]:
        """An author and a recipient: down to a report, up to a manager, or across to a teammate."""
        rng = self.rng
        while True:
            kind = rng.choices(["down", "up", "peer"], [4, 2, 4])[0]
            if kind == "down":
                manager = self.by_id[rng.choice(sorted(self.reports))]
                return manager, rng.choice(self.reports[manager["_id"]])
            person = rng.choice(self.people)
            manager = self.by_id.get(person["managerId"])
            if manager is None:
                continue
            if kind == "up":
                return person, manager
            mates = [p for p in self.reports[manager["_id"]] if p["_id"] != person["_id"]]
            if mates:
                return person, rng.choice(mates)

    def give(self, author: Document, recipient: Document, days_ago: int, visibility: Visibility | None = None,
             request_id: str | None = None) -> Document:
        direction = direction_of(author, recipient)
        choices, weights = VISIBILITY_WEIGHTS[direction]
        created = self.at(days_ago)
        doc = {
            "_id": self.id("feedback"), "organizationId": author["organizationId"], "authorId": author["_id"],
            "recipientId": recipient["_id"], "text": self.rng.choice(TEXTS[direction]).format(
                topic=self.rng.choice(TOPICS)), "tags": self.tags(), "direction": direction.value,
            "visibility": (visibility or self.rng.choices(choices, weights)[0]).value, "requestId": request_id,
            "createdAt": created, "editedAt": None, "retractedAt": None,
        }
        roll = self.rng.random()
        if request_id is None and roll < 0.03:  # a few tombstones
            doc.update(text=None, tags=[], retractedAt=created + timedelta(minutes=self.rng.randint(2, 600)))
        elif roll < 0.08:
            doc["editedAt"] = created + timedelta(minutes=self.rng.randint(1, 14))
        self.feedback.append(doc)
        return doc

    def persona_feedback(self) -> None:
        """The demo personas have something to look at: feedback received, given, and about a report."""
        employee = self.by_id[self.personas["employee"]]
        manager = self.by_id[employee["managerId"]]
        mates = [p for p in self.reports[manager["_id"]] if p["_id"] != employee["_id"]]
        self.give(manager, employee, 3, Visibility.RECIPIENT_AND_MANAGER)
        self.give(manager, employee, 20, Visibility.MANAGER_ONLY)
        self.give(employee, manager, 6, Visibility.PRIVATE)
        for mate in mates[:2]:
            self.give(mate, employee, self.rng.randint(1, 30), Visibility.PRIVATE)
            self.give(employee, mate, self.rng.randint(1, 30), Visibility.RECIPIENT_AND_MANAGER)


def _request(seeder: _Seeder, requester: Document, subject: Document, respondents: list[Document],
             days_ago: int, answered_share: float, anonymous: bool = False) -> tuple[Document, list[Document]]:
    rng = seeder.rng
    created = seeder.at(days_ago)
    request = {
        "_id": seeder.id("feedback-request"), "organizationId": requester["organizationId"],
        "requesterId": requester["_id"], "subjectId": subject["_id"], "respondentIds": [r["_id"] for r in respondents],
        "question": rng.choice(QUESTIONS).format(topic=rng.choice(TOPICS)),
        "dueDate": (created.date() + timedelta(days=14)).isoformat(), "anonymous": anonymous,
        "period": period_of(created.date()), "answers": {}, "createdAt": created,
    }
    answers = []
    if not anonymous:
        own = subject["_id"] == requester["_id"]
        for respondent in respondents:
            if rng.random() < answered_share:
                visibility = rng.choice([Visibility.PRIVATE, Visibility.RECIPIENT_AND_MANAGER] if own
                                        else [Visibility.MANAGER_ONLY, Visibility.RECIPIENT_AND_MANAGER])
                answer = seeder.give(respondent, subject, max(0, days_ago - rng.randint(1, 10)), visibility,
                                     request["_id"])
                request["answers"][respondent["_id"]] = {"feedbackId": answer["_id"], "at": answer["createdAt"]}
                answers.append(answer)
    return request, answers


def _requests(seeder: _Seeder, count: int) -> list[Document]:
    rng, people = seeder.rng, seeder.people
    requests = []
    for i in range(count):
        if i % 3 == 2:  # a manager asks colleagues about a report
            manager = seeder.by_id[rng.choice(sorted(seeder.reports))]
            subject = rng.choice(seeder.reports[manager["_id"]])
            pool = [p for p in people if p["_id"] not in (manager["_id"], subject["_id"])
                    and p.get("departmentId") == subject.get("departmentId")] or people
        else:  # someone asks about themselves
            manager = subject = rng.choice(people)
            pool = [p for p in people if p["_id"] != subject["_id"]]
        respondents = rng.sample([p for p in pool if p["_id"] not in (manager["_id"], subject["_id"])],
                                 min(3, len(pool) - 2))
        requests.append(_request(seeder, manager, subject, respondents, rng.randint(2, 45), 0.6)[0])
    employee = seeder.by_id[seeder.personas["employee"]]
    colleague = next(p for p in people if p["managerId"] == employee["managerId"] and p["_id"] != employee["_id"])
    others = [p for p in people if p["_id"] not in (employee["_id"], colleague["_id"])]
    requests.append(_request(seeder, colleague, colleague, [employee, *rng.sample(others, 2)], 4, 0.0)[0])
    requests.append(_request(seeder, employee, employee, [colleague, *rng.sample(others, 2)], 12, 0.7)[0])
    manager = seeder.by_id[seeder.personas["manager"]]
    reports = seeder.reports.get(manager["_id"], [])
    if len(reports) >= MIN_ANONYMITY_THRESHOLD:
        requests.append(_request(seeder, manager, manager, reports, 12, 0.0, anonymous=True)[0])
    return requests


def _anonymous(seeder: _Seeder) -> tuple[list[Document], list[Document]]:
    """Released batches for up to three managers and one batch still pending, all in the previous quarter."""
    rng = seeder.rng
    period = period_of(ANONYMOUS_DAYS[0])
    span = (ANONYMOUS_DAYS[1] - ANONYMOUS_DAYS[0]).days
    eligible = sorted(m for m, r in seeder.reports.items() if len(r) >= MIN_ANONYMITY_THRESHOLD)
    managers = [seeder.personas["manager"]] if seeder.personas["manager"] in eligible else []
    managers += [m for m in rng.sample(eligible, min(4, len(eligible))) if m not in managers][:4 - len(managers)]
    items, contributors = [], []
    for index, manager_id in enumerate(managers):
        pending = index == len(managers) - 1 and len(managers) > 1
        count = 2 if pending else rng.randint(MIN_ANONYMITY_THRESHOLD, min(5, len(seeder.reports[manager_id])))
        ranks = rng.sample(range(count), count)
        for rank in ranks:
            items.append({
                "_id": seeder.id("anonymous-feedback"), "organizationId": seeder.by_id[manager_id]["organizationId"],
                "managerId": manager_id, "period": period,
                "day": (ANONYMOUS_DAYS[0] + timedelta(days=rng.randint(0, span))).isoformat(),
                "text": rng.choice(ANONYMOUS_TEXTS), "tags": seeder.tags(), "direction": Direction.UPWARD.value,
                "release": None if pending else 1, "rank": None if pending else rank,
            })
        contributors.append({
            "_id": seeder.id("anonymous-contributors"), "organizationId": seeder.by_id[manager_id]["organizationId"],
            "managerId": manager_id, "period": period, "releases": 0 if pending else 1,
            "contributors": sorted(f"{rng.getrandbits(256):064x}" for _ in range(count)),  # placeholders
        })
    return items, contributors


def _follow_ups(seeder: _Seeder, anonymous: list[Document], count: int) -> list[Document]:
    rng = seeder.rng
    docs = []
    candidates = [f for f in seeder.feedback if f["retractedAt"] is None]
    employee_id = seeder.personas["employee"]
    chosen = [f for f in candidates if f["recipientId"] == employee_id][:2]
    chosen += rng.sample([f for f in candidates if f not in chosen], min(count, len(candidates)) - len(chosen))
    for item in chosen:
        recipient = seeder.by_id[item["recipientId"]]
        by_manager = item["visibility"] == Visibility.MANAGER_ONLY.value or (
            item["visibility"] != Visibility.PRIVATE.value and rng.random() < 0.3)
        creator = recipient["managerId"] if by_manager else recipient["_id"]
        docs.append(_follow_up(seeder, item["_id"], False, recipient, creator, item["createdAt"]))
    for item in [a for a in anonymous if a["release"] is not None and a["managerId"] == seeder.personas["manager"]][:2]:
        manager = seeder.by_id[item["managerId"]]
        docs.append(_follow_up(seeder, item["_id"], True, manager, manager["_id"],
                               datetime.combine(date.fromisoformat(item["day"]), time(12), tzinfo=UTC)))
    return docs


def _follow_up(seeder: _Seeder, feedback_id: str, anonymous: bool, concerned: Document, creator: str,
               after: datetime) -> Document:
    rng = seeder.rng
    created = after + timedelta(days=1)
    done = rng.random() < 0.3
    return {
        "_id": seeder.id("follow-up"), "organizationId": concerned["organizationId"], "feedbackId": feedback_id,
        "anonymous": anonymous, "employeeId": concerned["_id"], "ownerId": concerned["_id"], "createdById": creator,
        "text": rng.choice(FOLLOW_UPS).format(topic=rng.choice(TOPICS)),
        "dueDate": (SEED_TODAY + timedelta(days=rng.randint(-30, 45))).isoformat(), "done": done,
        "doneAt": created + timedelta(days=rng.randint(1, 10)) if done else None, "createdAt": created,
    }


def demo_feedback(demo: DemoOrganization) -> dict[str, list[Document]]:
    """Every feedback-domain collection of the demo organisation."""
    seeder = _Seeder(demo)
    size = len(seeder.people)
    for _ in range(size):
        author, recipient = seeder.pair()
        seeder.give(author, recipient, seeder.rng.randint(1, 120))
    seeder.persona_feedback()
    requests = _requests(seeder, max(3, size // 7))
    anonymous, contributors = _anonymous(seeder)
    follow_ups = _follow_ups(seeder, anonymous, max(4, size // 4))
    settings = {"_id": stable_id(f"{seeder.slug}:feedback-settings"), "organizationId": demo.organization["_id"],
                "anonymityThreshold": MIN_ANONYMITY_THRESHOLD, "values": list(DEFAULT_VALUES),
                "competencies": list(DEFAULT_COMPETENCIES)}
    return {
        "feedback": seeder.feedback, "feedbackRequests": requests, "anonymousFeedback": anonymous,
        "anonymousContributors": contributors, "feedbackSettings": [settings], "followUps": follow_ups,
        "praise": demo_praise(demo, seeder.people, SEED_TODAY),
    }
