"""The strategy-wide progress table the strategic partnership reviews.

principle/priority -> outcome -> what we said we'd achieve -> how -> lead partnership ->
progress to date (RAG roll-up of the outcome's tasks, the latest updates, and the latest value
of each linked indicator against its LAA target). A bounded number of queries, whatever the
size of the plans.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, null, true, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.core import clock
from api.core.policy import not_found
from api.core.principal import Principal
from api.core.settings import get_settings
from api.core.sorting import natural_key
from api.indicators.models import Indicator, LaaTarget, Measurement, Polarity
from api.laa.rag import LaaRag
from api.laa.rag import rag as laa_rag
from api.partnerships.models import Partnership
from api.plans.models import (
    Action,
    ActionPlan,
    Outcome,
    OutcomeIndicator,
    Principle,
    Priority,
    Rag,
    Strategy,
    Task,
)
from api.plans.service import counts_by_status, reporting_cutoffs, stale_condition
from api.reports.performance import (
    is_current,
    newest_current_tasks,
    readable_partnerships,
    tasks_as_of,
)
from api.reports.schemas import (
    IndicatorProgress,
    LatestUpdate,
    OutcomeProgress,
    PrincipleText,
    PriorityProgress,
    StrategyProgress,
    Summary,
)

LATEST_UPDATES = 3

# Each outcome's newest updates: (outcome_id, task_id, reported_on, rag, position), the last
# two None when they are the task's own (as of today).
Shown = list[tuple[int, int, date, Any, Any]]


def rag_rollup(summary: Summary) -> Rag | None:
    """One status for a set of tasks: complete when all rated tasks are complete; otherwise
    the mean of green/complete = 1, amber = 0.5, red = 0 over rated tasks: >= 0.75 green,
    >= 0.4 amber, else red. None when no task is rated."""
    rated = summary.green + summary.amber + summary.red + summary.complete
    if rated == 0:
        return None
    if summary.complete == rated:
        return Rag.complete
    score = (summary.green + summary.complete + 0.5 * summary.amber) / rated
    return Rag.green if score >= 0.75 else Rag.amber if score >= 0.4 else Rag.red


def strategy_progress(
    session: Session, principal: Principal, strategy_id: int, as_of: date | None
) -> StrategyProgress:
    return progress_of(session, strategy_id, readable_partnerships(session, principal), as_of)


def progress_of(
    session: Session, strategy_id: int, allowed: frozenset[int] | None, as_of: date | None
) -> StrategyProgress:
    """The progress table counting the tasks of the ``allowed`` partnerships' plans only
    (None: every plan). The residents' site passes the public partnerships."""
    as_of = as_of or clock.today()
    strategy = session.get(Strategy, strategy_id)
    if strategy is None:
        raise not_found("strategy", strategy_id)
    principles = session.scalars(
        select(Principle)
        .where(col(Principle.strategy_id) == strategy_id)
        .order_by(col(Principle.position), col(Principle.id))
    ).all()
    priorities = session.scalars(
        select(Priority)
        .where(col(Priority.strategy_id) == strategy_id)
        .order_by(col(Priority.position), col(Priority.id))
    ).all()
    outcome_rows = session.execute(
        select(Outcome, Partnership.name)
        .outerjoin(Partnership, col(Partnership.id) == col(Outcome.lead_partnership_id))
        .where(col(Outcome.strategy_id) == strategy_id)
    ).all()

    summaries, updates = _task_progress(session, strategy_id, allowed, as_of)
    outcome_ids = [o.id for o, _ in outcome_rows if o.id is not None]
    indicators = _indicator_progress(session, outcome_ids, as_of)
    by_priority: dict[int | None, list[OutcomeProgress]] = defaultdict(list)
    for outcome, lead_name in sorted(outcome_rows, key=lambda r: natural_key(r[0].code)):
        assert outcome.id is not None
        summary = summaries[outcome.id]
        by_priority[outcome.priority_id].append(
            OutcomeProgress(
                outcome_id=outcome.id,
                code=outcome.code,
                title=outcome.title,
                achieve=outcome.achieve,
                how=outcome.how,
                lead_partnership_id=outcome.lead_partnership_id,
                lead_partnership=lead_name,
                rag=rag_rollup(summary),
                summary=summary,
                latest_updates=updates[outcome.id],
                indicators=indicators.get(outcome.id, []),
            )
        )
    groups = [
        PriorityProgress(
            priority_id=p.id, position=p.position, text=p.text, outcomes=by_priority.pop(p.id, [])
        )
        for p in priorities
    ]
    if by_priority.get(None):
        groups.append(
            PriorityProgress(priority_id=None, position=None, text=None, outcomes=by_priority[None])
        )
    total = Summary()
    for s in summaries.values():
        total.merge(s)
    assert strategy.id is not None
    return StrategyProgress(
        strategy_id=strategy.id,
        title=strategy.title,
        vision=strategy.vision,
        period=strategy.period,
        as_of=as_of,
        principles=[PrincipleText(position=p.position, text=p.text) for p in principles],
        priorities=groups,
        summary=total,
    )


