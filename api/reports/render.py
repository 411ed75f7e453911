"""The performance report as CSV (one row per task) and as an HTML print view."""

import base64
import csv
import hashlib
import io
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from markupsafe import Markup

from api.core.cells import escape_cell
from api.reports.schemas import PerformanceReport

if TYPE_CHECKING:
    from jinja2 import Environment

CSV_COLUMNS = (
    "as_of",
    "sub_group",
    "outcome_code",
    "outcome_title",
    "action_ref",
    "action_title",
    "task_ref",
    "task_title",
    "target",
    "position",
    "rag",
    "planned_improvement",
    "deadline",
    "lead_organisation",
    "reported_on",
    "stale",
)

RAG_LABELS = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "complete": "Complete",
    None: "Not rated",
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape_cell(str(value))


def report_csv(report: PerformanceReport) -> str:
    """One row per task; an action without tasks gets a row with empty task columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for section in report.outcomes:
        head = [report.as_of, section.sub_group, section.code, section.title]
        for action in section.actions:
            lead = [*head, action.ref, action.title]
            if not action.tasks:
                writer.writerow([_cell(v) for v in lead] + [""] * 10)
            for task in action.tasks:
                rag = task.rag.value if task.rag else None
                rest = [
                    task.ref, task.title, task.target, task.position, rag,
                    task.planned_improvement, task.deadline, task.lead_organisation,
                    task.reported_on, task.stale,
                ]  # fmt: skip
                writer.writerow([_cell(v) for v in [*lead, *rest]])
    return out.getvalue()


@lru_cache
def _environment() -> "Environment":
    from jinja2 import Environment, PackageLoader, select_autoescape  # with the first print view

    env = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rag_label"] = lambda rag: RAG_LABELS.get(rag.value if rag else None, "")
    env.filters["uk_date"] = lambda d: d.strftime("%-d %B %Y") if d else ""
    return env


# The print view carries its styles inside (it is saved and printed as one file); the
# Content-Security-Policy of its response allows exactly this block by its hash.
REPORT_STYLE = (files("api") / "templates" / "performance_report.css").read_text()
REPORT_STYLE_HASH = (
    "sha256-" + base64.b64encode(hashlib.sha256(REPORT_STYLE.encode()).digest()).decode()
)


def report_html(report: PerformanceReport) -> str:
    """The paper form: per outcome, its actions and tasks, then the Green/Amber/Red summary."""
    template = _environment().get_template("performance_report.html")
    return template.render(report=report, style=Markup(REPORT_STYLE))
