"""Imports every table so that SQLModel.metadata is complete (Alembic, tests, CLI)."""

from api.auth.models import ApiKey, AuthToken, LoginAttempt, PasswordLink, User
from api.core.audit import AuditEvent, Tombstone
from api.core.idempotency import IdempotencyRecord
from api.feeds.models import CalendarToken
from api.imports.models import ImportRecord
from api.indicators.models import Indicator, LaaTarget, Measurement
from api.meetings.models import AgendaItem, Attendance, Decision, Meeting
from api.notifications.models import NotificationPreference, OutboxMessage
from api.organisations.models import Organisation
from api.partnerships.models import Membership, Partnership
from api.people.models import Person
from api.plans.models import (
    Action,
    ActionPlan,
    Outcome,
    OutcomeIndicator,
    Principle,
    Priority,
    StatusUpdate,
    Strategy,
    Task,
    TaskIndicator,
)
from api.public.models import PublicSubscription
from api.reports.models import Report, ReportIndicator
from api.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "Action",
    "ActionPlan",
    "AgendaItem",
    "ApiKey",
    "Attendance",
    "AuditEvent",
    "AuthToken",
    "CalendarToken",
    "Decision",
    "IdempotencyRecord",
    "ImportRecord",
    "Indicator",
    "LaaTarget",
    "LoginAttempt",
    "Measurement",
    "Meeting",
    "Membership",
    "NotificationPreference",
    "Organisation",
    "OutboxMessage",
    "Outcome",
    "OutcomeIndicator",
    "Partnership",
    "PasswordLink",
    "Person",
    "Principle",
    "Priority",
    "PublicSubscription",
    "Report",
    "ReportIndicator",
    "StatusUpdate",
    "Strategy",
    "Task",
    "TaskIndicator",
    "Tombstone",
    "User",
    "Webhook",
    "WebhookDelivery",
]
