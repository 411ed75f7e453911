"""The importable kinds, by URL segment."""

from api.imports.kinds.base import Kind
from api.imports.kinds.meetings import MeetingKindImport
from api.imports.kinds.people import PeopleKind
from api.imports.kinds.reference import (
    IndicatorKind,
    LaaTargetKind,
    MeasurementKind,
    OrganisationKind,
)
from api.imports.kinds.tasks import TaskKind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        OrganisationKind(),
        PeopleKind(),
        MeetingKindImport(),
        TaskKind(),
        IndicatorKind(),
        LaaTargetKind(),
        MeasurementKind(),
    )
}
