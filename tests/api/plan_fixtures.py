"""The demo's own and foreign partnerships for the plan and worklist tests."""

from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, text


@dataclass
class Plan:
    partnership: int  # managed by the demo officer; the demo member belongs to it
    plan: int  # its action plan
    action: int  # an action of that plan
    other_action: int  # another action of that plan
    outcome: int  # the outcome of ``action`` (led by the partnership)
    strategy: int  # the community strategy (owned by the strategic partnership)
    member_org: int  # the demo member's organisation (= the partner key's)
    member_person: int  # the demo member's person (employed by ``member_org``)
    foreign: int  # a partnership none of the demo logins belongs to
    foreign_action: int  # an action of the foreign partnership's plan


@pytest.fixture(name="plan")
def plan_fixture(db: Connection) -> Plan:
    q = db.execute
    member = q(
        text("SELECT person_id, organisation_id FROM \"user\" WHERE email = 'member@example.org'")
    ).one()
    officer = q(
        text("SELECT person_id FROM \"user\" WHERE email = 'officer@example.org'")
    ).scalar_one()
    own = q(
        text(
            "SELECT o.partnership_id FROM membership o JOIN membership m "
            "ON m.partnership_id = o.partnership_id JOIN action_plan ap "
            "ON ap.partnership_id = o.partnership_id "
            "WHERE o.person_id = :officer AND o.role IN ('officer', 'chair', 'vice_chair') "
            "AND o.ended_on IS NULL AND m.person_id = :member AND m.ended_on IS NULL "
            "ORDER BY o.partnership_id LIMIT 1"
        ),
        {"officer": officer, "member": member.person_id},
    ).scalar_one()
    plan_id = q(
        text("SELECT min(id) FROM action_plan WHERE partnership_id = :p"), {"p": own}
    ).scalar_one()
    actions = q(
        text("SELECT id, outcome_id FROM action WHERE action_plan_id = :a ORDER BY id"),
        {"a": plan_id},
    ).all()
    strategy = q(
        text("SELECT strategy_id FROM outcome WHERE id = :o"), {"o": actions[0].outcome_id}
    ).scalar_one()
    foreign = q(
        text(
            "SELECT min(p.id) FROM partnership p JOIN action_plan ap ON ap.partnership_id = p.id "
            "WHERE p.id NOT IN (SELECT partnership_id FROM membership "
            "WHERE person_id IN (:officer, :member) OR on_behalf_of_id = :org)"
        ),
        {"officer": officer, "member": member.person_id, "org": member.organisation_id},
    ).scalar_one()
    foreign_action = q(
        text(
            "SELECT min(a.id) FROM action a JOIN action_plan ap ON ap.id = a.action_plan_id "
            "WHERE ap.partnership_id = :p"
        ),
        {"p": foreign},
    ).scalar_one()
    return Plan(
        partnership=own,
        plan=plan_id,
        action=actions[0].id,
        other_action=actions[1].id,
        outcome=actions[0].outcome_id,
        strategy=strategy,
        member_org=member.organisation_id,
        member_person=member.person_id,
        foreign=foreign,
        foreign_action=foreign_action,
    )