def _task_progress(
    session: Session, strategy_id: int, allowed: frozenset[int] | None, as_of: date
) -> tuple[dict[int, Summary], dict[int, list[LatestUpdate]]]:
    """RAG summaries and the ``LATEST_UPDATES`` newest updates per outcome, from the tasks as
    of the date (of the caller's partnerships only, unless they may read all). A county's
    strategy covers every plan, so both are worked out in the database, in statements whose
    results do not grow with the number of tasks, and one more for the shown tasks' titles."""
    scope: ColumnElement[bool] = col(Action.outcome_id).in_(
        select(Outcome.id).where(col(Outcome.strategy_id) == strategy_id)
    )
    if allowed is not None:
        scope = and_(scope, col(ActionPlan.partnership_id).in_(sorted(allowed)))
    lateral = session.get_bind().dialect.name == "postgresql"
    current = is_current(as_of)
    if current:
        summaries, shown = _progress_today(session, scope, as_of, lateral)
    else:
        summaries, shown = _progress_as_of(session, scope, as_of, lateral)
    # The shown tasks' refs and titles (and as of today their status), by id: joined in the
    # statements above, PostgreSQL hashed every task for the few rows it cannot tell are few.
    tasks: dict[int, Any] = {}
    if shown:
        rows: Sequence[Any] = session.execute(
            sa_select(
                col(Task.id), col(Action.ref).label("action_ref"), col(Task.ref),
                col(Task.title), col(Task.rag), col(Task.position),
            )
            .join(Action, col(Action.id) == col(Task.action_id))
            .where(col(Task.id).in_(sorted({task_id for _, task_id, *_ in shown})))
        ).all()  # fmt: skip
        tasks = {row.id: row for row in rows}
    updates: dict[int, list[LatestUpdate]] = defaultdict(list)
    for outcome_id, task_id, reported_on, rag, position in shown:
        task = tasks[task_id]
        updates[outcome_id].append(
            LatestUpdate(
                task_id=task_id,
                ref=f"{task.action_ref}{task.ref}",
                title=task.title,
                rag=task.rag if current else rag,
                position=task.position if current else position,
                reported_on=reported_on,
            )
        )
    return summaries, updates


def _progress_today(
    session: Session, scope: ColumnElement[bool], as_of: date, lateral: bool
) -> tuple[dict[int, Summary], Shown]:
    """The counts per outcome and each outcome's newest updates as of today or later: every
    task exists and holds its latest update, a complete one included
    (tests/api/test_current_status.py), so both are read from indexes, without the history."""
    summaries: dict[int, Summary] = defaultdict(Summary)
    actions = reporting_cutoffs(as_of, scope)
    stale = {"n_stale": stale_condition(actions.c.cutoff)}
    for outcome_id, rag, n, n_stale in session.execute(
        counts_by_status(actions, (actions.c.outcome_id,), stale)
    ):
        summaries[outcome_id].add(rag, n, n_stale)
    newest = newest_current_tasks(scope, LATEST_UPDATES, lateral=lateral)
    return summaries, [(*row, None, None) for row in session.execute(newest)]


def _progress_as_of(
    session: Session, scope: ColumnElement[bool], as_of: date, lateral: bool
) -> tuple[dict[int, Summary], Shown]:
    """The counts per outcome and each outcome's newest updates as of a past date: one
    statement over one CTE of the tasks, each looked up in its history once."""
    summaries: dict[int, Summary] = defaultdict(Summary)
    tasks = tasks_as_of(as_of, scope, lateral=lateral)
    # The counts per outcome, RAG and staleness, then each outcome's newest updates (``kind``
    # tells them apart), both from the one CTE of the tasks as of the date.
    counts = sa_select(
        literal("count").label("kind"),
        tasks.c.outcome_id,
        tasks.c.rag,
        tasks.c.stale,
        func.count().label("n"),
        *(null().label(name) for name in ("task_id", "position")),
        null().label("reported_on"),
        null().label("rank"),
    ).group_by(tasks.c.outcome_id, tasks.c.rag, tasks.c.stale)
    rank = (
        func.row_number()
        .over(
            partition_by=tasks.c.outcome_id,
            order_by=(tasks.c.reported_on.desc(), tasks.c.task_id.desc()),
        )
        .label("rank")
    )
    ranked = (
        sa_select(*(c for c in tasks.c if c.name != "stale"), rank)
        .where(tasks.c.reported_on.is_not(None))
        .subquery("ranked")
    )
    newest = sa_select(
        literal("update"),
        ranked.c.outcome_id,
        ranked.c.rag,
        null(),
        null(),
        ranked.c.task_id,
        ranked.c.position,
        ranked.c.reported_on,
        ranked.c.rank,
    ).where(ranked.c.rank <= LATEST_UPDATES)
    both = union_all(counts, newest).subquery("progress")
    shown: Shown = []
    for row in session.execute(
        sa_select(both).order_by(both.c.kind, both.c.outcome_id, both.c.rank)
    ):
        if row.kind == "count":
            summaries[row.outcome_id].add(row.rag, row.n, row.n if row.stale else 0)
        else:
            shown.append((row.outcome_id, row.task_id, row.reported_on, row.rag, row.position))
    return summaries, shown


