"""Where to find what one may read: the partnerships whose performance reports the caller may
read, and the strategies whose progress they may follow. The county reads every report but
may not list partnerships or strategies, so this is how it finds them."""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.core.principal import Principal
from api.partnerships.models import Partnership
from api.plans.models import ActionPlan, Outcome, Strategy
from api.reports.performance import readable_partnerships
from api.reports.schemas import PartnershipReportLink, ReportIndex, StrategyLink


def report_index(session: Session, principal: Principal) -> ReportIndex:
    allowed = readable_partnerships(session, principal)
    has_plan = exists().where(col(ActionPlan.partnership_id) == col(Partnership.id))
    leads = exists().where(col(Outcome.lead_partnership_id) == col(Partnership.id))
    stmt = select(
        col(Partnership.id),
        col(Partnership.name),
        col(Partnership.kind),
        col(Partnership.status),
        has_plan.label("has_plan"),
        leads.label("leads"),
    ).order_by(col(Partnership.name), col(Partnership.id))
    if allowed is not None:
        stmt = stmt.where(col(Partnership.id).in_(allowed))
    partnerships = [
        PartnershipReportLink(
            partnership_id=pid,
            name=name,
            kind=kind,
            status=status,
            has_action_plan=bool(has_action_plan),
            leads_outcomes=bool(leads_outcomes),
        )
        for pid, name, kind, status, has_action_plan, leads_outcomes in session.execute(stmt)
    ]
    strategies = [
        StrategyLink(strategy_id=sid, title=title, period=period)
        for sid, title, period in session.execute(
            select(col(Strategy.id), col(Strategy.title), col(Strategy.period)).order_by(
                col(Strategy.id)
            )
        )
    ]
    return ReportIndex(partnerships=partnerships, strategies=strategies)
