from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, or_
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col, select

from api.core import audit, clock
from api.core.audit import AuditEvent
from api.core.errors import Conflict, Forbidden, invalid
from api.core.models import slugify
from api.core.policy import Policy, not_found, require_role, require_scope
from api.core.principal import Principal, Role, Scope
from api.crud import service as crud
from api.crud.service import Resource, ResourceRules, check_version
from api.organisations.models import Organisation
from api.partnerships.access import (
    can_manage_partnership,
    require_edit_person,
    require_manage_partnership,
    visible_clause,
)
from api.partnerships.models import (
    EndReason,
    Membership,
    MembershipRole,
    Partnership,
    PartnershipKind,
    TermsOfReference,
)
from api.partnerships.rules import chair_term_end, earliest_resignation
from api.partnerships.schemas import (
    EmployerChange,
    EmployerChangeResult,
    MembershipCreate,
    MembershipFilters,
    MembershipRead,
    MembershipUpdate,
    PartnershipCreate,
    PartnershipFilters,
    PartnershipRead,
    PartnershipUpdate,
    ResignationTerms,
    TermsOfReferenceRead,
    TermsOfReferenceUpdate,
    TermsOfReferenceVersion,
)
from api.people.models import Person

TOR_FIELDS = tuple(TermsOfReference.model_fields)


class PartnershipPolicy(Policy):
    """Members see their partnerships; admins create and delete, officers may also change."""

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        stmt = super().visible(session, principal, stmt)
        return stmt.where(visible_clause(session, principal, Partnership, ("id",)))

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        assert isinstance(row, Partnership)
        require_manage_partnership(session, principal, row.id)
        if "parent_id" in changes or "status" in changes or "slug" in changes:
            require_role(principal, Role.admin)


class PartnershipRules(ResourceRules[Partnership]):
    def before_create(self, session: Session, principal: Principal, row: Partnership) -> None:
        """A slug made from the name when none is given."""
        if not row.slug:
            row.slug = slugify(row.name)

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Partnership,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        if row.parent_id is not None and row.parent_id == row.id:
            raise invalid("parent_id", "a partnership cannot be its own parent")


partnerships = Resource(
    model=Partnership,
    path="partnerships",
    create_schema=PartnershipCreate,
    update_schema=PartnershipUpdate,
    read_schema=PartnershipRead,
    filter_schema=PartnershipFilters,
    sortable=("id", "name", "kind", "status", "updated_at"),
    default_sort=("name",),
    search=("name", "purpose"),
    policy=PartnershipPolicy(),
    rules=PartnershipRules(),
)


# -- terms of reference ------------------------------------------------------------------------


def _terms(row: Partnership) -> TermsOfReferenceRead:
    assert row.id is not None
    return TermsOfReferenceRead(
        partnership_id=row.id,
        version=row.version,
        **{name: getattr(row, name) for name in TOR_FIELDS},
    )


def get_terms(session: Session, principal: Principal, partnership_id: int) -> TermsOfReferenceRead:
    return _terms(crud.get_row(session, principal, partnerships, partnership_id))


def replace_terms(
    session: Session,
    principal: Principal,
    partnership_id: int,
    body: TermsOfReferenceUpdate,
    expected_version: int | None,
) -> TermsOfReferenceRead:
    """Replace the terms of reference; the audit log keeps every version (before/after)."""
    row = crud.get_row(session, principal, partnerships, partnership_id)
    check_version(row, expected_version)
    require_manage_partnership(session, principal, row.id)
    before = {name: getattr(row, name) for name in TOR_FIELDS}
    after = body.model_dump()
    if before == after:
        return _terms(row)
    for name, value in after.items():
        setattr(row, name, value)
    session.flush()
    audit.record(
        session, principal, "terms_of_reference", "partnership", row.id, before=before, after=after
    )
    return _terms(row)


