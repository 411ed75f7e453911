"""Messages on a timetable rather than an event: reminders before each meeting and the weekly
digest. ``lsphub worker`` runs :func:`run_due` every few minutes; ``lsphub notify`` runs it
once. Both are safe to run as often as anyone likes: the dedupe keys make a reminder go once
per person per cycle and a digest once per person per week.

Each run reads in a fixed number of set-based queries whatever the number of people and tasks
(``bench/reminder_bench.py`` measures it) and queues in one flush.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, insert, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.calendar import add_months
from api.core.clock import LONDON
from api.core.db import session_scope
from api.core.settings import get_settings
from api.meetings.models import Meeting, MeetingStatus
from api.notifications.categories import CATEGORIES, Category
from api.notifications.handlers import when
from api.notifications.models import NotificationPreference, OutboxMessage
from api.notifications.outbox import message_values, render
from api.organisations.models import Organisation
from api.partnerships.models import Membership, Partnership, PartnershipStatus
from api.partnerships.service import open_on
from api.people.models import Person
from api.plans.models import Action, ActionPlan, Rag, StatusUpdate, Task

log = logging.getLogger("lsphub.mail")


def _base() -> str:
    return get_settings().public_base_url.rstrip("/")


def _opted(session: Session, category: Category) -> dict[int, bool]:
    """Each person's explicit choice for ``category``."""
    return dict(
        session.execute(
            select(NotificationPreference.person_id, NotificationPreference.enabled).where(
                col(NotificationPreference.category) == category
            )
        ).all()
    )


def _existing_keys(session: Session, category: Category, since: datetime) -> set[str]:
    return set(
        session.scalars(
            select(OutboxMessage.dedupe_key).where(
                col(OutboxMessage.category) == category, col(OutboxMessage.created_at) >= since
            )
        )
    )


def _wants(choices: dict[int, bool], person_id: int, category: Category) -> bool:
    return choices.get(person_id, CATEGORIES[category].default)


# -- reminders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    partnership_id: int
    partnership: str
    meeting_id: int
    meeting_title: str
    starts_at: datetime
    since: date  # tasks not updated on or after this day are stale


def cycles_due(session: Session, today: date, now: datetime) -> list[Cycle]:
    """Active partnerships whose next meeting is within the reminder window, each with the day
    its cycle began: its previous meeting, or one reporting cycle before the next."""
    horizon = datetime.combine(
        today + timedelta(days=get_settings().reminder_days_before + 1), time(0), tzinfo=LONDON
    )
    rows = session.execute(
        sa_select(
            col(Meeting.id),
            col(Meeting.partnership_id),
            col(Meeting.title),
            col(Meeting.starts_at),
            col(Partnership.name),
            col(Partnership.reporting_cycle_months),
        )
        .join(Partnership, col(Partnership.id) == col(Meeting.partnership_id))
        .where(
            col(Partnership.status) == PartnershipStatus.active,
            col(Meeting.status) == MeetingStatus.scheduled,
            col(Meeting.starts_at) > now,
            col(Meeting.starts_at) < horizon,
        )
        .order_by(col(Meeting.partnership_id), col(Meeting.starts_at), col(Meeting.id))
    ).all()
    nexts: dict[int, Any] = {}
    for row in rows:
        nexts.setdefault(row[1], row)
    if not nexts:
        return []
    previous = dict(
        session.execute(
            select(Meeting.partnership_id, func.max(Meeting.starts_at))
            .where(
                col(Meeting.partnership_id).in_(list(nexts)),
                col(Meeting.starts_at) <= now,
                col(Meeting.status).in_([MeetingStatus.held, MeetingStatus.scheduled]),
            )
            .group_by(col(Meeting.partnership_id))
        ).all()
    )
    cycles = []
    for partnership_id, (meeting_id, _, title, starts_at, name, months) in nexts.items():
        before = previous.get(partnership_id)
        since = (
            before.astimezone(LONDON).date()
            if before is not None
            else add_months(starts_at.astimezone(LONDON).date(), -months)
        )
        cycles.append(Cycle(partnership_id, name, meeting_id, title, starts_at, since))
    return cycles


