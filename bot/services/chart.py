"""The digest's chart: meetings held and planned per week as bars, the mean rating as a line.

Drawn by matplotlib's Agg canvas on a `Figure` of its own, never through pyplot, so nothing
global changes and no display is needed. Services have no translator: the words come in as
`ChartLabels`, rendered by the caller in the reader's language.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bot.services.figures import WeekPoint

PNG_MIME = "image/png"
CHART_FILE = "digest.png"
# Ships with matplotlib and has Cyrillic, so no glyph is missing and no warning is raised.
CHART_FONT = "DejaVu Sans"
SIZE_INCHES, DPI = (8.0, 4.0), 100  # 800 x 400 pixels
RATING_RANGE = (1.0, 5.0)
PLANNED_COLOR, HELD_COLOR, RATING_COLOR = "#b0c4de", "#2e6da4", "#e67e22"


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The chart's words in the reader's language."""

    title: str
    held: str
    planned: str
    rating: str  # the line and its axis
    meetings: str  # the bars' axis

    @classmethod
    def of(cls, t: Callable[[str], str]) -> ChartLabels:
        """The labels rendered by `t(text_id)` (a dialog's `ctx.t`, a translator in a locale)."""
        return cls(
            title=t("digest-chart-title"),
            held=t("digest-chart-held"),
            planned=t("digest-chart-planned"),
            rating=t("digest-chart-rating"),
            meetings=t("digest-chart-meetings"),
        )


def chart_figure(weeks: Sequence[WeekPoint], *, labels: ChartLabels) -> Figure:
    """The chart as a matplotlib figure (inspectable before it is saved)."""
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy, imported when first drawn
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    bars = figure.add_subplot()
    positions = list(range(len(weeks)))
    width = 0.4
    bars.bar(
        [x - width / 2 for x in positions],
        [point.planned for point in weeks],
        width,
        label=labels.planned,
        color=PLANNED_COLOR,
    )
    bars.bar(
        [x + width / 2 for x in positions],
        [point.held for point in weeks],
        width,
        label=labels.held,
        color=HELD_COLOR,
    )
    bars.set_xticks(positions, [point.week_start.strftime("%d.%m") for point in weeks])
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    bars.set_ylim(bottom=0, top=max([1, *(max(p.planned, p.held) for p in weeks)]) * 1.3)
    bars.set_ylabel(labels.meetings, fontfamily=CHART_FONT)
    bars.set_title(labels.title, fontfamily=CHART_FONT, fontsize=13)
    bars.spines[["top"]].set_visible(False)
    line = bars.twinx()
    line.plot(
        positions,
        [math.nan if point.rating is None else point.rating for point in weeks],
        color=RATING_COLOR,
        marker="o",
        linewidth=2,
        label=labels.rating,
    )
    line.set_ylim(RATING_RANGE[0] - 0.2, RATING_RANGE[1] + 0.2)
    line.set_yticks([1, 2, 3, 4, 5])
    line.set_ylabel(labels.rating, fontfamily=CHART_FONT)
    line.spines[["top"]].set_visible(False)
    for axes in (bars, line):
        for tick in (*axes.get_xticklabels(), *axes.get_yticklabels()):
            tick.set_fontfamily(CHART_FONT)
    handles = [*bars.get_legend_handles_labels()[0], *line.get_legend_handles_labels()[0]]
    bars.legend(
        handles=handles,
        loc="upper left",
        frameon=False,
        ncols=3,
        prop={"family": CHART_FONT, "size": 9},
    )
    return figure


def png(figure: Figure) -> bytes:
    """The figure drawn by Agg as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def render_chart(weeks: Sequence[WeekPoint], *, labels: ChartLabels) -> bytes:
    """Meetings held and planned per week (bars) and the mean rating (a line, 1 to 5) as a
    PNG of 800 x 400 pixels."""
    return png(chart_figure(weeks, labels=labels))


__all__ = [
    "CHART_FILE",
    "CHART_FONT",
    "PNG_MIME",
    "ChartLabels",
    "chart_figure",
    "png",
    "render_chart",
]