def terms_history(
    session: Session, principal: Principal, partnership_id: int
) -> list[TermsOfReferenceVersion]:
    """Every audited change to the terms of reference, newest first."""
    crud.get_row(session, principal, partnerships, partnership_id)
    events = session.scalars(
        select(AuditEvent)
        .where(
            col(AuditEvent.resource) == "partnership",
            col(AuditEvent.resource_id) == str(partnership_id),
            col(AuditEvent.action).in_(("create", "update", "terms_of_reference")),
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )
    versions = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = {
            name: (before.get(name), after.get(name))
            for name in TOR_FIELDS
            if name in after and before.get(name) != after.get(name)
        }
        if changes:
            versions.append(
                TermsOfReferenceVersion(
                    at=event.at, principal=event.principal, action=event.action, changes=changes
                )
            )
    return versions


# -- memberships -------------------------------------------------------------------------------

# Who may resign their own membership without being an officer.
_SELF_SERVICE_FIELDS = frozenset({"notice_given_on", "ended_on", "end_reason"})


class MembershipPolicy(Policy):
    """Officers manage their partnerships' members; a member may hand in their own notice."""

    def visible(self, session: Session, principal: Principal, stmt: Select[Any]) -> Select[Any]:
        stmt = super().visible(session, principal, stmt)
        return stmt.where(visible_clause(session, principal, Membership, ("partnership_id",)))

    def authorize_create(
        self, session: Session, principal: Principal, data: dict[str, Any]
    ) -> None:
        require_manage_partnership(session, principal, data.get("partnership_id"))

    def authorize_update(
        self, session: Session, principal: Principal, row: SQLModel, changes: dict[str, Any]
    ) -> None:
        assert isinstance(row, Membership)
        if can_manage_partnership(session, principal, row.partnership_id):
            return
        own = principal.person_id is not None and principal.person_id == row.person_id
        if (
            own
            and principal.has_scope(Scope.write_status)
            and set(changes) <= _SELF_SERVICE_FIELDS
            and changes.get("end_reason", EndReason.resigned) == EndReason.resigned
        ):
            return
        require_manage_partnership(session, principal, row.partnership_id)

    def authorize_delete(self, session: Session, principal: Principal, row: SQLModel) -> None:
        assert isinstance(row, Membership)
        require_manage_partnership(session, principal, row.partnership_id)


def _check_membership(session: Session, row: Membership, *, update: bool) -> None:
    """Dates, resignation notice, chair terms and one open membership per person.

    On an ``update`` of an existing membership, a member who becomes chair later serves from
    that day, not from the start of their membership.
    """
    if row.ended_on is not None and row.ended_on < row.started_on:
        raise invalid("ended_on", "must not be before started_on")
    partnership = session.get(Partnership, row.partnership_id)
    if partnership is None:  # references are checked before hooks run
        return
    if row.end_reason == EndReason.resigned:
        if row.notice_given_on is None:
            raise invalid("notice_given_on", "a resignation needs the date notice was given")
        earliest = earliest_resignation(row.notice_given_on, partnership.resignation_notice_months)
        if row.ended_on is None or row.ended_on < earliest:
            rule = resignation_rule(partnership.resignation_notice_months, earliest)
            raise invalid("ended_on", rule[0].lower() + rule[1:])
    if row.ended_on is not None and row.end_reason is None:
        raise invalid("end_reason", "say why the membership ended")
    if row.role == MembershipRole.chair:
        term_from = max(row.started_on, clock.today()) if update else row.started_on
        longest = chair_term_end(term_from, partnership.chair_term_months)
        if row.term_ends_on is None:
            row.term_ends_on = longest
        elif row.term_ends_on > longest:
            raise invalid(
                "term_ends_on",
                f"a chair serves at most {partnership.chair_term_months} months: "
                f"until {longest.isoformat()}",
            )
    if row.ended_on is None:
        clash = session.scalar(
            select(Membership.id).where(
                col(Membership.person_id) == row.person_id,
                col(Membership.partnership_id) == row.partnership_id,
                col(Membership.ended_on).is_(None),
                col(Membership.id) != (row.id or 0),
            )
        )
        if clash is not None:
            raise Conflict(
                f"Person {row.person_id} already has an open membership ({clash}) of "
                f"partnership {row.partnership_id}; end it first",
                slug="duplicate-membership",
                membership_id=clash,
            )


def open_on(day: date) -> Any:
    """SQL condition: membership open on ``day``."""
    ended_on = col(Membership.ended_on)
    return (col(Membership.started_on) <= day) & or_(ended_on.is_(None), ended_on >= day)


def _membership_filters(stmt: Select[Any], filters: BaseModel) -> Select[Any]:
    assert isinstance(filters, MembershipFilters)
    if filters.current is None:
        return stmt
    day = filters.as_of or clock.today()
    return stmt.where(open_on(day) if filters.current else ~open_on(day))


class MembershipRules(ResourceRules[Membership]):
    def filter(self, stmt: Select[Any], filters: BaseModel) -> Select[Any]:
        return _membership_filters(stmt, filters)

    def before_create(self, session: Session, principal: Principal, row: Membership) -> None:
        _check_membership(session, row, update=False)

    def before_update(
        self,
        session: Session,
        principal: Principal,
        row: Membership,
        changes: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        _check_membership(session, row, update=True)


memberships = Resource(
    model=Membership,
    path="memberships",
    create_schema=MembershipCreate,
    update_schema=MembershipUpdate,
    read_schema=MembershipRead,
    filter_schema=MembershipFilters,
    sortable=("id", "started_on", "ended_on", "role", "updated_at"),
    default_sort=("started_on",),
    policy=MembershipPolicy(),
    rules=MembershipRules(),
)


def resignation_rule(notice_months: int, earliest: date) -> str:
    unit = "month" if notice_months == 1 else "months"
    return (
        f"A resignation takes effect at least {notice_months} {unit} after notice is given: "
        f"on or after {earliest.isoformat()}"
    )


def resignation_terms(
    session: Session, principal: Principal, membership_id: int, notice_given_on: date | None
) -> ResignationTerms:
    """The earliest end date of a resignation given notice on ``notice_given_on`` (today by
    default): the same rule that refuses an earlier ``ended_on``."""
    row = crud.get_row(session, principal, memberships, membership_id)
    partnership = session.get(Partnership, row.partnership_id)
    assert partnership is not None and row.id is not None
    notice = notice_given_on or clock.today()
    months = partnership.resignation_notice_months
    earliest = earliest_resignation(notice, months)
    return ResignationTerms(
        membership_id=row.id,
        notice_given_on=notice,
        notice_months=months,
        earliest_ended_on=earliest,
        rule=resignation_rule(months, earliest),
    )


# -- change of employer ------------------------------------------------------------------------

# A change of employer ends these memberships at once (the handbook's rule).
EMPLOYER_BOUND_KINDS = (PartnershipKind.strategic, PartnershipKind.executive)


def change_employer(
    session: Session, principal: Principal, person_id: int, body: EmployerChange
) -> EmployerChangeResult:
    """Record a new employer and end the person's strategic/executive memberships that day.

    An officer records it only for a current member of a partnership they manage, and only
    when every membership it ends is of a partnership they manage too: it changes those.
    """
    require_scope(principal, Scope.write_all)
    require_role(principal, Role.officer)
    person = session.get(Person, person_id)
    if person is None:
        raise not_found("person", person_id)
    require_edit_person(session, principal, person_id)
    if body.organisation_id is not None and session.get(Organisation, body.organisation_id) is None:
        raise invalid("organisation_id", f"no organisation with id {body.organisation_id}")
    if body.organisation_id == person.organisation_id:
        raise invalid("organisation_id", "this is already the person's employer")
    open_rows = session.scalars(
        select(Membership)
        .join(Partnership, col(Partnership.id) == col(Membership.partnership_id))
        .where(
            col(Membership.person_id) == person_id,
            col(Partnership.kind).in_(EMPLOYER_BOUND_KINDS),
            or_(col(Membership.ended_on).is_(None), col(Membership.ended_on) > body.changed_on),
        )
        .order_by(col(Membership.id))
    ).all()
    if any(not can_manage_partnership(session, principal, m.partnership_id) for m in open_rows):
        raise Forbidden(
            "This change would end the person's membership of a partnership you do not manage: "
            "ask its officers or an administrator"
        )
    for membership in open_rows:
        if membership.started_on > body.changed_on:
            raise invalid(
                "changed_on",
                f"membership {membership.id} only started on {membership.started_on.isoformat()}",
            )
    previous = person.organisation_id
    before = audit.snapshot(person)
    person.organisation_id = body.organisation_id
    session.flush()
    audit.record(
        session,
        principal,
        "update",
        "person",
        person_id,
        before=before,
        after=audit.snapshot(person),
    )
    for membership in open_rows:
        m_before = audit.snapshot(membership)
        membership.ended_on = body.changed_on
        membership.end_reason = EndReason.employer_changed
        session.flush()
        after = audit.snapshot(membership)
        audit.record(
            session, principal, "update", "membership", membership.id, before=m_before, after=after
        )
    return EmployerChangeResult(
        person_id=person_id,
        previous_organisation_id=previous,
        organisation_id=body.organisation_id,
        changed_on=body.changed_on,
        ended_memberships=[MembershipRead.model_validate(m) for m in open_rows],
    )


def visible_partnership(session: Session, principal: Principal, partnership_id: int) -> Partnership:
    """The partnership if ``principal`` may read it, else 404/403."""
    return crud.get_row(session, principal, partnerships, partnership_id)
