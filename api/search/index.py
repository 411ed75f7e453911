"""What the search index holds, one entry per searchable record, and the SQL that keeps it.

The entries live in ``search_entry`` (kind, object_id, title, body, parent_id), written by
database triggers on the source tables, so every write keeps the index in step: the API's
ORM writes, bulk imports, restores and anything done in ``psql``. The migration that creates
the index (``0012``) builds the triggers from :data:`SOURCES`; this module is the one home of
that mapping and imports nothing but SQLAlchemy, so the migration can use it as it stands.

PostgreSQL ranks a generated ``tsvector`` column (title weighted A, body B) through a GIN
index; SQLite keeps an FTS5 table with ``search_entry`` as its external content.
"""

from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, column, table


@dataclass(frozen=True)
class Source:
    kind: str  # the entry's kind, as the API names it
    table: str
    title: str  # SQL over NEW.<column>
    body: str
    parent: str  # the record the result links through (meeting of a decision, ...)
    columns: tuple[str, ...]  # an UPDATE of these re-indexes the row


SOURCES: tuple[Source, ...] = (
    Source(
        "task",
        "task",
        "NEW.title",
        "coalesce(NEW.target, '') || ' ' || coalesce(NEW.position, '') || ' ' || "
        "coalesce(NEW.planned_improvement, '')",
        "NEW.action_id",
        ("title", "target", "position", "planned_improvement", "action_id"),
    ),
    Source(
        "action",
        "action",
        "NEW.ref || ' ' || NEW.title",
        "''",
        "(SELECT partnership_id FROM action_plan WHERE action_plan.id = NEW.action_plan_id)",
        ("ref", "title", "action_plan_id"),
    ),
    Source(
        "outcome",
        "outcome",
        "NEW.code || ' ' || NEW.title",
        "coalesce(NEW.achieve, '') || ' ' || coalesce(NEW.how, '')",
        "NEW.strategy_id",
        ("code", "title", "achieve", "how", "strategy_id"),
    ),
    Source("decision", "decision", "NEW.text", "''", "NEW.meeting_id", ("text", "meeting_id")),
    Source(
        "minutes",
        "meeting",
        "NEW.title",
        "coalesce(NEW.minutes, '')",
        "NEW.partnership_id",
        ("title", "minutes", "partnership_id"),
    ),
    Source("paper", "report", "NEW.title", "''", "NEW.partnership_id", ("title", "partnership_id")),
    Source(
        "person",
        "person",
        "NEW.name",
        "coalesce(NEW.job_title, '')",
        "NEW.organisation_id",
        ("name", "job_title", "organisation_id"),
    ),
    Source(
        "organisation",
        "organisation",
        "NEW.name",
        "coalesce(NEW.short_name, '')",
        "NULL",
        ("name", "short_name"),
    ),
)

KINDS = tuple(s.kind for s in SOURCES)

