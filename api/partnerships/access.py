"""The one place that answers "which partnerships may this principal see or manage?",
from their memberships. The primitives on ids (scopes, roles, chains from a table to its
partnership) are in :mod:`api.core.permissions`.

Every feature narrows its queries and checks its writes through these helpers, so the rules of
DESIGN §5 are stated once:

- ``admin`` sees and manages everything (``None`` below means "no restriction").
- A user (``officer`` or ``member``) sees the partnerships their person holds a membership of
  that is open today; an ``officer`` manages those where the membership role is chair,
  vice-chair or officer.
- A ``partner`` API key sees the partnerships its organisation is represented on today.
- The ``county`` sees no partnership data.

The directory (people, organisations) has two rules of its own, also stated here once:
contact details are shown only to those who share a partnership with the person, and officers
change only the entries that belong to a partnership they manage.

Answers are computed with one query per principal and cached on the session for the request.
"""

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from api.core import clock
from api.core.errors import Forbidden
from api.core.permissions import PartnershipIds, in_partnerships, require_scope
from api.core.principal import Principal, Role, Scope
from api.partnerships.models import Membership, MembershipRole, Partnership
from api.people.models import Person

MANAGER_ROLES = frozenset({MembershipRole.chair, MembershipRole.vice_chair, MembershipRole.officer})


def _open_today() -> ColumnElement[bool]:
    today = clock.today()
    ended_on = col(Membership.ended_on)
    return (col(Membership.started_on) <= today) & or_(ended_on.is_(None), ended_on >= today)


