"""The National Indicators shipped with the package, loaded by ``lsphub migrate``."""

import csv
from importlib.resources import files

from sqlalchemy.orm import Session
from sqlmodel import select

from api.indicators.models import Indicator, Polarity, Unit


def national_indicators() -> list[dict[str, str]]:
    text = files("api").joinpath("data/national_indicators.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_national_indicators(session: Session) -> int:
    """Insert the catalogue's indicators that are missing; never overwrite local edits."""
    existing = set(session.scalars(select(Indicator.code)))
    added = 0
    for row in national_indicators():
        if row["code"] in existing:
            continue
        session.add(
            Indicator(
                code=row["code"],
                title=row["title"],
                unit=Unit(row["unit"]),
                polarity=Polarity(row["polarity"]),
                source="National Indicator Set (2008)",
                national=True,
            )
        )
        added += 1
    session.flush()
    return added
