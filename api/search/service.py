"""One search across tasks, actions, outcomes, decisions, minutes, papers' titles, people and
organisations: PostgreSQL full-text search or SQLite FTS5 over the index that the database
keeps (``api/search/index.py``), narrowed to what the principal may see by each resource's
own policy (its ``visible``), ranked, with highlighted snippets."""

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    True_,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlmodel import col

from api.core.errors import Forbidden, Unprocessable, field_error
from api.core.principal import Principal
from api.directory.organisations import organisations
from api.directory.people import people
from api.meetings.models import Decision, Meeting
from api.meetings.service import meetings
from api.organisations.models import Organisation
from api.people.models import Person
from api.plans.models import Action, Outcome, Task
from api.plans.service import actions, outcomes, tasks
from api.reports.models import Report
from api.reports.service import reports
from api.search.index import FTS_TABLE, PG_CONFIG, PG_DOCUMENT, search_entry, search_fts
from api.search.schemas import SearchHit, SearchParams, SearchResults, SnippetPart

# Private-use characters around each match in a snippet: never in the indexed text.
START, STOP = "\ue000", "\ue001"
WORD = re.compile(r"\w+", re.UNICODE)
TITLE_CHARS = 160
CANDIDATES = 1_000  # PostgreSQL ranks at most this many matches (see _postgresql)


def _decisions(session: Session, principal: Principal) -> Select[Any]:
    """Decisions of the meetings ``principal`` may see."""
    seen = meetings.policy.visible(session, principal, select(col(Meeting.id)))
    return select(col(Decision.id)).where(col(Decision.meeting_id).in_(seen))


# kind -> the ids of that kind the principal may see (a subquery), from the resource's policy.
VISIBLE: dict[str, Callable[[Session, Principal], Select[Any]]] = {
    "task": lambda s, p: tasks.policy.visible(s, p, select(col(Task.id))),
    "action": lambda s, p: actions.policy.visible(s, p, select(col(Action.id))),
    "outcome": lambda s, p: outcomes.policy.visible(s, p, select(col(Outcome.id))),
    "decision": _decisions,
    "minutes": lambda s, p: meetings.policy.visible(s, p, select(col(Meeting.id))),
    "paper": lambda s, p: reports.policy.visible(s, p, select(col(Report.id))),
    "person": lambda s, p: people.policy.visible(s, p, select(col(Person.id))),
    "organisation": lambda s, p: organisations.policy.visible(s, p, select(col(Organisation.id))),
}


def _visible(session: Session, principal: Principal, kinds: list[str]) -> list[ColumnElement[bool]]:
    """SQL conditions on ``search_entry``, one per kind of ``kinds`` the principal may read:
    an entry of that kind whose record ``principal`` may read. Kinds the principal's role may
    not read at all are left out, not refused."""
    e = search_entry.c
    allowed = []
    for kind in kinds:
        try:
            ids = VISIBLE[kind](session, principal)
        except Forbidden:
            continue
        if _unrestricted(ids):  # every row (admins): the entry exists only for existing rows
            allowed.append(e.kind == kind)
        else:
            allowed.append(and_(e.kind == kind, e.object_id.in_(ids)))
    return allowed


def _unrestricted(stmt: Select[Any]) -> bool:
    """True when the policy left the query over the whole table (no condition, or ``true``)."""
    where = stmt.whereclause
    return where is None or isinstance(where, True_)


def _words(q: str) -> list[str]:
    words = WORD.findall(q)
    if not words:
        raise Unprocessable(
            "q: give at least one word to search for",
            errors=[field_error(["query", "q"], "give at least one word to search for")],
        )
    return words[:12]


def _snippet(text: str) -> list[SnippetPart]:
    parts: list[SnippetPart] = []
    for i, chunk in enumerate(re.split(f"[{START}{STOP}]", text)):
        if chunk:
            parts.append(SnippetPart(text=chunk, match=i % 2 == 1))
    return parts


def _title(kind: str, title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def _postgresql(words: list[str], kinds: list[ColumnElement[bool]], limit: int) -> Select[Any]:
    # Every word must match; the last may be the start of a word (search as you type).
    tsquery = " & ".join([*words[:-1], f"{words[-1]}:*"])
    config: ColumnElement[Any] = literal_column(f"'{PG_CONFIG}'::regconfig")
    query = func.to_tsquery(config, bindparam("tsquery", tsquery))
    document: ColumnElement[Any] = literal_column(PG_DOCUMENT)
    e = search_entry.c
    # Ranking reads every candidate's tsvector: a query matching more than CANDIDATES records
    # ranks the first CANDIDATES the index yields (a common word or a short prefix), so its
    # cost stays bounded whatever the size of the index.
    # One branch per kind, so the planner picks per kind: the GIN index where the principal
    # sees every record, the few visible records' entries where they see few.
    branches = [
        select(e.id, document.label("document"))
        .select_from(search_entry)
        .where(document.op("@@")(query), visible)
        for visible in kinds
    ]
    matches = union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    candidates = select(matches).limit(CANDIDATES).subquery()
    rank = func.ts_rank(candidates.c.document, query).label("rank")
    top = (
        select(candidates.c.id, rank).order_by(rank.desc(), candidates.c.id).limit(limit).subquery()
    )
    options = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=2, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    text = e.title + literal(" — ") + e.body
    headline = func.ts_headline(config, text, query, literal(options))
    return (
        select(e.kind, e.object_id, e.title, e.parent_id, top.c.rank, headline.label("snippet"))
        .join(top, top.c.id == e.id)
        .order_by(top.c.rank.desc(), e.id)
    )


def _sqlite(words: list[str], kinds: list[ColumnElement[bool]], limit: int) -> Select[Any]:
    # FTS5 query syntax: each word quoted (no operators), the last also as a prefix.
    match = " ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*'])
    fts: ColumnElement[Any] = literal_column(FTS_TABLE)
    e = search_entry.c
    bm25 = func.bm25(fts, 10.0, 1.0)  # the title weighs ten times the body; lower is better
    snippet = func.snippet(fts, -1, START, STOP, " … ", 24)
    return (
        select(e.kind, e.object_id, e.title, e.parent_id, (-bm25).label("rank"))
        .add_columns(snippet.label("snippet"))
        .select_from(search_entry.join(search_fts, search_fts.c.rowid == e.id))
        .where(fts.op("MATCH")(bindparam("match", match)), or_(*kinds))
        .order_by(bm25, e.id)
        .limit(limit)
    )


def search(session: Session, principal: Principal, params: SearchParams) -> SearchResults:
    """The best ``params.limit`` matches of every word of ``params.q`` among the records
    ``principal`` may read, best first."""
    words = _words(params.q)
    kinds = [params.kind.value] if params.kind else list(VISIBLE)
    visible = _visible(session, principal, kinds)
    if not visible:
        return SearchResults(query=params.q, items=[])
    if session.get_bind().dialect.name == "postgresql":
        stmt = _postgresql(words, visible, params.limit)
    else:
        stmt = _sqlite(words, visible, params.limit)
    items = [
        SearchHit(
            kind=row.kind,
            id=row.object_id,
            title=_title(row.kind, row.title),
            snippet=_snippet(row.snippet or ""),
            parent_id=row.parent_id,
            rank=round(float(row.rank), 6),
        )
        for row in session.execute(stmt)
    ]
    return SearchResults(query=params.q, items=items)
