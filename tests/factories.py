"""Generated data shared by the tests and the benchmarks (bench/ imports this module)."""

from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

# The columns of a tasks import file, in export order.
TASK_HEADER = [
    "partnership",
    "outcome_code",
    "outcome_title",
    "action_ref",
    "action_title",
    "task_ref",
    "title",
    "target",
    "position",
    "rag",
    "planned_improvement",
    "deadline",
    "lead_organisation",
    "owner",
    "reported_on",
]

RAGS = ["green", "amber", "red", "complete", None]


def big_plan(
    s: Session,
    tasks: int,
    *,
    name: str,
    slug: str,
    plan_title: str,
    latest: date,
    planned_improvement: bool = False,
) -> tuple[int, list[int]]:
    """A thematic partnership whose plan has ``tasks`` tasks across 10 outcomes.

    One action per 20 tasks; each task has three status updates 60 days apart, the last on
    ``latest``, with RAG ``RAGS[(i + n) % 5]`` for task i and update n (so update 2 puts an
    equal share of tasks in each state). ``planned_improvement`` adds "Recover" to red
    updates. Each task holds its last update's fields, as every write path leaves it.
    Returns (partnership id, task ids).
    """
    from api.partnerships.models import Partnership, PartnershipKind
    from api.plans.models import Action, ActionPlan, Outcome, StatusUpdate, Strategy, Task

    partnership = Partnership(name=name, slug=slug, kind=PartnershipKind.thematic)
    s.add(partnership)
    s.flush()
    strategy_id = s.scalar(select(Strategy.id).limit(1))
    outcomes = [
        Outcome(strategy_id=strategy_id, code=f"9.{i}", title=f"Outcome 9.{i}",
                lead_partnership_id=partnership.id)
        for i in range(1, 11)
    ]  # fmt: skip
    plan = ActionPlan(partnership_id=partnership.id, title=plan_title)  # type: ignore[arg-type]
    s.add_all([*outcomes, plan])
    s.flush()
    actions = [
        Action(action_plan_id=plan.id, outcome_id=outcomes[i % 10].id,  # type: ignore[arg-type]
               ref=f"9.{i % 10 + 1}.{i}", title=f"Action {i}")
        for i in range(max(1, tasks // 20))
    ]  # fmt: skip
    s.add_all(actions)
    s.flush()

    def update(i: int, n: int) -> dict[str, object]:
        rag = RAGS[(i + n) % 5]
        improvement = "Recover" if planned_improvement and rag == "red" else None
        return {"rag": rag, "position": f"Update {n}", "planned_improvement": improvement}

    rows = [
        Task(action_id=actions[i % len(actions)].id, ref=f"t{i}", title=f"Task {i}",  # type: ignore[arg-type]
             last_reported_on=latest, **update(i, 2))
        for i in range(tasks)
    ]  # fmt: skip
    s.add_all(rows)
    s.flush()
    s.execute(
        insert(StatusUpdate),
        [
            {"task_id": t.id, **update(i, n),
             "reported_on": latest - timedelta(days=60 * (2 - n)), "author": "bench"}
            for i, t in enumerate(rows)
            for n in range(3)
        ],
    )  # fmt: skip
    assert partnership.id is not None
    return partnership.id, [t.id for t in rows if t.id is not None]