def queue_reminders(session: Session, today: date | None = None) -> int:
    """One message to each contact of each lead organisation with tasks not updated this
    cycle, listing them; returns how many were queued. A lead organisation's contacts are the
    partnership's current members who represent it (or, representing no one, work for it)."""
    today = today or clock.today()
    now = clock.now()
    cycles = {c.partnership_id: c for c in cycles_due(session, today, now)}
    if not cycles:
        return 0
    stale: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for task_id, ref, title, rag, reported, org, action_ref, partnership_id in session.execute(
        sa_select(
            col(Task.id),
            col(Task.ref),
            col(Task.title),
            col(Task.rag),
            col(Task.last_reported_on),
            col(Task.lead_organisation_id),
            col(Action.ref),
            col(ActionPlan.partnership_id),
        )
        .join(Action, col(Action.id) == col(Task.action_id))
        .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
        .where(
            col(ActionPlan.partnership_id).in_(list(cycles)),
            col(Task.lead_organisation_id).is_not(None),
            or_(col(Task.rag).is_(None), col(Task.rag) != Rag.complete),
            or_(
                col(Task.last_reported_on).is_(None),
                col(Task.last_reported_on) < max(c.since for c in cycles.values()),
            ),
        )
        .order_by(col(ActionPlan.partnership_id), col(Action.ref), col(Task.ref), col(Task.id))
    ):
        if reported is not None and reported >= cycles[partnership_id].since:
            continue
        assert partnership_id is not None and org is not None
        stale[(partnership_id, org)].append(
            {
                "ref": f"{action_ref}{ref}",
                "title": title,
                "rag": rag,
                "last_reported_on": reported.isoformat() if reported else None,
                "url": f"{_base()}/tasks/{task_id}",
            }
        )
    if not stale:
        return 0
    represents = func.coalesce(col(Membership.on_behalf_of_id), col(Person.organisation_id))
    contacts: dict[tuple[int, int | None], list[tuple[int, str, str]]] = defaultdict(list)
    for partnership_id, org, person_id, name, email in session.execute(
        sa_select(
            col(Membership.partnership_id),
            represents,
            col(Person.id),
            col(Person.name),
            col(Person.email),
        )
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(
            col(Membership.partnership_id).in_(list(cycles)),
            open_on(today),
            col(Person.email).is_not(None),
        )
        .order_by(col(Person.id))
    ):
        if (partnership_id, org) in stale and all(
            p != person_id for p, _, _ in contacts[(partnership_id, org)]
        ):
            contacts[(partnership_id, org)].append((person_id or 0, name, email or ""))
    org_names: dict[int, str] = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(
                col(Organisation.id).in_({org for _, org in stale})
            )
        ).all()
    )
    choices = _opted(session, Category.reminder)
    done = _existing_keys(session, Category.reminder, now - timedelta(days=400))
    queued = []
    for (partnership_id, org), tasks in stale.items():
        cycle = cycles[partnership_id]
        if not contacts.get((partnership_id, org)):
            continue
        # The list is the same for every contact of the organisation: rendered once.
        tasks_text, tasks_html = render("reminder_tasks", {"tasks": tasks})
        for person_id, name, email in contacts[(partnership_id, org)]:
            key = f"reminder:m{cycle.meeting_id}:o{org}:p{person_id}"
            if key in done or not _wants(choices, person_id, Category.reminder):
                continue
            done.add(key)
            queued.append(
                message_values(
                    to=email,
                    to_name=name,
                    person_id=person_id,
                    subject=(
                        f"[{cycle.partnership}] Please update {len(tasks)} "
                        f"task{'s' if len(tasks) != 1 else ''} before {cycle.meeting_title}"
                    ),
                    template="reminder",
                    context={
                        "person": name,
                        "partnership": cycle.partnership,
                        "organisation": org_names.get(org, ""),
                        "meeting": {
                            "title": cycle.meeting_title,
                            "when": when(cycle.starts_at),
                            "url": f"{_base()}/meetings/{cycle.meeting_id}",
                        },
                        "since": cycle.since.isoformat(),
                        "tasks_text": tasks_text,
                        "tasks_html": Markup(tasks_html),
                        "worklist_url": f"{_base()}/partnerships/{partnership_id}",
                    },
                    category=Category.reminder,
                    dedupe_key=key,
                )
            )
    _insert(session, queued)
    return len(queued)


def _insert(session: Session, messages: list[dict[str, Any]]) -> None:
    """One multi-row INSERT for a run's messages (a unique clash fails the whole run)."""
    if messages:
        session.execute(insert(OutboxMessage), messages)