def _indicator_progress(
    session: Session, outcome_ids: list[int], as_of: date
) -> dict[int, list[IndicatorProgress]]:
    """Linked indicators with their latest measurement on or before ``as_of`` and the latest
    LAA target for the same area: three queries for any number of outcomes."""
    if not outcome_ids:
        return {}
    links = session.execute(
        select(OutcomeIndicator.outcome_id, Indicator)
        .join(Indicator, col(Indicator.id) == col(OutcomeIndicator.indicator_id))
        .where(col(OutcomeIndicator.outcome_id).in_(outcome_ids))
        .order_by(col(OutcomeIndicator.outcome_id), col(Indicator.code))
    ).all()
    indicator_ids = sorted({ind.id for _, ind in links if ind.id is not None})
    if not indicator_ids:
        return {}
    measurements = _latest_measurements(session, indicator_ids, as_of)
    all_targets = session.scalars(
        select(LaaTarget)
        .where(col(LaaTarget.indicator_id).in_(indicator_ids))
        .order_by(col(LaaTarget.period), col(LaaTarget.id))
    ).all()
    tolerance = get_settings().laa_rag_tolerance
    result: dict[int, list[IndicatorProgress]] = defaultdict(list)
    for outcome_id, ind in links:
        assert ind.id is not None
        m = measurements.get(ind.id)
        t = _target_for(all_targets, ind.id, m.area if m else None, m.period if m else None)
        result[outcome_id].append(_indicator_status(ind, m, t, tolerance))
    return result


def _latest_measurements(session: Session, indicator_ids: list[int], as_of: date) -> dict[int, Any]:
    """indicator id -> its latest measurement on or before ``as_of`` (one query). On
    PostgreSQL one backward probe of ``ix_measurement_indicator_reported`` per indicator;
    SQLite ranks the indicators' measurements."""
    columns = (
        col(Measurement.indicator_id),
        col(Measurement.area),
        col(Measurement.period),
        col(Measurement.value),
        col(Measurement.reported_on),
    )
    newest_first = (col(Measurement.reported_on).desc(), col(Measurement.id).desc())
    if session.get_bind().dialect.name == "postgresql":
        latest = (
            sa_select(*columns)
            .where(
                col(Measurement.indicator_id) == col(Indicator.id),
                col(Measurement.reported_on) <= as_of,
            )
            .order_by(*newest_first)
            .limit(1)
            .lateral("latest_measurement")
        )
        statement = (
            sa_select(latest).select_from(Indicator).join(latest, true())
            .where(col(Indicator.id).in_(indicator_ids))
        )  # fmt: skip
    else:
        ranked = (
            sa_select(
                *columns,
                func.row_number()
                .over(partition_by=col(Measurement.indicator_id), order_by=newest_first)
                .label("rn"),
            )
            .where(
                col(Measurement.indicator_id).in_(indicator_ids),
                col(Measurement.reported_on) <= as_of,
            )
            .subquery()
        )
        statement = sa_select(ranked).where(ranked.c.rn == 1)
    return {r.indicator_id: r for r in session.execute(statement).all()}


def _target_for(
    targets: Sequence[LaaTarget], indicator_id: int, area: str | None, period: str | None
) -> LaaTarget | None:
    """The target of the measurement's period (else the latest) in its area."""
    found = None
    for t in targets:  # ordered by period: the last match is the latest
        if t.indicator_id != indicator_id or (area is not None and t.area != area):
            continue
        if period is not None and period.startswith(t.period):
            return t
        found = t
    return found


def _indicator_status(
    ind: Indicator, m: Any | None, t: LaaTarget | None, tolerance: float
) -> IndicatorProgress:
    assert ind.id is not None
    met: bool | None = None
    status = LaaRag.no_data
    if m is not None and t is not None:
        higher = ind.polarity == Polarity.higher_is_better
        met = m.value >= t.target if higher else m.value <= t.target
        status = laa_rag(
            polarity=ind.polarity,
            baseline=t.baseline,
            target=t.target,
            target_period=t.period,
            value=m.value,
            value_period=m.period,
            tolerance=tolerance,
        )
    return IndicatorProgress(
        indicator_id=ind.id,
        code=ind.code,
        title=ind.title,
        unit=ind.unit,
        polarity=ind.polarity,
        area=m.area if m is not None else (t.area if t is not None else None),
        latest_value=m.value if m is not None else None,
        latest_period=m.period if m is not None else None,
        latest_reported_on=m.reported_on if m is not None else None,
        target=t.target if t is not None else None,
        target_period=t.period if t is not None else None,
        baseline=t.baseline if t is not None else None,
        met=met,
        rag=status,
    )
