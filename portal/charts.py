"""Charts on the portal's pages: one small value object, drawn by ``static/js/charts.js`` (Chart.js, installed
from npm by ``scripts/setup.sh``; nothing from a CDN) and always said in text as well.

A chart is a horizontal bar chart of one series: it reads without colour (length and the value written at
each bar carry the meaning) and ``templates/portal/_chart.html`` renders the same figures as a table for
screen readers and for anyone without JavaScript. Each bar may link to the list behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    display: str  # the value as the page writes it ("1,250.00 USD", "12")
    url: str = ""


@dataclass(frozen=True)
class Chart:
    """``key``: a stable id (the element ids and ``data-chart`` derive from it, tests find the chart by it)."""

    key: str
    title: str
    value_label: str  # what the values are ("Monthly uplift (USD)", "Subscriptions")
    bars: tuple[Bar, ...] = field(default_factory=tuple)

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def summary(self) -> str:
        """The figures in one sentence, for the canvas's accessible name."""
        return "; ".join(f"{bar.label}: {bar.display}" for bar in self.bars)

    def data(self) -> dict:
        """What ``charts.js`` reads (through ``json_script``)."""
        return {
            "valueLabel": str(self.value_label),
            "labels": [str(bar.label) for bar in self.bars],
            "values": [float(bar.value) for bar in self.bars],
            "displays": [bar.display for bar in self.bars],
            "urls": [bar.url for bar in self.bars],
        }
