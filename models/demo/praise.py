"""Demo praise: public recognition over the last three months, with reactions (see models/demo_feedback.py)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization
from models.feedback.praise import ReactionKind
from models.feedback.rules import DEFAULT_VALUES

MESSAGES = [
    "Huge thanks for staying late to get the {topic} over the line.",
    "The way you explained the {topic} to the customer was brilliant.",
    "You made the {topic} feel easy for everyone else. Great work!",
    "Thank you for mentoring the new joiners through the {topic}.",
    "Calm, clear and kind during the {topic}. We noticed.",
]
TOPICS = ["release", "renewal", "quarter close", "incident", "onboarding", "conference talk", "data migration"]


def demo_praise(demo: DemoOrganization, people: list[Document], today: date) -> list[Document]:
    """About 0.6 praise per person, newest within the last 90 days, 1–3 recipients, a few reactions each."""
    slug = demo.organization["slug"]
    rng = random.Random(f"praise:{slug}")
    persona = next((p for p in people if p["_id"] == demo.personas["employee"]), None)
    docs = []
    for index in range(max(5, round(len(people) * 0.6))):
        author = rng.choice(people)
        colleagues = [p for p in people if p["_id"] != author["_id"]]
        near = [p for p in colleagues if p.get("departmentId") == author.get("departmentId")] or colleagues
        recipients = rng.sample(near, min(len(near), rng.choice([1, 1, 1, 2, 3])))
        if index % 10 == 0 and persona is not None and author is not persona and persona not in recipients:
            recipients[0] = persona  # the demo employee has praise to show
        created = datetime.combine(today - timedelta(days=rng.randint(0, 90)), time(0), tzinfo=UTC) + timedelta(
            minutes=rng.randint(8 * 60, 19 * 60), milliseconds=rng.randint(0, 999))
        reactors = rng.sample(people, rng.randint(0, min(6, len(people))))
        docs.append({
            "_id": stable_id(f"{slug}:praise:{index}"), "organizationId": demo.organization["_id"],
            "authorId": author["_id"], "recipientIds": [r["_id"] for r in recipients],
            "message": rng.choice(MESSAGES).format(topic=rng.choice(TOPICS)), "value": rng.choice(DEFAULT_VALUES),
            "createdAt": created, "reactions": {p["_id"]: rng.choice(list(ReactionKind)).value for p in reactors},
        })
    return docs