# -- weekly digest -----------------------------------------------------------------------------


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def queue_digests(session: Session, today: date | None = None) -> int:
    """A weekly digest to each person who asked for one: per partnership of theirs, the status
    updates of the last seven days, the red tasks and the next meeting."""
    today = today or clock.today()
    now = clock.now()
    wanted = [p for p, on in _opted(session, Category.digest).items() if on]
    if not wanted:
        return 0
    week = _week(today)
    done = _existing_keys(session, Category.digest, now - timedelta(days=8))
    people = {
        pid: (name, email)
        for pid, name, email in session.execute(
            select(Person.id, Person.name, Person.email).where(
                col(Person.id).in_(wanted), col(Person.email).is_not(None)
            )
        )
        if f"digest:{week}:p{pid}" not in done
    }
    if not people:
        return 0
    mine: dict[int, list[int]] = defaultdict(list)
    for person_id, partnership_id in session.execute(
        select(Membership.person_id, Membership.partnership_id)
        .where(col(Membership.person_id).in_(list(people)), open_on(today))
        .order_by(col(Membership.partnership_id))
    ):
        if partnership_id not in mine[person_id]:
            mine[person_id].append(partnership_id)
    partnership_ids = sorted({p for ps in mine.values() for p in ps})
    summary = _partnership_summaries(session, partnership_ids, today, now)
    queued = []
    for person_id, (name, email) in people.items():
        sections = [summary[p] for p in mine.get(person_id, []) if p in summary]
        queued.append(
            message_values(
                to=email,
                to_name=name,
                person_id=person_id,
                subject=f"[LSP Hub] Your week {week}: {len(sections)} partnerships",
                template="digest",
                context={"person": name, "week": week, "sections": sections},
                category=Category.digest,
                dedupe_key=f"digest:{week}:p{person_id}",
            )
        )
    _insert(session, queued)
    return len(queued)


def _partnership_summaries(
    session: Session, partnership_ids: Iterable[int], today: date, now: datetime
) -> dict[int, dict[str, Any]]:
    ids = list(partnership_ids)
    if not ids:
        return {}
    names: dict[int, str] = dict(
        session.execute(
            select(Partnership.id, Partnership.name).where(col(Partnership.id).in_(ids))
        ).all()
    )
    updates = dict(
        session.execute(
            select(ActionPlan.partnership_id, func.count(col(StatusUpdate.id)))
            .join(Task, col(Task.id) == col(StatusUpdate.task_id))
            .join(Action, col(Action.id) == col(Task.action_id))
            .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
            .where(
                col(ActionPlan.partnership_id).in_(ids),
                col(StatusUpdate.reported_on) > today - timedelta(days=7),
            )
            .group_by(col(ActionPlan.partnership_id))
        ).all()
    )
    red: dict[int, list[dict[str, str]]] = defaultdict(list)
    for partnership_id, task_id, ref, action_ref, title in session.execute(
        sa_select(
            col(ActionPlan.partnership_id),
            col(Task.id),
            col(Task.ref),
            col(Action.ref),
            col(Task.title),
        )
        .join(Action, col(Action.id) == col(Task.action_id))
        .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
        .where(col(ActionPlan.partnership_id).in_(ids), col(Task.rag) == Rag.red)
        .order_by(col(Action.ref), col(Task.ref), col(Task.id))
    ):
        red[partnership_id].append(
            {"ref": f"{action_ref}{ref}", "title": title, "url": f"{_base()}/tasks/{task_id}"}
        )
    nxt: dict[int, dict[str, str]] = {}
    for meeting_id, partnership_id, title, starts_at in session.execute(
        select(Meeting.id, Meeting.partnership_id, Meeting.title, Meeting.starts_at)
        .where(
            col(Meeting.partnership_id).in_(ids),
            col(Meeting.status) == MeetingStatus.scheduled,
            col(Meeting.starts_at) > now,
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    ):
        nxt.setdefault(
            partnership_id,
            {"title": title, "when": when(starts_at), "url": f"{_base()}/meetings/{meeting_id}"},
        )
    return {
        p: {
            "name": names[p],
            "url": f"{_base()}/partnerships/{p}",
            "updates": updates.get(p, 0),
            "red": red.get(p, []),
            "next": nxt.get(p),
        }
        for p in ids
        if p in names
    }


# -- running -----------------------------------------------------------------------------------


def run_due(today: date | None = None) -> dict[str, int]:
    """Queue what is due now, each kind in its own transaction; a clash with a concurrent run
    (the same dedupe key) rolls that kind back, and the next run queues what is still due."""
    counts: dict[str, int] = {}
    for name, job in (("reminders", queue_reminders), ("digests", queue_digests)):
        try:
            with session_scope() as session:
                counts[name] = job(session, today)
        except IntegrityError:
            log.info("%s: another run queued the same messages first", name)
            counts[name] = 0
    return counts
