"""People and their memberships: one row per membership, or per person when it has none."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.imports import columns as c
from api.imports.columns import Column
from api.imports.kinds.base import (
    Context,
    Existing,
    Key,
    Kind,
    Row,
    Update,
    Values,
    check_partnership,
    chunks,
    insert_rows,
    pairs,
    update_rows,
)
from api.organisations.models import Organisation
from api.partnerships.access import editable_people, people_with_visible_contacts
from api.partnerships.models import EndReason, Membership, MembershipRole, Partnership
from api.people.models import Person

PERSON_COLUMNS = ("name", "phone", "job_title", "organisation")
MEMBERSHIP_COLUMNS = ("role", "voting", "on_behalf_of", "represents", "ended_on", "end_reason")


def _email(raw: str) -> str:
    value = raw.strip().lower()
    if "@" not in value or " " in value or len(value) > 254:
        raise ValueError("not an e-mail address")
    return value


class PeopleKind(Kind):
    name = "people"
    title = "People and memberships"
    key = ("email", "partnership", "started_on")
    has_partnership = True
    columns = (
        Column("email", "e-mail", _email, key=True, required=True, help="Lower-cased"),
        Column("name", "text", c.text(200), required=True, text=True),
        Column("phone", "text", c.text(40), text=True),
        Column("job_title", "text", c.text(200), text=True),
        Column("organisation", "slug", c.text(80), help="Employer: organisation slug"),
        Column(
            "partnership",
            "slug",
            c.text(80),
            key=True,
            help="Partnership slug; blank for a person without a membership",
        ),
        Column(
            "started_on",
            "date",
            c.iso_date,
            key=True,
            format=c.format_date,
            help="Required with a partnership",
        ),
        Column(
            "role",
            "choice",
            c.choice(MembershipRole),
            help=c.enum_help(MembershipRole) + "; default `member`",
        ),
        Column("voting", "boolean", c.boolean, help="Default true"),
        Column("on_behalf_of", "slug", c.text(80), help="Organisation slug represented"),
        Column("represents", "text", c.text(200), text=True),
        Column("ended_on", "date", c.iso_date, format=c.format_date),
        Column("end_reason", "choice", c.choice(EndReason), help=c.enum_help(EndReason)),
    )

    def resolve(self, ctx: Context, rows: list[Row]) -> None:
        orgs = pairs(ctx.session, col(Organisation.slug), col(Organisation.id))
        partnerships = pairs(ctx.session, col(Partnership.slug), col(Partnership.id))
        first_seen: dict[str, Row] = {}
        for row in rows:
            for name in ("organisation", "on_behalf_of"):
                slug = row.values.get(name)
                if slug is not None and slug not in orgs:
                    ctx.errors.add(row.number, name, slug, "no organisation with this slug")
                elif slug is not None:
                    row.refs[name] = orgs[slug]
            if row.values.get("partnership") is None:
                if ctx.allowed_partnerships is not None:
                    ctx.errors.add(row.number, "partnership", None, "required for officers")
                if any(row.values.get(n) is not None for n in ("started_on", *MEMBERSHIP_COLUMNS)):
                    ctx.errors.add(
                        row.number, "partnership", None, "membership columns need a partnership"
                    )
            else:
                row.refs["partnership"] = check_partnership(ctx, row, "partnership", partnerships)
                if row.values.get("started_on") is None:
                    ctx.errors.add(row.number, "started_on", None, "required with a partnership")
                # Blank means the default, so a re-run of the same file changes nothing.
                if "role" in row.values and row.values["role"] is None:
                    row.values["role"] = MembershipRole.member.value
                if "voting" in row.values and row.values["voting"] is None:
                    row.values["voting"] = True
            email = row.values["email"]
            first = first_seen.setdefault(email, row)
            for name in PERSON_COLUMNS:
                if name in row.values and first.values.get(name) != row.values.get(name):
                    ctx.errors.add(
                        row.number,
                        name,
                        row.cell(name),
                        f"differs from row {first.number} for the same person",
                    )

    def _people(self, session: Session, emails: list[str] | None) -> dict[str, tuple[int, Values]]:
        orgs = pairs(session, col(Organisation.id), col(Organisation.slug))
        stmt = select(Person).order_by(col(Person.email), col(Person.id))
        found: dict[str, tuple[int, Values]] = {}
        parts = chunks(emails, 1_000) if emails is not None else [None]
        for part in parts:
            query = stmt if part is None else stmt.where(col(Person.email).in_(part))
            for person in session.scalars(query):
                assert person.id is not None
                found[person.email or f"#{person.id}"] = (
                    person.id,
                    {
                        "email": person.email,
                        "name": person.name,
                        "phone": person.phone,
                        "job_title": person.job_title,
                        "organisation": orgs.get(person.organisation_id)
                        if person.organisation_id
                        else None,
                    },
                )
        return found

    def _memberships(self, session: Session, person_ids: list[int] | None) -> Iterator[Any]:
        orgs = pairs(session, col(Organisation.id), col(Organisation.slug))
        slugs = pairs(session, col(Partnership.id), col(Partnership.slug))
        stmt = select(Membership).order_by(
            col(Membership.person_id), col(Membership.started_on), col(Membership.id)
        )
        parts = chunks(person_ids, 1_000) if person_ids is not None else [None]
        for part in parts:
            query = stmt if part is None else stmt.where(col(Membership.person_id).in_(part))
            for m in session.scalars(query):
                yield (
                    m,
                    {
                        "partnership": slugs[m.partnership_id],
                        "started_on": m.started_on,
                        "role": str(m.role) if m.role else None,
                        "voting": m.voting,
                        "on_behalf_of": orgs.get(m.on_behalf_of_id) if m.on_behalf_of_id else None,
                        "represents": m.represents,
                        "ended_on": m.ended_on,
                        "end_reason": str(m.end_reason) if m.end_reason else None,
                    },
                )

    def load(self, ctx: Context, rows: list[Row]) -> Iterable[tuple[Key, Existing]]:
        people = self._people(ctx.session, sorted({r.values["email"] for r in rows}))
        ctx_people = {email: pid for email, (pid, _) in people.items()}
        ctx.state["people"] = people
        by_id = {pid: (email, values) for email, (pid, values) in people.items()}
        found: dict[Key, Existing] = {}
        for email, (pid, values) in people.items():
            found[(email, None, None)] = Existing(ids={"person": pid}, values=dict(values))
        open_memberships: dict[tuple[str, str], date] = {}
        for m, mvalues in self._memberships(ctx.session, list(ctx_people.values())):
            email, pvalues = by_id[m.person_id]
            if m.ended_on is None:
                open_memberships[(email, mvalues["partnership"])] = m.started_on
            found[(email, mvalues["partnership"], m.started_on)] = Existing(
                ids={"person": m.person_id, "membership": m.id},
                values={**pvalues, **mvalues},
            )
        ctx.state["open_memberships"] = open_memberships
        if ctx.allowed_partnerships is not None:
            self._apply_directory_rules(ctx, rows, people)
        return found.items()

    def _apply_directory_rules(
        self, ctx: Context, rows: list[Row], people: dict[str, tuple[int, Values]]
    ) -> None:
        """An officer's import changes only the people they may change through the API
        (api.partnerships.access): others are ``locked`` (see ``check``). A phone number the
        officer may not see is neither compared nor written, so the import tells nothing
        about it."""
        ids = [pid for pid, _ in people.values()]
        shown = people_with_visible_contacts(ctx.session, ctx.principal, ids)
        editable = editable_people(ctx.session, ctx.principal, ids)
        for row in rows:
            found = people.get(row.values["email"])
            if found is not None and found[0] not in shown:
                row.values.pop("phone", None)
        ctx.state["locked"] = {email for email, (pid, _) in people.items() if pid not in editable}

    def check(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        """A person holds one open membership per partnership (in the file and stored); an
        officer changes no details of a person outside the partnerships they manage."""
        locked: set[str] = ctx.state.pop("locked", set())
        people: dict[str, tuple[int, Values]] = ctx.state.get("people", {})
        for row in sorted([*creates, *(u.row for u in updates)], key=lambda r: r.number):
            email = row.values["email"]
            if email not in locked:
                continue
            current = people[email][1]
            changed = [n for n in PERSON_COLUMNS if n in row.values and row.values[n] != current[n]]
            if changed:
                ctx.errors.add(
                    row.number,
                    changed[0],
                    row.cell(changed[0]),
                    "you may change only people who are members of a partnership you manage",
                )
        stored: dict[tuple[str, str], date] = ctx.state.pop("open_memberships", {})
        seen: dict[tuple[str, str], Row] = {}
        for row in creates:
            partnership = row.values.get("partnership")
            if partnership is None or row.values.get("ended_on") is not None:
                continue
            key = (row.values["email"], partnership)
            if key in stored:
                ctx.errors.add(
                    row.number,
                    "started_on",
                    row.cell("started_on"),
                    f"already a member since {stored[key].isoformat()}: end that membership first",
                )
            elif key in seen:
                ctx.errors.add(
                    row.number,
                    "started_on",
                    row.cell("started_on"),
                    f"row {seen[key].number} opens a membership of the same partnership",
                )
            seen.setdefault(key, row)

    def apply(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        people: dict[str, tuple[int, Values]] = ctx.state.pop("people", {})
        rows = [*creates, *(u.row for u in updates)]
        person_rows: dict[str, Row] = {}
        for row in sorted(rows, key=lambda r: r.number):
            person_rows.setdefault(row.values["email"], row)
        new_people, changed_people = [], []
        for email, row in person_rows.items():
            fields = {n: row.values[n] for n in PERSON_COLUMNS if n in row.values}
            if "organisation" in fields:
                fields["organisation_id"] = row.refs.get("organisation")
                del fields["organisation"]
            if email not in people:
                new_people.append({"email": email, **fields})
                continue
            pid, current = people[email]
            changed = {
                k: row.values[k]
                for k in PERSON_COLUMNS
                if k in row.values and row.values[k] != current.get(k)
            }
            if changed:
                changed_people.append({"id": pid, **{k: fields.get(k) for k in fields}})
        ids = insert_rows(ctx, Person, new_people, label="people")
        person_ids = {p[0]: p[1][0] for p in people.items()}
        person_ids.update({p["email"]: i for p, i in zip(new_people, ids, strict=True)})
        update_rows(ctx, Person, changed_people)

        new_memberships = [
            {
                "person_id": person_ids[r.values["email"]],
                "partnership_id": r.refs["partnership"],
                "started_on": r.values["started_on"],
                "role": r.values.get("role") or MembershipRole.member.value,
                "voting": True if r.values.get("voting") is None else r.values["voting"],
                "on_behalf_of_id": r.refs.get("on_behalf_of"),
                "represents": r.values.get("represents"),
                "ended_on": r.values.get("ended_on"),
                "end_reason": r.values.get("end_reason"),
            }
            for r in creates
            if r.values.get("partnership") is not None
        ]
        insert_rows(ctx, Membership, new_memberships, label="memberships")
        changed_memberships = []
        for u in updates:
            if "membership" not in u.existing.ids:
                continue
            changes: Values = {}
            for name in u.changed:
                if name not in MEMBERSHIP_COLUMNS:
                    continue
                if name == "on_behalf_of":
                    changes["on_behalf_of_id"] = u.row.refs.get("on_behalf_of")
                elif name == "role":
                    changes["role"] = u.row.values[name] or MembershipRole.member.value
                elif name == "voting":
                    changes["voting"] = True if u.row.values[name] is None else u.row.values[name]
                else:
                    changes[name] = u.row.values[name]
            if changes:
                changed_memberships.append({"id": u.existing.ids["membership"], **changes})
        update_rows(ctx, Membership, changed_memberships)

    def export(self, session: Session, partnerships: set[int] | None) -> Iterator[Values]:
        people = self._people(session, None)
        by_id = {pid: values for _, (pid, values) in people.items()}
        with_membership: set[int] = set()
        # People without an e-mail have no natural key: they cannot round-trip, so are left out.
        for m, mvalues in self._memberships(session, None):
            with_membership.add(m.person_id)
            person = by_id[m.person_id]
            if person["email"] and (partnerships is None or m.partnership_id in partnerships):
                yield {**person, **mvalues}
        if partnerships is not None:
            return  # people outside any partnership: administrators only
        for pid, values in by_id.items():
            if pid not in with_membership and values["email"]:
                yield {**values, "partnership": None, "started_on": None}
