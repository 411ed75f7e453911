"""Events -> messages. Each handler runs in the transaction of the event (``api.core.events``)
and queues through :func:`api.notifications.outbox.enqueue`; :func:`install` subscribes them."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.accounts.events import PasswordLinkIssued
from api.accounts.password_links import token_slot
from api.core import clock
from api.core.clock import LONDON
from api.core.events import subscribe
from api.core.settings import get_settings
from api.meetings.events import (
    AgendaPublished,
    MeetingAdjourned,
    MeetingCancelled,
    MeetingChanged,
    MeetingScheduled,
    MinutesApproved,
)
from api.meetings.models import AgendaItem, Meeting
from api.notifications import audience
from api.notifications.categories import Category
from api.notifications.invitations import Method, invitation
from api.notifications.outbox import enqueue
from api.organisations.models import Organisation
from api.partnerships.models import Partnership
from api.plans.events import TaskTurnedRed
from api.plans.models import Action, ActionPlan, Task
from api.reports.models import Report


def when(at: datetime) -> str:
    """``Tuesday 3 February 2026, 18:00`` in London."""
    local = at.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


def _base() -> str:
    return get_settings().public_base_url.rstrip("/")


def meeting_context(meeting: Meeting, partnership: Partnership) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "when": when(meeting.starts_at),
        "ends": when(meeting.ends_at) if meeting.ends_at else None,
        "location": meeting.location,
        "status": str(meeting.status),
        "url": f"{_base()}/meetings/{meeting.id}",
        "partnership": partnership.name,
    }


def _meeting(session: Session, meeting_id: int) -> tuple[Meeting, Partnership]:
    meeting = session.get_one(Meeting, meeting_id)
    return meeting, session.get_one(Partnership, meeting.partnership_id)


NOTICES: dict[str, tuple[str, Method]] = {
    "called": ("notice of meeting, {when}", "REQUEST"),
    "changed": ("changed: now {when}", "REQUEST"),
    "reinstated": ("reinstated: {when}", "REQUEST"),
    "cancelled": ("cancelled", "CANCEL"),
}


def _to_members(
    session: Session,
    partnership: Partnership,
    *,
    subject: str,
    template: str,
    context: dict[str, Any],
    category: Category,
    dedupe_key: str,
    attachments: Callable[[str], list[Any]] = lambda email: [],
) -> None:
    """One message to each current member; ``dedupe_key`` is completed per person and
    ``attachments`` made for each member's address."""
    for person in audience.members(session, partnership.id or 0):
        enqueue(
            session,
            to=person.email,
            to_name=person.name,
            person_id=person.person_id,
            subject=subject,
            template=template,
            context={**context, "person": person.name},
            category=category,
            dedupe_key=f"{dedupe_key}:p{person.person_id}",
            attachments=attachments(person.email),
        )


def _notice(session: Session, meeting_id: int, kind: str) -> None:
    """Notice to every member; none for a meeting that has already begun (one recorded after
    the event, or cancelled after the day)."""
    meeting, partnership = _meeting(session, meeting_id)
    if meeting.starts_at <= clock.now():
        return
    subject_tail, method = NOTICES[kind]
    details = meeting_context(meeting, partnership)
    context = {"kind": kind, "meeting": details}
    subject = f"[{partnership.name}] {meeting.title} — " + subject_tail.format(when=details["when"])
    _to_members(
        session,
        partnership,
        subject=subject,
        template="meeting_notice",
        context=context,
        category=Category.meeting_notice,
        dedupe_key=f"meeting:{meeting.id}:{kind}:v{meeting.version}",
        attachments=lambda email: [invitation(meeting, partnership.name, email, method)],
    )


def on_scheduled(session: Session, event: MeetingScheduled) -> None:
    meeting = session.get_one(Meeting, event.meeting_id)
    _notice(session, event.meeting_id, "called" if meeting.version == 1 else "reinstated")


def on_changed(session: Session, event: MeetingChanged) -> None:
    _notice(session, event.meeting_id, "changed")


def on_cancelled(session: Session, event: MeetingCancelled) -> None:
    _notice(session, event.meeting_id, "cancelled")


def on_adjourned(session: Session, event: MeetingAdjourned) -> None:
    """Notice of the resumed meeting at once (the handbook: "as soon as is reasonably
    practicable"), inviting to the resumed meeting and withdrawing the adjourned one."""
    meeting, partnership = _meeting(session, event.meeting_id)
    resumed = session.get_one(Meeting, event.resumed_meeting_id)
    if resumed.starts_at <= clock.now():
        return  # recorded after the resumed meeting took place: nothing to announce
    context = {
        "meeting": meeting_context(meeting, partnership),
        "resumed": meeting_context(resumed, partnership),
    }
    subject = (
        f"[{partnership.name}] {meeting.title} — adjourned; resumes {context['resumed']['when']}"
    )
    _to_members(
        session,
        partnership,
        subject=subject,
        template="adjourned",
        context=context,
        category=Category.meeting_notice,
        dedupe_key=f"adjourned:{meeting.id}:{resumed.id}",
        attachments=lambda email: [
            invitation(resumed, partnership.name, email, "REQUEST"),
            invitation(meeting, partnership.name, email, "CANCEL"),
        ],
    )