# Kept out of the models' metadata: the index is derived data, owned by the migration (its
# generated column, GIN index and FTS5 table are dialect-specific) and never backed up.
metadata = MetaData()
search_entry = Table(
    "search_entry",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("object_id", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("parent_id", Integer),
)
# PostgreSQL only: the generated tsvector; SQLite only: the FTS5 table (rowid = entry id).
PG_DOCUMENT = "document"
FTS_TABLE = "search_fts"
search_fts = table(FTS_TABLE, column("rowid"), column("title"), column("body"))
PG_CONFIG = "english"


def _upsert(s: Source) -> str:
    return (
        "INSERT INTO search_entry (kind, object_id, title, body, parent_id) "
        f"VALUES ('{s.kind}', NEW.id, coalesce({s.title}, ''), coalesce({s.body}, ''), "
        f"{s.parent}) "
        "ON CONFLICT (kind, object_id) DO UPDATE SET title = excluded.title, "
        "body = excluded.body, parent_id = excluded.parent_id"
    )


def _delete(s: Source) -> str:
    return f"DELETE FROM search_entry WHERE kind = '{s.kind}' AND object_id = OLD.id"


def _backfill(s: Source) -> str:
    def over(expr: str) -> str:
        return expr.replace("NEW.", "src.")

    return (
        "INSERT INTO search_entry (kind, object_id, title, body, parent_id) "
        f"SELECT '{s.kind}', src.id, coalesce({over(s.title)}, ''), "
        f"coalesce({over(s.body)}, ''), {over(s.parent)} FROM \"{s.table}\" AS src"
    )


def create_statements(dialect: str) -> list[str]:
    """DDL for the index on ``dialect`` (after ``search_entry`` exists), backfill included."""
    out: list[str] = []
    if dialect == "postgresql":
        out.append(
            f"ALTER TABLE search_entry ADD COLUMN {PG_DOCUMENT} tsvector GENERATED ALWAYS AS ("
            f"setweight(to_tsvector('{PG_CONFIG}', title), 'A') || "
            f"setweight(to_tsvector('{PG_CONFIG}', body), 'B')) STORED"
        )
        out.append(
            f"CREATE INDEX ix_search_entry_{PG_DOCUMENT} ON search_entry USING gin ({PG_DOCUMENT})"
        )
        for s in SOURCES:
            out.append(
                f"CREATE FUNCTION search_index_{s.kind}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                "BEGIN\n"
                "  IF TG_OP = 'DELETE' THEN\n"
                f"    {_delete(s)};\n"
                "    RETURN OLD;\n"
                "  END IF;\n"
                f"  {_upsert(s)};\n"
                "  RETURN NEW;\n"
                "END $$"
            )
            out.append(
                f"CREATE TRIGGER search_index_{s.kind} AFTER INSERT OR DELETE OR UPDATE OF "
                f'{", ".join(s.columns)} ON "{s.table}" FOR EACH ROW '
                f"EXECUTE FUNCTION search_index_{s.kind}()"
            )
    else:
        out.append(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, content='search_entry', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        into = f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (new.id, new.title, new.body)"
        drop = (
            f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, body) "
            "VALUES ('delete', old.id, old.title, old.body)"
        )
        out.append(f"CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN {into}; END")
        out.append(f"CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN {drop}; END")
        out.append(
            f"CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN {drop}; {into}; END"
        )
        for s in SOURCES:
            t = f'"{s.table}"'
            out.append(
                f"CREATE TRIGGER search_index_{s.kind}_ai AFTER INSERT ON {t} "
                f"BEGIN {_upsert(s)}; END"
            )
            out.append(
                f"CREATE TRIGGER search_index_{s.kind}_au AFTER UPDATE OF {', '.join(s.columns)} "
                f"ON {t} BEGIN {_upsert(s)}; END"
            )
            out.append(
                f"CREATE TRIGGER search_index_{s.kind}_ad AFTER DELETE ON {t} "
                f"BEGIN {_delete(s)}; END"
            )
    out.extend(_backfill(s) for s in SOURCES)
    return out


def drop_statements(dialect: str) -> list[str]:
    out: list[str] = []
    if dialect == "postgresql":
        for s in SOURCES:
            out.append(f'DROP TRIGGER IF EXISTS search_index_{s.kind} ON "{s.table}"')
            out.append(f"DROP FUNCTION IF EXISTS search_index_{s.kind}()")
    else:
        for s in SOURCES:
            for suffix in ("ai", "au", "ad"):
                out.append(f"DROP TRIGGER IF EXISTS search_index_{s.kind}_{suffix}")
        for suffix in ("ai", "au", "ad"):
            out.append(f"DROP TRIGGER IF EXISTS search_entry_{suffix}")
        out.append(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    return out


def is_index_table(name: str | None) -> bool:
    """Tables of the index (FTS5 shadow tables included), which the models do not describe."""
    return name is not None and (name == "search_entry" or name.startswith(FTS_TABLE))
