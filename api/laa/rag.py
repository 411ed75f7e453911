"""RAG of an LAA target against its straight-line trajectory.

The trajectory runs from the baseline (at the start of the target's period) to the target (at
its end). The point a measurement is compared with is:

- target for a financial year (``2008-09``), measurement for quarter n of it
  (``2008-09-Qn``): ``baseline + (target - baseline) * n / 4``
  (Q1 → a quarter of the way, Q4 → the target);
- measurement for the whole period (year target and year value, or quarter target and value
  of that quarter): the target itself.

With ``ahead = (value - expected)`` for ``higher_is_better`` and ``(expected - value)`` for
``lower_is_better`` and ``band = tolerance * |target - baseline|``:
``green`` when ``ahead >= 0`` (on or ahead of the trajectory), ``amber`` when
``-band <= ahead < 0``, ``red`` when ``ahead < -band``, ``no_data`` without a measurement.
Both boundaries are inclusive on the kinder side. The tolerance is ``LSPHUB_LAA_RAG_TOLERANCE``
(default 0.05, i.e. 5 % of the baseline-to-target distance).
"""

from enum import StrEnum

from api.indicators.models import Polarity


class LaaRag(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"
    no_data = "no_data"


def expected_value(baseline: float, target: float, target_period: str, value_period: str) -> float:
    """The trajectory point for a value reported for ``value_period`` (see module doc)."""
    if (
        len(target_period) == 7
        and len(value_period) == 10
        and value_period[7:9] == "-Q"
        and value_period[:7] == target_period
    ):
        return baseline + (target - baseline) * int(value_period[9]) / 4
    return target


def rag(
    *,
    polarity: Polarity | str,
    baseline: float,
    target: float,
    target_period: str,
    value: float | None,
    value_period: str | None,
    tolerance: float,
) -> LaaRag:
    return rag_for(
        Polarity(polarity) == Polarity.higher_is_better,
        baseline,
        target,
        target_period,
        value,
        value_period,
        tolerance,
    )


def rag_for(
    higher_is_better: bool,
    baseline: float,
    target: float,
    target_period: str,
    value: float | None,
    value_period: str | None,
    tolerance: float,
) -> LaaRag:
    """:func:`rag` with positional arguments, for the export's hot loop."""
    if value is None or value_period is None:
        return LaaRag.no_data
    expected = expected_value(baseline, target, target_period, value_period)
    ahead = value - expected if higher_is_better else expected - value
    band = tolerance * abs(target - baseline)
    # Absorb binary floating-point noise so that values exactly on a boundary land on it.
    epsilon = 1e-9 * max(1.0, abs(baseline), abs(target))
    if ahead >= -epsilon:
        return LaaRag.green
    if ahead >= -band - epsilon:
        return LaaRag.amber
    return LaaRag.red