def on_agenda_published(session: Session, event: AgendaPublished) -> None:
    meeting, partnership = _meeting(session, event.meeting_id)
    items = session.execute(
        select(AgendaItem.title, AgendaItem.presenter, AgendaItem.report_id, Report.title)
        .outerjoin(Report, col(Report.id) == col(AgendaItem.report_id))
        .where(col(AgendaItem.meeting_id) == meeting.id)
        .order_by(col(AgendaItem.position), col(AgendaItem.id))
    ).all()
    agenda = [
        {
            "title": title,
            "presenter": presenter,
            "paper": paper,
            "paper_url": f"{_base()}/reports/{report_id}" if report_id else None,
        }
        for title, presenter, report_id, paper in items
    ]
    context = {"meeting": meeting_context(meeting, partnership), "agenda": agenda}
    subject = f"[{partnership.name}] {meeting.title} — agenda and papers"
    _to_members(
        session,
        partnership,
        subject=subject,
        template="agenda",
        context=context,
        category=Category.agenda,
        dedupe_key=f"agenda:{meeting.id}:v{meeting.version}",
    )


def on_minutes_approved(session: Session, event: MinutesApproved) -> None:
    meeting, partnership = _meeting(session, event.meeting_id)
    context = {"meeting": meeting_context(meeting, partnership)}
    subject = f"[{partnership.name}] {meeting.title} — minutes approved"
    _to_members(
        session,
        partnership,
        subject=subject,
        template="minutes",
        context=context,
        category=Category.minutes,
        dedupe_key=f"minutes:{meeting.id}",
    )


def on_task_turned_red(session: Session, event: TaskTurnedRed) -> None:
    """The partnership's chair, vice-chair and officers hear of it (once a day per task)."""
    row = session.execute(
        sa_select(Task, col(Action.ref), col(ActionPlan.title), Partnership, col(Organisation.name))
        .join(Action, col(Action.id) == col(Task.action_id))
        .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
        .join(Partnership, col(Partnership.id) == col(ActionPlan.partnership_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Task.lead_organisation_id))
        .where(col(Task.id) == event.task_id)
    ).one()
    task, action_ref, plan_title, partnership, lead = row
    context = {
        "task": {
            "ref": f"{action_ref}{task.ref}",
            "title": task.title,
            "position": task.position,
            "planned_improvement": task.planned_improvement,
            "deadline": task.deadline.isoformat() if task.deadline else None,
            "lead": lead,
            "plan": plan_title,
            "url": f"{_base()}/tasks/{task.id}",
        },
        "partnership": partnership.name,
    }
    subject = f"[{partnership.name}] Task {action_ref}{task.ref} turned red: {task.title}"
    recipients = audience.members(session, partnership.id or 0, audience.CHAIR_AND_OFFICERS)
    for person in recipients:
        enqueue(
            session,
            to=person.email,
            to_name=person.name,
            person_id=person.person_id,
            subject=subject,
            template="red_task",
            context={**context, "person": person.name},
            category=Category.red_task,
            dedupe_key=f"red:{task.id}:{clock.today().isoformat()}:p{person.person_id}",
        )


def on_password_link(session: Session, event: PasswordLinkIssued) -> None:
    subject = (
        "LSP Hub — choose your password"
        if event.reason == "new_user"
        else "LSP Hub — your password was reset"
    )
    enqueue(
        session,
        to=event.email,
        to_name=event.name,
        subject=subject,
        template="password_link",
        context={
            "person": event.name,
            "reason": event.reason,
            # The link's token is filled in as the message is sent: never stored here.
            "url": event.url.split("#token=")[0]
            + "#token="
            + token_slot(event.user_id, event.expires_at),
            "expires": when(event.expires_at),
        },
        category=Category.account,
        dedupe_key=f"password-link:{event.user_id}:{event.expires_at.isoformat()}",
    )


def install() -> None:
    """Subscribe every handler (idempotent)."""
    subscribe(MeetingScheduled, on_scheduled)
    subscribe(MeetingChanged, on_changed)
    subscribe(MeetingCancelled, on_cancelled)
    subscribe(MeetingAdjourned, on_adjourned)
    subscribe(AgendaPublished, on_agenda_published)
    subscribe(MinutesApproved, on_minutes_approved)
    subscribe(TaskTurnedRed, on_task_turned_red)
    subscribe(PasswordLinkIssued, on_password_link)
