"""Who receives what: the people of a partnership, its chair and officers, the contacts of a
lead organisation. Only people with an e-mail address; each person once."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.partnerships.models import Membership, MembershipRole
from api.partnerships.service import open_on
from api.people.models import Person


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    email: str


def members(
    session: Session, partnership_id: int, roles: Iterable[MembershipRole] | None = None
) -> list[Recipient]:
    """Current members of the partnership (of ``roles`` if given), by name."""
    stmt = (
        select(Person.id, Person.name, Person.email)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            col(Membership.partnership_id) == partnership_id,
            open_on(clock.today()),
            col(Person.email).is_not(None),
        )
        .order_by(col(Person.name), col(Person.id))
    )
    if roles is not None:
        stmt = stmt.where(col(Membership.role).in_(list(roles)))
    seen: dict[int, Recipient] = {}
    for person_id, name, email in session.execute(stmt):
        seen.setdefault(person_id, Recipient(person_id, name, email))
    return list(seen.values())


CHAIR_AND_OFFICERS = (MembershipRole.chair, MembershipRole.vice_chair, MembershipRole.officer)
