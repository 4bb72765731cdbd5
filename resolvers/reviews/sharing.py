"""``reviewFormChanged`` shared by a form's reader class, ``cycleProgressChanged`` by HR admins (realtime/groups.py).

Readers of one form who stand to it alike — its reviewer or not, and the same relations to the reviewee
(``models.reviews.permissions.FormReader``) — read the same fields of it, so their subscriptions (with the same
selection, schema/core/audience.py) share one execution: it decides each event for the class, not for a person.
Each member is still checked apart: its token's expiry before every delivery, a fresh read when an event names
it, and, at most once a second, every member's standing and class against the reviewee as stored now in one
read for the group: someone who left is ended ``UNAUTHENTICATED``, someone whose class changed (no longer the
reviewee's manager, a new role) ``SUBSCRIBE_AGAIN`` (subscribing again puts them where they now belong, or
refuses them).
"""

from __future__ import annotations

from dataclasses import replace

from graphql import GraphQLError

from models.core.viewer import Role, Viewer
from models.reviews.permissions import FormReader, form_reader
from realtime import Bus
from realtime.groups import Audience
from resolvers.core.audience import (
    LEFT,
    NOBODY_IN_PARTICULAR,
    Recheck,
    check_members,
    expiry,
    person_of,
    regranted,
    reread,
    shared_context,
)
from resolvers.core.context import Context, granted_roles
from resolvers.core.errors import Forbidden, SubscribeAgain, Unauthenticated
from resolvers.core.streams import ACTIVE_SECONDS, READ_AHEAD, RECHECK_SECONDS
from resolvers.reviews.access import form_bundle, readable_form

FORM_READER = "reviews.form_reader"  # the group context's extra: the class its one execution decides for
CLASS_CHANGED = "how you stand to this review changed: subscribe again"


def reader_of(context: Context) -> FormReader | None:
    """The class a shared execution of ``reviewFormChanged`` serves; ``None`` for a subscription of one."""
    reader = context.extras.get(FORM_READER) if context.on_names is not None else None
    return reader if isinstance(reader, FormReader) else None


async def form_reader_audience(context: Context, form_id: object) -> Audience | None:
    """The audience of a ``reviewFormChanged`` subscription to ``form_id``: the subscriber's reader class; or
    ``None`` (not signed in, no such form, not a reader) and the usual path reports why."""
    if not isinstance(form_id, str):
        return None
    try:
        viewer = await context.authenticate()
        bundle = await readable_form(context, form_id)
    except (Unauthenticated, Forbidden):
        return None
    if bundle is None:
        return None
    reader = form_reader(viewer, bundle.form, bundle.review, bundle.reviewee)

    def class_context(bus: Bus, recheck: Recheck) -> Context:
        # the first member's viewer only passes the stream's start-up check (they may read the form); each
        # event is decided for the class
        return shared_context(context, bus, recheck, viewer, {FORM_READER: reader})

    async def still_in_class(members: list[Context]) -> list[GraphQLError | None]:
        return await standing_in_class(context, form_id, reader, members)

    return Audience(("form-readers", viewer.organization_id, form_id, reader), class_context, check_members,
                    check_all=still_in_class, check_all_seconds=RECHECK_SECONDS, read_ahead=READ_AHEAD,
                    active_seconds=ACTIVE_SECONDS, expires=expiry, check_before_delivery=False,
                    person=person_of)


async def standing_in_class(context: Context, form_id: str, reader: FormReader,
                            members: list[Context]) -> list[GraphQLError | None]:
    """Each member still employed, and standing to the form as the class does, as stored now."""
    if not members:
        return []
    organization_id = members[0].viewer.organization_id if members[0].viewer else ""
    reading = shared_context(context, context.bus, _no_recheck, Viewer(NOBODY_IN_PARTICULAR, organization_id,
                                                                       frozenset()))
    bundle = await form_bundle(reading, form_id)
    assert reading.loaders is not None
    errors: list[GraphQLError | None] = []
    for member, employee in zip(members, await reread(members, reading.loaders), strict=True):
        if employee is None or member.viewer is None:
            errors.append(Unauthenticated(LEFT))
            continue
        member.viewer = viewer = replace(member.viewer, roles=granted_roles(member.claimed_roles, employee))
        now = form_reader(viewer, bundle.form, bundle.review, bundle.reviewee) if bundle is not None else None
        errors.append(None if now == reader else SubscribeAgain(CLASS_CHANGED))
    return errors


async def _no_recheck(names: object) -> None:
    return None


HR_ADMINS_ONLY = "this shared execution is for HR admins: subscribe again"


async def hr_admins_audience(context: Context) -> Audience | None:
    """The audience of a ``cycleProgressChanged`` selecting what every HR admin sees alike
    (``schema.core.audience.is_alike_for_hr_admins``) for an HR admin: the organisation's HR admins, one execution
    as an HR admin who is nobody in particular (every reviewee's counts). ``None`` for anyone else (not signed in,
    not an HR admin): their subscription is shared by the session, or the usual path reports why. Each member is
    checked apart: the token's expiry before every delivery, and at most once a second, in one read for the
    group, still employed (else ``UNAUTHENTICATED``) and still granted the HR admin role (else
    ``SUBSCRIBE_AGAIN``)."""
    try:
        viewer = await context.authenticate()
    except Unauthenticated:
        return None
    if not viewer.is_hr_admin:
        return None
    organization_id = viewer.organization_id

    def hr_context(bus: Bus, recheck: Recheck) -> Context:
        return shared_context(context, bus, recheck,
                              Viewer(NOBODY_IN_PARTICULAR, organization_id, frozenset({Role.HR_ADMIN})))

    return Audience(("hr-admins", organization_id), hr_context, check_members, check_all=still_hr_admins,
                    check_all_seconds=RECHECK_SECONDS, read_ahead=READ_AHEAD, active_seconds=ACTIVE_SECONDS,
                    expires=expiry, check_before_delivery=False, person=person_of)


async def still_hr_admins(members: list[Context]) -> list[GraphQLError | None]:
    """Each member still employed and granted the HR admin role as stored now, in one read."""
    return [Unauthenticated(LEFT) if viewer is None else None if viewer.is_hr_admin else SubscribeAgain(HR_ADMINS_ONLY)
            for viewer in await regranted(members)]
