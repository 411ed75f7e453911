"""Tasks in the DESIGN §6 format, creating the outcomes and actions they hang from.

Rules (also in the README):

- ``partnership`` is the slug of the partnership whose action plan holds the task.
- Outcomes belong to a strategy: the one linked to the nearest ancestor of the partnership that
  has one (the parent strategic partnership, its parent, …), else the partnership's own. A row
  whose partnership has neither is refused. Outcomes missing from that strategy are created
  from ``outcome_title``, with the partnership as lead.
- Actions are looked up in all of the partnership's action plans by (outcome, ``action_ref``);
  new ones go into its latest plan, which is created as "<partnership name> action plan" if the
  partnership has none.
- ``lead_organisation`` is an organisation slug or its exact name (any case); exports write
  the slug. A name shared by two organisations is refused: use the slug.
- ``owner`` is the e-mail address (of someone whose contact details the importer may see) or
  the exact name (any case) of a person in the directory; exports write the name, never the
  e-mail. A name two people share is refused for a new or changed owner: use the e-mail. With
  a lead organisation, the owner is one of its people (employed by it, or representing it on
  a partnership today), as through the API. Blank clears the owner; no column keeps it.
- A change to ``rag``, ``position``, ``planned_improvement`` or ``deadline`` (and a new task
  with any of them set) appends a status update dated ``reported_on`` (blank: today): not in
  the future, nor before a changed task's latest update (the task holds its latest update).
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.core.principal import Principal
from api.imports import columns as c
from api.imports.columns import Column
from api.imports.kinds.base import (
    BATCH,
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
    table_of,
    update_rows,
)
from api.organisations.models import Organisation
from api.partnerships.access import contacts_visible
from api.partnerships.models import Membership, Partnership
from api.people.models import Person
from api.plans.models import Action, ActionPlan, Outcome, Rag, StatusUpdate, Strategy, Task

STATUS_COLUMNS = ("rag", "position", "planned_improvement", "deadline")
TASK_COLUMNS = ("title", "target", *STATUS_COLUMNS, "lead_organisation", "owner")


RAG_VALUES = frozenset(r.value for r in Rag)


def _rag(raw: str) -> str:
    value = raw.lower()
    if value not in RAG_VALUES:
        raise ValueError("not one of GREEN, AMBER, RED, COMPLETE or blank")
    return value


class TaskKind(Kind):
    name = "tasks"
    title = "Tasks (action plans)"
    key = ("partnership", "outcome_code", "action_ref", "task_ref")
    has_partnership = True
    columns = (
        Column("partnership", "slug", c.text(80), key=True, required=True),
        Column("outcome_code", "text", c.text(20), key=True, required=True, help="e.g. `2.1`"),
        Column("outcome_title", "text", c.text(300), text=True, help="Required for a new outcome"),
        Column("action_ref", "text", c.text(20), key=True, required=True, help="e.g. `2.1.3`"),
        Column("action_title", "text", c.text(500), text=True, help="Required for a new action"),
        Column("task_ref", "text", c.text(20), key=True, required=True, help="e.g. `a`"),
        Column("title", "text", c.text(500), required=True, text=True),
        Column("target", "text", c.long_text, text=True),
        Column("position", "text", c.long_text, text=True, help="Current position"),
        Column(
            "rag",
            "RAG",
            _rag,
            format=c.format_upper,
            help="GREEN, AMBER, RED, COMPLETE or blank (not rated), any case",
        ),
        Column("planned_improvement", "text", c.long_text, text=True),
        Column("deadline", "date", c.iso_date, format=c.format_date),
        Column(
            "lead_organisation",
            "organisation",
            c.text(200),
            help="Organisation slug or exact name; exported as the slug",
        ),
        Column(
            "owner",
            "person",
            c.text(254),
            help="The person responsible: e-mail or exact name (exported as the name); "
            "one of the lead organisation's people",
        ),
        Column(
            "reported_on",
            "date",
            c.iso_date,
            format=c.format_date,
            help="Date of the status update a change appends (blank: today); not compared",
        ),
    )

    # -- references ----------------------------------------------------------------------------

    def resolve(self, ctx: Context, rows: list[Row]) -> None:
        """Partnership, strategy, lead organisation, outcome and action of every row."""
        partnerships = _partnerships(ctx.session)
        _resolve_partnerships(ctx, rows, partnerships)
        if "owner" in ctx.columns_present:
            ctx.state["task_people"] = people = _People(ctx.session, ctx.principal)
            for row in rows:
                people.resolve_owner(ctx, row)
        plans = _plans(ctx.session, {r.refs["pid"] for r in rows if r.refs.get("pid")})
        _resolve_outcomes_and_actions(ctx, rows, plans)
        ctx.state["task_plans"] = (dict(plans), partnerships)

    # -- current state -------------------------------------------------------------------------

    def _select(self) -> Any:
        task = table_of(Task)
        return (
            select(
                task.c.id,
                task.c.action_id,
                task.c.last_reported_on,
                task.c.lead_organisation_id,
                task.c.owner_person_id,
                col(Partnership.slug),
                col(Outcome.code),
                col(Outcome.title).label("outcome_title"),
                col(Action.ref),
                col(Action.title).label("action_title"),
                task.c.ref.label("task_ref"),
                task.c.title,
                task.c.target,
                task.c.position,
                task.c.rag,
                task.c.planned_improvement,
                task.c.deadline,
                col(Organisation.slug).label("lead_organisation"),
                col(Person.name).label("owner"),
            )
            .join(Action, col(Action.id) == task.c.action_id)
            .join(Outcome, col(Outcome.id) == col(Action.outcome_id))
            .join(ActionPlan, col(ActionPlan.id) == col(Action.action_plan_id))
            .join(Partnership, col(Partnership.id) == col(ActionPlan.partnership_id))
            .outerjoin(Organisation, col(Organisation.id) == task.c.lead_organisation_id)
            .outerjoin(Person, col(Person.id) == task.c.owner_person_id)
        )

    @staticmethod
    def _values(r: Any) -> Values:
        return {
            "partnership": r.slug,
            "outcome_code": r.code,
            "outcome_title": r.outcome_title,
            "action_ref": r.ref,
            "action_title": r.action_title,
            "task_ref": r.task_ref,
            "title": r.title,
            "target": r.target,
            "position": r.position,
            "rag": r.rag,
            "planned_improvement": r.planned_improvement,
            "deadline": r.deadline,
            "lead_organisation": r.lead_organisation,
            "owner": r.owner,
            "reported_on": r.last_reported_on,
        }

    def load(self, ctx: Context, rows: list[Row]) -> Iterator[tuple[Key, Existing]]:
        action_ids = sorted({r.refs["action"] for r in rows if "action" in r.refs})
        task = table_of(Task)
        conn = ctx.conn
        for part in chunks(action_ids, 1_000):
            for r in conn.execute(self._select().where(task.c.action_id.in_(part))):
                values = self._values(r)
                values.pop("reported_on")  # the date of the change, never compared
                yield (
                    (r.slug, r.code, r.ref, r.task_ref),
                    Existing(
                        ids={
                            "task": r.id,
                            "action": r.action_id,
                            "lead": r.lead_organisation_id,
                            "owner": r.owner_person_id,
                        },
                        values=values,
                        extra={"last_reported_on": r.last_reported_on},
                    ),
                )

    def check(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        """The owner of each new or changed task: a name two people share is refused, and
        with a lead organisation the owner is one of its people. A status change is dated
        no later than today and, on an existing task, no earlier than its latest update."""
        _check_reported_on(ctx, creates, updates)
        people: _People | None = ctx.state.pop("task_people", None)
        owner_given = people is not None
        checks: list[tuple[Row, Any, Any]] = []  # (row, owner id, lead id)
        for row in creates:
            if owner_given and row.refs.get("owner_candidates"):
                ctx.errors.add(row.number, "owner", row.cell("owner"), AMBIGUOUS_PERSON)
                continue
            checks.append((row, row.refs.get("owner"), row.refs.get("lead")))
        for u in updates:
            row, ids = u.row, u.existing.ids
            namesake = row.refs.get("owner") not in (None, ids["owner"])
            if owner_given and "owner" not in u.changed and namesake:  # a namesake's e-mail
                u.changed["owner"] = (u.existing.values.get("owner"), row.values["owner"])
            if "owner" in u.changed and row.refs.get("owner_candidates"):
                ctx.errors.add(row.number, "owner", row.cell("owner"), AMBIGUOUS_PERSON)
                continue
            if "owner" not in u.changed and "lead_organisation" not in u.changed:
                continue
            owner = row.refs.get("owner") if "owner" in u.changed else ids["owner"]
            lead = row.refs.get("lead") if "lead_organisation" in u.changed else ids["lead"]
            checks.append((row, owner, lead))
        pairs = [(owner, lead) for _, owner, lead in checks if owner is not None and lead]
        belonging = _belonging(ctx, pairs)
        for row, owner, lead in checks:
            if owner is not None and lead is not None and (owner, lead) not in belonging:
                ctx.errors.add(
                    row.number,
                    "owner",
                    row.cell("owner") if "owner" in row.values else None,
                    "not one of the lead organisation's people (employed by it or "
                    "representing it on a partnership): choose one of them or clear the owner",
                )

    # -- writing -------------------------------------------------------------------------------

    def apply(self, ctx: Context, creates: list[Row], updates: list[Update]) -> None:
        """Outcomes and actions first (new ones created, changed titles kept), then tasks."""
        plans, partnerships = ctx.state.pop("task_plans")
        rows = sorted([*creates, *(u.row for u in updates)], key=lambda r: r.number)
        _write_outcomes(ctx, rows, updates)
        _write_actions(ctx, rows, updates, plans, partnerships)
        self._create_tasks(ctx, creates)
        self._update_tasks(ctx, updates)

    def _create_tasks(self, ctx: Context, creates: list[Row]) -> None:
        """New tasks and their first status update, a batch at a time (flat memory)."""
        for offset in range(0, len(creates), BATCH):
            batch = creates[offset : offset + BATCH]
            new_tasks: list[Values] = []
            for row in batch:
                fields = self._task_fields(row, [n for n in TASK_COLUMNS if n in row.values])
                fields.update(action_id=row.refs["action"], ref=row.values["task_ref"])
                if any(row.values.get(n) is not None for n in STATUS_COLUMNS):
                    fields["last_reported_on"] = row.values.get("reported_on") or ctx.today
                new_tasks.append(fields)
            task_ids = insert_rows(ctx, Task, new_tasks, report=False)
            first_updates = [
                (task_id, row, {n: row.values.get(n) for n in STATUS_COLUMNS})
                for row, task_id, fields in zip(batch, task_ids, new_tasks, strict=True)
                if "last_reported_on" in fields
            ]
            self._history(ctx, first_updates)
            ctx.progress("writing tasks", offset + len(batch), len(creates))

    def _update_tasks(self, ctx: Context, updates: list[Update]) -> None:
        """Changed tasks; a status update for each whose status changed."""
        history: list[tuple[int, Row, Values]] = []
        changed_tasks: list[Values] = []
        for u in updates:
            names = [n for n in TASK_COLUMNS if n in u.changed]
            if not names:
                continue
            fields = {"id": u.existing.ids["task"], **self._task_fields(u.row, names)}
            if any(n in u.changed for n in STATUS_COLUMNS):
                reported_on = u.row.values.get("reported_on") or ctx.today
                last = u.existing.extra["last_reported_on"]
                fields["last_reported_on"] = max(last, reported_on) if last else reported_on
                state = {n: u.existing.values.get(n) for n in STATUS_COLUMNS}
                state.update({n: u.row.values[n] for n in STATUS_COLUMNS if n in u.row.values})
                history.append((u.existing.ids["task"], u.row, state))
            changed_tasks.append(fields)
        update_rows(ctx, Task, changed_tasks)
        self._history(ctx, history)

    @staticmethod
    def _history(ctx: Context, entries: list[tuple[int, Row, Values]]) -> None:
        """Append status updates: (task id, row, the task's status fields after the change)."""
        principal = ctx.principal
        insert_rows(
            ctx,
            StatusUpdate,
            [
                {
                    "task_id": task_id,
                    **state,
                    "reported_on": row.values.get("reported_on") or ctx.today,
                    "note": "Imported",
                    "author": principal.label,
                    "author_user_id": principal.user_id,
                    "author_api_key_id": principal.api_key_id,
                    "on_behalf_of_id": principal.organisation_id,
                }
                for task_id, row, state in entries
            ],
            report=False,
        )

    @staticmethod
    def _task_fields(row: Row, names: list[str]) -> Values:
        fields: Values = {}
        for name in names:
            if name == "lead_organisation":
                fields["lead_organisation_id"] = row.refs.get("lead")
            elif name == "owner":
                fields["owner_person_id"] = row.refs.get("owner")
            else:
                fields[name] = row.values.get(name)
        return fields

    def export(self, session: Session, partnerships: set[int] | None) -> Iterator[Values]:
        stmt = self._select().order_by(
            col(Partnership.slug),
            col(Outcome.code),
            col(Action.ref),
            table_of(Task).c.ref,
            table_of(Task).c.id,
        )
        if partnerships is not None:
            stmt = stmt.where(col(Partnership.id).in_(sorted(partnerships)))
        result = session.connection().execute(stmt.execution_options(yield_per=2_000))
        for r in result:
            yield self._values(r)


def _same_title(ctx: Context, row: Row, column: str, first: Row, what: str) -> None:
    if first is row or column not in row.values:
        return
    if row.values[column] is not None and first.values.get(column) not in (
        None,
        row.values[column],
    ):
        ctx.errors.add(
            row.number,
            column,
            row.cell(column),
            f"differs from row {first.number} for the same {what}",
        )


# -- resolving references (TaskKind.resolve) ---------------------------------------------------

# partnership id -> (slug, parent id, name)
Partnerships = dict[Any, tuple[str, Any, str]]


def _partnerships(session: Session) -> Partnerships:
    stmt = select(
        col(Partnership.id),
        col(Partnership.slug),
        col(Partnership.parent_id),
        col(Partnership.name),
    )
    return {pid: (slug, parent, name) for pid, slug, parent, name in session.execute(stmt)}


def _strategy_finder(session: Session, partnerships: Partnerships) -> Any:
    """``strategy_for(pid)``: the strategy of the nearest ancestor that has one, else the
    partnership's own (its latest)."""
    strategy_of: dict[Any, Any] = {}
    for sid, pid in session.execute(
        select(col(Strategy.id), col(Strategy.partnership_id)).order_by(col(Strategy.id))
    ):
        if pid is not None:
            strategy_of[pid] = sid  # latest wins

    def strategy_for(pid: int) -> int | None:
        seen: set[int] = set()
        parent = partnerships[pid][1]
        while parent is not None and parent not in seen:
            seen.add(parent)
            if parent in strategy_of:
                return strategy_of[parent]
            parent = partnerships[parent][1]
        return strategy_of.get(pid)

    return strategy_for


class _Organisations:
    """Organisations by slug and by lower-cased name."""

    def __init__(self, session: Session) -> None:
        self.by_slug: dict[str, Any] = {}
        self.by_name: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        for oid, slug, name in session.execute(
            select(col(Organisation.id), col(Organisation.slug), col(Organisation.name))
        ):
            self.by_slug[slug] = oid
            self.by_name[name.strip().lower()].append((oid, slug))

    def resolve_lead(self, ctx: Context, row: Row) -> None:
        """``lead_organisation`` is a slug or an exact name (any case; stored as the slug)."""
        lead = row.values.get("lead_organisation")
        if lead is None:
            return
        if lead in self.by_slug:
            row.refs["lead"] = self.by_slug[lead]
            return
        matches = self.by_name.get(lead.lower(), [])
        if len(matches) == 1:
            row.refs["lead"] = matches[0][0]
            row.values["lead_organisation"] = matches[0][1]
        elif matches:
            ctx.errors.add(row.number, "lead_organisation", lead, "ambiguous name: use the slug")
        else:
            ctx.errors.add(
                row.number, "lead_organisation", lead, "no organisation with this slug or name"
            )


AMBIGUOUS_PERSON = "ambiguous name: two or more people have it; use the e-mail"


class _People:
    """People by e-mail (only those whose contact details the importer may see, so an import
    reveals no address) and by lower-cased name."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.by_email: dict[str, Any] = {}
        self.by_name: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        shown = contacts_visible(session, principal)
        stmt = select(col(Person.id), col(Person.name), col(Person.email), shown)
        for pid, name, email, visible in session.execute(stmt):
            if email and visible:
                self.by_email[email.strip().lower()] = (pid, name)
            self.by_name[name.strip().lower()].append((pid, name))

    def resolve_owner(self, ctx: Context, row: Row) -> None:
        """``owner`` is an e-mail or an exact name (any case), compared as the stored name.
        A name many people share keeps its candidates: ``check`` refuses it where it would
        set the owner, and leaves a task whose owner already has that name as it is."""
        given = row.values.get("owner")
        if given is None:
            return
        found = self.by_email.get(given.strip().lower())
        matches = [found] if found else self.by_name.get(given.strip().lower(), [])
        if len(matches) == 1:
            row.refs["owner"], row.values["owner"] = matches[0]
        elif matches:
            row.refs["owner_candidates"] = {pid for pid, _ in matches}
            row.values["owner"] = matches[0][1]
        else:
            ctx.errors.add(row.number, "owner", given, "no person with this e-mail or name")


def _belonging(ctx: Context, pairs: list[tuple[Any, Any]]) -> set[tuple[Any, Any]]:
    """Which (person, organisation) pairs belong together: the organisation employs the
    person, or the person holds a membership open today on its behalf."""
    if not pairs:
        return set()
    person_ids = sorted({person for person, _ in pairs})
    found: set[tuple[Any, Any]] = set()
    for part in chunks(person_ids, 1_000):
        employed = ctx.session.execute(
            select(col(Person.id), col(Person.organisation_id)).where(
                col(Person.id).in_(part), col(Person.organisation_id).is_not(None)
            )
        )
        found.update((person, org) for person, org in employed)
        represents = ctx.session.execute(
            select(col(Membership.person_id), col(Membership.on_behalf_of_id)).where(
                col(Membership.person_id).in_(part),
                col(Membership.on_behalf_of_id).is_not(None),
                col(Membership.started_on) <= ctx.today,
                (col(Membership.ended_on).is_(None)) | (col(Membership.ended_on) >= ctx.today),
            )
        )
        found.update((person, org) for person, org in represents)
    return found & set(pairs)


def _resolve_partnerships(ctx: Context, rows: list[Row], partnerships: Partnerships) -> None:
    """Each row's partnership (``pid``), the strategy its outcomes belong to and its lead."""
    slugs = {slug: pid for pid, (slug, _, _) in partnerships.items()}
    strategy_for = _strategy_finder(ctx.session, partnerships)
    organisations = _Organisations(ctx.session)
    for row in rows:
        pid = check_partnership(ctx, row, "partnership", slugs)
        row.refs["pid"] = pid
        if pid is None:
            continue
        sid = strategy_for(pid)
        if sid is None:
            ctx.errors.add(
                row.number,
                "partnership",
                row.values["partnership"],
                "no strategy for this partnership's outcomes: link a strategy to it or "
                "to its parent partnership",
            )
            continue
        row.refs["strategy"] = sid
        organisations.resolve_lead(ctx, row)


def _plans(session: Session, pids: set[Any]) -> dict[Any, list[Any]]:
    """The action plans of the partnerships named, oldest first."""
    plans: dict[Any, list[Any]] = defaultdict(list)
    for plan_id, pid in session.execute(
        select(col(ActionPlan.id), col(ActionPlan.partnership_id))
        .where(col(ActionPlan.partnership_id).in_(sorted(pids)))
        .order_by(col(ActionPlan.id))
    ):
        plans[pid].append(plan_id)
    return plans


def _existing_outcomes(session: Session, rows: list[Row]) -> dict[tuple[Any, str], Any]:
    """(strategy id, code) -> outcome id, for the strategies the rows name."""
    strategies = sorted({r.refs["strategy"] for r in rows if "strategy" in r.refs})
    return {
        (sid, code): oid
        for oid, sid, code in session.execute(
            select(col(Outcome.id), col(Outcome.strategy_id), col(Outcome.code)).where(
                col(Outcome.strategy_id).in_(strategies)
            )
        )
    }


def _existing_actions(
    session: Session, plans: dict[Any, list[Any]]
) -> dict[tuple[Any, Any, str], Any]:
    """(partnership id, outcome id, ref) -> action id, the first of any in its plans."""
    plan_owner = {plan: pid for pid, ids in plans.items() for plan in ids}
    actions: dict[tuple[Any, Any, str], Any] = {}
    for aid, plan_id, oid, ref in session.execute(
        select(col(Action.id), col(Action.action_plan_id), col(Action.outcome_id), col(Action.ref))
        .where(col(Action.action_plan_id).in_(list(plan_owner)))
        .order_by(col(Action.id))
    ):
        actions.setdefault((plan_owner[plan_id], oid, ref), aid)
    return actions


def _resolve_outcomes_and_actions(
    ctx: Context, rows: list[Row], plans: dict[Any, list[Any]]
) -> None:
    """Match each row's outcome and action; new ones need a title, and rows naming the same
    outcome or action must agree on it."""
    outcomes = _existing_outcomes(ctx.session, rows)
    actions = _existing_actions(ctx.session, plans)
    outcome_rows: dict[tuple[Any, str], Row] = {}
    action_rows: dict[tuple[int, int, str], Row] = {}
    for row in rows:
        if "strategy" not in row.refs:
            continue
        okey = (row.refs["strategy"], row.values["outcome_code"])
        _same_title(ctx, row, "outcome_title", outcome_rows.setdefault(okey, row), "outcome")
        outcome = outcomes.get(okey)
        if outcome is None:
            if row.values.get("outcome_title") is None:
                ctx.errors.add(row.number, "outcome_title", None, "required: the outcome is new")
            continue
        row.refs["outcome"] = outcome
        akey = (row.refs["pid"], outcome, row.values["action_ref"])
        _same_title(ctx, row, "action_title", action_rows.setdefault(akey, row), "action")
        action = actions.get(akey)
        if action is not None:
            row.refs["action"] = action
    for row in rows:
        new_action = "strategy" in row.refs and "action" not in row.refs
        if new_action and row.values.get("action_title") is None:
            ctx.errors.add(row.number, "action_title", None, "required: the action is new")


# -- writing outcomes and actions (TaskKind.apply) ---------------------------------------------


def _write_outcomes(ctx: Context, rows: list[Row], updates: list[Update]) -> None:
    """Create the missing outcomes, retitle the changed ones."""
    new_outcomes: dict[tuple[int, str], Values] = {}
    for row in rows:
        if "outcome" not in row.refs:
            okey = (row.refs["strategy"], row.values["outcome_code"])
            new_outcomes.setdefault(
                okey,
                {
                    "strategy_id": okey[0],
                    "code": okey[1],
                    "title": row.values["outcome_title"],
                    "lead_partnership_id": row.refs["pid"],
                },
            )
    outcome_ids = dict(
        zip(new_outcomes, insert_rows(ctx, Outcome, list(new_outcomes.values())), strict=True)
    )
    for row in rows:
        if "outcome" not in row.refs:
            row.refs["outcome"] = outcome_ids[(row.refs["strategy"], row.values["outcome_code"])]
    retitled: dict[int, Values] = {}
    for u in updates:
        if "outcome_title" in u.changed and u.row.values["outcome_title"] is not None:
            retitled.setdefault(
                u.row.refs["outcome"],
                {"id": u.row.refs["outcome"], "title": u.row.values["outcome_title"]},
            )
    update_rows(ctx, Outcome, list(retitled.values()))


def _write_actions(
    ctx: Context,
    rows: list[Row],
    updates: list[Update],
    plans: dict[Any, list[Any]],
    partnerships: Partnerships,
) -> None:
    """Action plans for partnerships that have none yet, then the missing actions (in the
    latest plan); retitle the changed ones."""
    need_plan = sorted({r.refs["pid"] for r in rows if "action" not in r.refs} - set(plans))
    plan_ids = insert_rows(
        ctx,
        ActionPlan,
        [
            {"partnership_id": pid, "title": f"{partnerships[pid][2]} action plan"}
            for pid in need_plan
        ],
    )
    for pid, plan_id in zip(need_plan, plan_ids, strict=True):
        plans[pid] = [plan_id]
    new_actions: dict[tuple[int, int, str], Values] = {}
    for row in rows:
        if "action" not in row.refs:
            akey = (row.refs["pid"], row.refs["outcome"], row.values["action_ref"])
            new_actions.setdefault(
                akey,
                {
                    "action_plan_id": plans[akey[0]][-1],
                    "outcome_id": akey[1],
                    "ref": akey[2],
                    "title": row.values["action_title"],
                },
            )
    action_ids = dict(
        zip(new_actions, insert_rows(ctx, Action, list(new_actions.values())), strict=True)
    )
    for row in rows:
        if "action" not in row.refs:
            akey = (row.refs["pid"], row.refs["outcome"], row.values["action_ref"])
            row.refs["action"] = action_ids[akey]
    retitled: dict[int, Values] = {}
    for u in updates:
        if "action_title" in u.changed and u.row.values["action_title"] is not None:
            retitled.setdefault(
                u.existing.ids["action"],
                {"id": u.existing.ids["action"], "title": u.row.values["action_title"]},
            )
    update_rows(ctx, Action, list(retitled.values()))


def _check_reported_on(ctx: Context, creates: list[Row], updates: list[Update]) -> None:
    """The date a status change is reported on (``reported_on``, blank: today) is not in the
    future, and a changed task's is not before its latest update: the task's current fields
    are always its latest update (an earlier, late update is history only, posted to the
    task's status updates)."""
    dated = [
        (row, None) for row in creates if any(row.values.get(n) is not None for n in STATUS_COLUMNS)
    ]
    dated += [
        (u.row, u.existing.extra["last_reported_on"])
        for u in updates
        if any(n in u.changed for n in STATUS_COLUMNS)
    ]
    for row, last in dated:
        day = row.values.get("reported_on") or ctx.today
        if day > ctx.today:
            ctx.errors.add(
                row.number, "reported_on", row.cell("reported_on"), "cannot be later than today"
            )
        elif last is not None and day < last:
            ctx.errors.add(
                row.number,
                "reported_on",
                row.cell("reported_on"),
                f"earlier than the task's latest update ({last.isoformat()}); post a late "
                "update to the task's status updates instead",
            )
