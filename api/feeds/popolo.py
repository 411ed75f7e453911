"""Popolo (popoloproject.com) JSON: organisations and partnerships as organizations, people,
memberships (role, on_behalf_of, start/end) and meetings as events, for civic-tech tools."""

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core.clock import LONDON
from api.core.principal import Principal
from api.meetings.models import Meeting
from api.meetings.service import meetings
from api.organisations.models import Organisation
from api.partnerships.access import people_with_visible_contacts
from api.partnerships.models import Membership, Partnership
from api.partnerships.service import memberships, partnerships
from api.people.models import Person


def _date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _time(at: datetime | None) -> str | None:
    return at.astimezone(LONDON).isoformat(timespec="seconds") if at else None


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def export(session: Session, principal: Principal) -> dict[str, list[dict[str, Any]]]:
    """What the caller may read, in Popolo shape; contact details only of the people whose
    contact details the caller may see (api.partnerships.access.contacts_visible)."""
    partnership_rows = session.scalars(
        partnerships.policy.visible(session, principal, select(Partnership)).order_by(
            col(Partnership.id)
        )
    ).all()
    membership_rows = session.scalars(
        memberships.policy.visible(session, principal, select(Membership)).order_by(
            col(Membership.id)
        )
    ).all()
    person_ids = sorted({m.person_id for m in membership_rows})
    people = session.scalars(
        select(Person).where(col(Person.id).in_(person_ids)).order_by(col(Person.id))
    ).all()
    organisations = session.scalars(select(Organisation).order_by(col(Organisation.id))).all()
    meeting_rows = session.scalars(
        meetings.policy.visible(session, principal, select(Meeting)).order_by(
            col(Meeting.starts_at), col(Meeting.id)
        )
    ).all()
    show_contacts = people_with_visible_contacts(session, principal, person_ids)
    return {
        "persons": [_person(person, person.id in show_contacts) for person in people],
        "organizations": [
            *(_organisation(org) for org in organisations),
            *(_partnership(p) for p in partnership_rows),
        ],
        "memberships": [_membership(m) for m in membership_rows],
        "events": [_event(m) for m in meeting_rows],
    }


def _organisation(org: Organisation) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"organisation/{org.id}",
        "name": org.name,
        "classification": org.sector,
        "identifiers": [{"scheme": "lsphub", "identifier": org.slug}],
        "created_at": _stamp(org.created_at),
        "updated_at": _stamp(org.updated_at),
    }
    if org.short_name:
        item["other_names"] = [{"name": org.short_name, "note": "short name"}]
    if org.org_id:
        item["identifiers"].append({"scheme": "org-id", "identifier": org.org_id})
    if org.website:
        item["links"] = [{"url": org.website, "note": "website"}]
    return item


def _partnership(p: Partnership) -> dict[str, Any]:
    return {
        "id": f"partnership/{p.id}",
        "name": p.name,
        "classification": f"{p.kind} partnership",
        "identifiers": [{"scheme": "lsphub", "identifier": p.slug}],
        "parent_id": f"partnership/{p.parent_id}" if p.parent_id else None,
        "dissolution_date": None,
        "created_at": _stamp(p.created_at),
        "updated_at": _stamp(p.updated_at),
    }


def _person(person: Person, show_contacts: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"person/{person.id}",
        "name": person.name,
        "created_at": _stamp(person.created_at),
        "updated_at": _stamp(person.updated_at),
    }
    if show_contacts:
        item["email"] = person.email
        item["contact_details"] = [
            {"type": kind, "value": value}
            for kind, value in (("email", person.email), ("voice", person.phone))
            if value
        ]
    return item


def _membership(m: Membership) -> dict[str, Any]:
    return {
        "id": f"membership/{m.id}",
        "label": m.represents,
        "role": m.role,
        "person_id": f"person/{m.person_id}",
        "organization_id": f"partnership/{m.partnership_id}",
        "on_behalf_of_id": f"organisation/{m.on_behalf_of_id}" if m.on_behalf_of_id else None,
        "start_date": _date(m.started_on),
        "end_date": _date(m.ended_on),
        "created_at": _stamp(m.created_at),
        "updated_at": _stamp(m.updated_at),
    }


def _event(m: Meeting) -> dict[str, Any]:
    return {
        "id": f"meeting/{m.id}",
        "name": m.title,
        "classification": f"{m.kind} meeting",
        "start_date": _time(m.starts_at),
        "end_date": _time(m.ends_at),
        "location": m.location,
        "status": m.status,
        "organization_id": f"partnership/{m.partnership_id}",
        "created_at": _stamp(m.created_at),
        "updated_at": _stamp(m.updated_at),
    }