def _cached(session: Session, key: tuple[str, str], compute: Any) -> Any:
    cache: dict[tuple[str, str], Any] = session.info.setdefault("lsphub_access", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def partnership_ids_for(session: Session, principal: Principal) -> PartnershipIds:
    """Partnerships whose data ``principal`` may read; ``None`` means all of them."""
    if principal.is_admin:
        return None

    def compute() -> frozenset[int]:
        if principal.kind == "user" and principal.person_id is not None:
            where = col(Membership.person_id) == principal.person_id
        elif principal.role == Role.partner and principal.organisation_id is not None:
            where = col(Membership.on_behalf_of_id) == principal.organisation_id
        else:
            return frozenset()
        stmt = select(col(Membership.partnership_id)).where(where, _open_today()).distinct()
        return frozenset(session.scalars(stmt))

    return _cached(session, (principal.label, "read"), compute)


def managed_partnership_ids(session: Session, principal: Principal) -> PartnershipIds:
    """Partnerships ``principal`` may manage (write); ``None`` means all of them."""
    if principal.is_admin:
        return None

    def compute() -> frozenset[int]:
        if principal.role != Role.officer or principal.person_id is None:
            return frozenset()
        stmt = (
            select(col(Membership.partnership_id))
            .where(
                col(Membership.person_id) == principal.person_id,
                col(Membership.role).in_([r.value for r in MANAGER_ROLES]),
                _open_today(),
            )
            .distinct()
        )
        return frozenset(session.scalars(stmt))

    return _cached(session, (principal.label, "manage"), compute)


def can_see_partnership(session: Session, principal: Principal, partnership_id: int | None) -> bool:
    ids = partnership_ids_for(session, principal)
    return ids is None or (partnership_id is not None and partnership_id in ids)


def can_manage_partnership(
    session: Session, principal: Principal, partnership_id: int | None
) -> bool:
    """True for admins and for officers who chair, vice-chair or officer the partnership."""
    if not principal.has_scope(Scope.write_all):
        return False
    ids = managed_partnership_ids(session, principal)
    return ids is None or (partnership_id is not None and partnership_id in ids)


def require_manage_partnership(
    session: Session, principal: Principal, partnership_id: int | None
) -> None:
    if not can_manage_partnership(session, principal, partnership_id):
        require_scope(principal, Scope.write_all)
        raise Forbidden("Only the partnership's officers and administrators may change this")


def lineage(session: Session, partnership_id: int | None) -> list[int]:
    """The partnership and those above it, nearest first (a thematic group, then the
    strategic partnership it reports to, ...); a loop in ``parent_id`` ends the walk."""
    found: list[int] = []
    current = partnership_id
    while current is not None and current not in found:
        found.append(current)
        current = session.scalar(
            select(col(Partnership.parent_id)).where(col(Partnership.id) == current)
        )
    return found


def organisation_sits_on(
    session: Session, organisation_id: int | None, partnership_ids: PartnershipIds
) -> bool:
    """True if the organisation is represented today on one of ``partnership_ids``."""
    if organisation_id is None:
        return False
    if partnership_ids is None:
        return True
    if not partnership_ids:
        return False
    stmt = select(col(Membership.id)).where(
        col(Membership.on_behalf_of_id) == organisation_id,
        col(Membership.partnership_id).in_(sorted(partnership_ids)),
        _open_today(),
    )
    return session.scalar(stmt.limit(1)) is not None


def person_belongs_to(session: Session, person_id: int, organisation_id: int) -> bool:
    """True if the organisation employs the person, or the person holds a membership open
    today on its behalf (of any partnership)."""
    employed = select(col(Person.id)).where(
        col(Person.id) == person_id, col(Person.organisation_id) == organisation_id
    )
    represents = select(col(Membership.id)).where(
        col(Membership.person_id) == person_id,
        col(Membership.on_behalf_of_id) == organisation_id,
        _open_today(),
    )
    return session.scalar(select(employed.exists() | represents.exists())) is True


# -- the directory: contact details and who may correct an entry ------------------------------
#
# Contact details (e-mail, phone) are visible to admins, to the person, and to the people who
# share a partnership with them today (both memberships open). Other principals see name,
# organisation and roles; an API key is nobody's colleague, so only admin keys see them.
#
# An officer changes the directory entries that belong to a partnership they manage today:
# - a person who holds a membership of it open today;
# - an organisation such a membership is on behalf of, or that employs such a person.
# Admins change every entry; nobody else changes any. So whoever may change a person may also
# see their contact details (they share that partnership).


def _members_of(partnership_ids: frozenset[int]) -> Select[Any]:
    """Person ids with a membership open today of one of ``partnership_ids``."""
    return select(col(Membership.person_id)).where(
        col(Membership.partnership_id).in_(sorted(partnership_ids)), _open_today()
    )


def contacts_visible(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``person``: ``principal`` may see its e-mail and phone."""
    if principal.is_admin:
        return true()
    if principal.kind != "user" or principal.person_id is None:
        return false()
    own = col(Person.id) == principal.person_id
    shared = partnership_ids_for(session, principal)
    if not shared:
        return own
    return or_(own, col(Person.id).in_(_members_of(shared)))


def people_with_visible_contacts(
    session: Session, principal: Principal, person_ids: Iterable[int]
) -> frozenset[int]:
    """Which of ``person_ids`` ``principal`` may see the contact details of (one query)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return frozenset()
    if principal.is_admin:
        return frozenset(wanted)
    stmt = select(col(Person.id)).where(
        col(Person.id).in_(wanted), contacts_visible(session, principal)
    )
    return frozenset(session.scalars(stmt))


def editable_people(
    session: Session, principal: Principal, person_ids: Iterable[int]
) -> frozenset[int]:
    """Which of ``person_ids`` ``principal`` may change (see the rule above)."""
    wanted = sorted(set(person_ids))
    if not wanted or not principal.has_scope(Scope.write_all):
        return frozenset()
    managed = managed_partnership_ids(session, principal)
    if managed is None:
        return frozenset(wanted)
    if not managed:
        return frozenset()
    stmt = select(col(Person.id)).where(
        col(Person.id).in_(wanted), col(Person.id).in_(_members_of(managed))
    )
    return frozenset(session.scalars(stmt))


def require_edit_person(session: Session, principal: Principal, person_id: int) -> None:
    if person_id not in editable_people(session, principal, [person_id]):
        require_scope(principal, Scope.write_all)
        raise Forbidden("Officers change only people who are members of a partnership they manage")


def can_edit_organisation(session: Session, principal: Principal, organisation_id: int) -> bool:
    if not principal.has_scope(Scope.write_all):
        return False
    managed = managed_partnership_ids(session, principal)
    if organisation_sits_on(session, organisation_id, managed):
        return True  # admins too (managed is None)
    if not managed:
        return False
    employs = select(col(Person.id)).where(
        col(Person.organisation_id) == organisation_id, col(Person.id).in_(_members_of(managed))
    )
    return session.scalar(employs.limit(1)) is not None


def require_edit_organisation(session: Session, principal: Principal, organisation_id: int) -> None:
    if not can_edit_organisation(session, principal, organisation_id):
        require_scope(principal, Scope.write_all)
        raise Forbidden(
            "Officers change only organisations on a partnership they manage "
            "(represented there, or employing one of its members)"
        )


def visible_clause(
    session: Session, principal: Principal, model: type[SQLModel], chain: tuple[str, ...]
) -> ColumnElement[bool]:
    """SQL condition: ``principal`` may read this row of ``model``."""
    ids = partnership_ids_for(session, principal)
    return true() if ids is None else in_partnerships(model, chain, ids)


# -- property-level rules ----------------------------------------------------------------------


def authorize_on_behalf_of(
    session: Session,
    principal: Principal,
    organisation_id: int | None,
    *,
    partnership: Callable[[], int | None] = lambda: None,
    also_allowed: int | None = None,
) -> None:
    """Nobody writes "on behalf of" another organisation, except admins and the officers of
    the partnership concerned (who may record for ``also_allowed``, e.g. a task's lead).
    ``partnership`` looks the partnership up, only when that is needed."""
    if organisation_id is None or organisation_id == principal.organisation_id:
        return
    if principal.is_admin:
        return
    if organisation_id == also_allowed and can_manage_partnership(
        session, principal, partnership()
    ):
        return
    raise Forbidden(
        "You may only act on behalf of your own organisation",
        errors=[{"loc": ["body", "on_behalf_of_id"], "msg": "not your organisation"}],
    )
