"""Reports: the XLSX workbook and CSV files of a program, and the final analytical report.

What the export holds, and what it leaves out on purpose (least data, 152-FZ):
- sheets `participants`, `pairs`, `meetings`, `feedback`, `goals`, `consents`, and in the
  workbook an "about" sheet first (program, organisation, stage, when, who exported);
- names and school classes only: no birth dates, no messenger accounts or chat ids, no
  questionnaire answers at all (health answers, the `private: true` ones, are special-category
  data; the others are the matching's input, shown in the bot where needed), no meeting places
  or call links; survey responses only once confirmed;
- a person whose data were erased shows as "erased (#person id)", and nothing they wrote (a
  meeting topic they proposed, a missed meeting's reason, feedback) is exported;
- the consents sheet keeps the SHA-256 of the text shown: it proves which text was agreed to and
  says nothing about anybody; the signer's name is left out when the child's data were erased.

Services have no translator, so sheets hold cells, not texts: a column is a key whose header is
the text `report-column-<key>`, a sheet's title is `report-sheet-<key>`, and enum values, yes/no
and "erased" are `Label`s (a text id with arguments). The caller renders with its `Labels` (a
dialog's `ctx.t`; the command line's translator in the default locale, see `labels_of`).
Moments are rendered in the organisation's time zone: real date cells in the workbook, and in CSV
`YYYY-MM-DD HH:MM`.

CSV files: UTF-8 with a byte order mark (Excel then reads Cyrillic right), `;` between fields
and a decimal comma (what Excel expects in a Russian locale), CRLF line ends, one file per
sheet. A text starting with = + - @ gets a leading apostrophe so that a spreadsheet does not run it
as a formula; the workbook stores such texts as plain strings instead.

The award ranking of the final report (one formula, `award_score`):
    score = 10 × R + 2 × H + 1 × F + 3 × G
R: the mean rating (1..5) the mentor's mentees gave the meetings of the mentor's pairs (0 when
none); H: meetings held in those pairs; F: feedback the mentor gave after meetings; G: goals done
in those pairs. Higher first; ties go to more meetings held, then by name, then by id. Ranked are
the mentors who had a pair in the program (active, finished or dissolved) and whose data were not
erased.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.services import calendar
from bot.services.base import Service
from bot.services.chart import CHART_FONT, PNG_MIME, ChartLabels, chart_figure, png
from bot.services.figures import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    FigureService,
    ProgramFigures,
    week_start,
)
from bot.services.programs import CLI, Access, Actor, Refusal, System, acting
from bot.services.surveys import SurveyError, SurveyResults, SurveyService
from storage import (
    Consent,
    ConsentRelation,
    CycleStage,
    Feedback,
    FeedbackKind,
    Goal,
    GoalStatus,
    Meeting,
    MeetingConfirmation,
    MeetingStatus,
    Organization,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    Person,
    Program,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bot.core.i18n import Translator
    from bot.services import Services

ACTION_EXPORTED = "reports.exported"
ACTION_FINAL = "reports.final"
PRODUCT = "nastavnik"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
CSV_DELIMITER = ";"
# Text a spreadsheet would take for a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters a workbook cannot hold.
ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
MAX_WIDTH, MIN_WIDTH = 60, 8
MAX_SHEET_TITLE = 31
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

# The award formula's weights (see the module's docstring).
RATING_WEIGHT = 10
HELD_WEIGHT = 2
FEEDBACK_WEIGHT = 1
GOAL_WEIGHT = 3
# Pairs whose mentor counts for awards: approved ones, whatever became of them since.
WORKED = (PairStatus.ACTIVE, PairStatus.FINISHED, PairStatus.DISSOLVED)
# Survey answers with a column of their own in the feedback sheet.
OWN_COLUMNS = frozenset({"satisfaction", "nps", "become_mentor", "mentor_again", "comment"})
RATINGS = (1, 2, 3, 4, 5)
MENTORS_CHARTED = 10
# The weekly chart names at most this many weeks under its bars.
WEEKS_LABELLED = 12


# Renders a text id with keyword arguments in the reader's language: `labels(text_id, **args)`
# (a dialog's `StepContext.t`, or `labels_of(translator)`).
Labels: TypeAlias = Callable[..., str]


def labels_of(translator: Translator, locale: str | None = None) -> Labels:
    """Labels in one locale (the translator's default when None), for the command line."""
    chosen = locale or translator.default_locale

    def render(text_id: str, /, **args: Any) -> str:
        return translator(chosen, text_id, args)

    return render


# --- cells and sheets ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    """A cell rendered through the texts: a text id and its arguments (which may be cells)."""

    text_id: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Join:
    """Several cells in one, e.g. a group's mentees."""

    parts: tuple[Cell, ...]
    separator: str = "; "


Cell: TypeAlias = "str | int | float | date | datetime | Label | Join | None"
# What a cell becomes once rendered: a workbook value.
Plain: TypeAlias = str | int | float | date | datetime | None


def yes_no(value: bool | None) -> Label | None:
    """A yes/no cell (None stays empty)."""
    return None if value is None else Label("report-yes-no", {"value": "yes" if value else "no"})


def enum_label(text_id: str, value: str | None) -> Label | None:
    """An enum value as a text selecting on it (`report-role` with `$value`)."""
    return None if value is None else Label(text_id, {"value": value})


def kebab(key: str) -> str:
    """A snake_case key as part of a text id."""
    return key.replace("_", "-")


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table: its key (`participants`), column keys, and rows of cells."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def title(self, labels: Labels) -> str:
        """The sheet's name in a workbook (Excel allows 31 characters, no []:*?/\\)."""
        title = re.sub(r"[\[\]:*?/\\]", " ", labels(f"report-sheet-{kebab(self.key)}"))
        return title[:MAX_SHEET_TITLE]

    def header(self, labels: Labels) -> list[str]:
        """The column titles."""
        return [labels(f"report-column-{kebab(column)}") for column in self.columns]

    def plain(self, labels: Labels, zone: ZoneInfo) -> list[list[Plain]]:
        """The rows rendered: texts, numbers, and dates and times in the zone (naive)."""
        return [[render(cell, labels, zone) for cell in row] for row in self.rows]


def render(cell: Cell, labels: Labels, zone: ZoneInfo) -> Plain:
    """A cell as a workbook value; moments become naive local times of the zone."""
    match cell:
        case Label(text_id, args):
            return labels(text_id, **{k: _arg(v, labels, zone) for k, v in args.items()})
        case Join(parts, separator):
            rendered = (render(part, labels, zone) for part in parts)
            return separator.join(_text(v) for v in rendered if v not in (None, "")) or None
        case datetime():
            return cell.astimezone(zone).replace(tzinfo=None)
        case float():
            return round(cell, 2)
        case _:
            return cell


def _arg(value: Any, labels: Labels, zone: ZoneInfo) -> Any:
    if isinstance(value, Label | Join | datetime):
        return _text(render(value, labels, zone))
    return "none" if value is None else value


def _text(value: Plain) -> str:
    """A rendered value as CSV text: ISO dates, local `YYYY-MM-DD HH:MM`, decimal comma."""
    match value:
        case None:
            return ""
        case bool():
            return str(value)
        case datetime():
            return value.strftime("%Y-%m-%d %H:%M")
        case date():
            return value.isoformat()
        case float():
            text = f"{value:.2f}".rstrip("0").rstrip(".")
            return text.replace(".", ",")
        case _:
            return str(value)


def csv_text(value: Plain) -> str:
    """A value as a CSV field, defused if a spreadsheet would read it as a formula."""
    text = _text(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def sheet_csv(sheet: Sheet, labels: Labels, zone: ZoneInfo) -> bytes:
    """One sheet as a CSV file (see the module's docstring for the format)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(sheet.header(labels))
    writer.writerows([csv_text(value) for value in row] for row in sheet.plain(labels, zone))
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def workbook(sheets: Sequence[Sheet], labels: Labels, zone: ZoneInfo, created: datetime) -> bytes:
    """The sheets as an XLSX workbook: bold frozen headers, fitted widths, typed cells."""
    book = Workbook()
    book.remove(book.worksheets[0])
    book.properties.creator = PRODUCT
    book.properties.created = created.astimezone(UTC).replace(tzinfo=None)
    titles: set[str] = set()
    for sheet in sheets:
        title = sheet.title(labels)
        while title in titles:  # Excel refuses two sheets of one name
            title = f"{title[: MAX_SHEET_TITLE - 1]}_"
        titles.add(title)
        page = book.create_sheet(title)
        header = sheet.header(labels)
        widths = [len(text) for text in header]
        for number, text in enumerate(header, start=1):
            page.cell(row=1, column=number, value=text).font = BOLD
        for row_number, row in enumerate(sheet.plain(labels, zone), start=2):
            for number, value in enumerate(row, start=1):
                _put(page.cell(row=row_number, column=number), value)
                widths[number - 1] = max(widths[number - 1], _width(value))
        for number, width in enumerate(widths, start=1):
            page.column_dimensions[get_column_letter(number)].width = min(
                MAX_WIDTH, max(MIN_WIDTH, width + 2)
            )
        page.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(cell: Any, value: Plain) -> None:
    if isinstance(value, str):
        cell.value = ILLEGAL_XLSX.sub("", value)
        # A text is a text, even one that starts with "=" (openpyxl would store a formula).
        cell.data_type = "s"
        if len(value) > MAX_WIDTH or "\n" in value:
            cell.alignment = WRAP
        return
    cell.value = value
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT


def _width(value: Plain) -> int:
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    return max((len(line) for line in _text(value).splitlines()), default=0)


def file_name(program_id: int, day: date, suffix: str) -> str:
    """`nastavnik-<program id>-<YYYY-MM-DD><suffix>`."""
    return f"{PRODUCT}-{program_id}-{day.isoformat()}{suffix}"


# --- the export -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Export:
    """A program's data at a moment, for one who may see it: the sheets as plain rows."""

    program_id: int
    program: str
    organization: str
    stage: int
    timezone: str
    made_at: datetime
    made_by: Cell
    sheets: tuple[Sheet, ...]

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone, in which moments are shown."""
        return calendar.zone(self.timezone)

    @property
    def day(self) -> date:
        """The export's date in the organisation's zone."""
        return calendar.local(self.made_at, self.timezone).date()

    def sheet(self, key: str) -> Sheet:
        """A sheet by key."""
        for sheet in self.sheets:
            if sheet.key == key:
                return sheet
        raise KeyError(key)

    @property
    def about(self) -> Sheet:
        """What the export is: the workbook's first sheet."""
        rows: list[tuple[Cell, ...]] = [
            (Label("report-about-program"), self.program),
            (Label("report-about-organization"), self.organization),
            (Label("report-about-stage"), Label("report-stage", {"stage": self.stage})),
            (Label("report-about-made-at"), self.made_at),
            (Label("report-about-made-by"), self.made_by),
            (Label("report-about-timezone"), self.timezone),
            (Label("report-about-left-out"), Label("report-left-out")),
        ]
        rows += [
            (
                Label("report-about-rows", {"sheet": Label(f"report-sheet-{kebab(s.key)}")}),
                len(s.rows),
            )
            for s in self.sheets
        ]
        return Sheet("about", ("item", "value"), tuple(rows))

    @property
    def filename(self) -> str:
        """`nastavnik-<program id>-<date>.xlsx`."""
        return file_name(self.program_id, self.day, ".xlsx")

    def xlsx(self, labels: Labels) -> bytes:
        """The workbook: the about sheet, then one sheet per table."""
        return workbook((self.about, *self.sheets), labels, self.zone, self.made_at)

    def csv_files(self, labels: Labels) -> dict[str, bytes]:
        """One CSV file per table, by file name `nastavnik-<id>-<date>-<sheet>.csv`."""
        return {
            file_name(self.program_id, self.day, f"-{sheet.key}.csv"): sheet_csv(
                sheet, labels, self.zone
            )
            for sheet in self.sheets
        }


def person_name(person: Person | None) -> Cell:
    """A person's name, or "erased (#id)" once their data were erased."""
    if person is None:
        return None
    if person.anonymized_at is not None:
        return Label("report-erased", {"id": str(person.id)})
    return person.full_name


def erased(person: Person | None) -> bool:
    """Whether the person's data were erased (so nothing they wrote may be shown)."""
    return person is not None and person.anonymized_at is not None


@dataclass(slots=True)
class _Directory:
    """The program's participants and their people, loaded once per report."""

    participants: dict[int, tuple[Participant, Person]]

    def person(self, participant_id: int | None) -> Person | None:
        if participant_id is None or participant_id not in self.participants:
            return None
        return self.participants[participant_id][1]

    def name(self, participant_id: int | None) -> Cell:
        return person_name(self.person(participant_id))

    def by_own(self, participant_id: int | None, text: str | None) -> str | None:
        """A text the participant wrote, unless their data were erased."""
        return None if erased(self.person(participant_id)) else text


# --- the final report -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MentorScore:
    """A mentor's place in the award ranking and what it is made of."""

    place: int
    participant_id: int
    person_id: int
    name: str
    rating: float | None  # mean rating from the mentor's mentees; None when none rated
    ratings: int  # how many ratings that mean is of
    held: int
    feedback_given: int
    goals_done: int

    @property
    def score(self) -> float:
        """The award score (see `award_score`)."""
        return award_score(self.rating, self.held, self.feedback_given, self.goals_done)


def award_score(rating: float | None, held: int, feedback_given: int, goals_done: int) -> float:
    """10 × mean rating received (0 when none) + 2 × meetings held + 1 × feedback given +
    3 × goals done: the one place the award formula lives."""
    return (
        RATING_WEIGHT * (rating or 0.0)
        + HELD_WEIGHT * held
        + FEEDBACK_WEIGHT * feedback_given
        + GOAL_WEIGHT * goals_done
    )


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What the program achieved, beyond the weekly figures."""

    meetings_missed: int
    ratings: tuple[int, ...]  # how many meeting ratings of 1, 2, 3, 4, 5
    goals_set: int  # goals of the program's pairs, dropped ones left out
    goals_done: int
    intermediate_results: int  # meeting feedback that recorded an intermediate result
    would_mentor: int  # mentees who would become mentors (final survey)
    mentor_again: int  # mentors who would mentor again (final survey)

    @property
    def rating(self) -> float | None:
        """The mean of every meeting rating; None before any."""
        total = sum(self.ratings)
        if not total:
            return None
        return (
            sum(value * count for value, count in zip(RATINGS, self.ratings, strict=True)) / total
        )


@dataclass(frozen=True, slots=True)
class FinalReport:
    """The program's yearly analytical report: figures, surveys, outcomes, the award ranking."""

    program_id: int
    program: str
    organization: str
    stage: int
    timezone: str
    made_at: datetime
    figures: ProgramFigures
    surveys: SurveyResults
    outcomes: Outcomes
    mentors: tuple[MentorScore, ...]

    @property
    def complete(self) -> bool:
        """Whether the program reached stage 7 (before it, the report is a preview)."""
        return self.stage >= CycleStage.COMPLETION

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone."""
        return calendar.zone(self.timezone)

    @property
    def day(self) -> date:
        """The report's date in the organisation's zone."""
        return calendar.local(self.made_at, self.timezone).date()

    @property
    def filename(self) -> str:
        """`nastavnik-<program id>-<date>-final.xlsx`."""
        return file_name(self.program_id, self.day, "-final.xlsx")

    @property
    def nps(self) -> float | None:
        """The final survey's NPS, else that of every pulse round together."""
        final = self.surveys.final.nps if self.surveys.final else None
        return final if final is not None else self.surveys.pulse.nps

    @property
    def satisfaction(self) -> float | None:
        """The final survey's mean satisfaction, else that of the pulse rounds."""
        final = self.surveys.final.satisfaction if self.surveys.final else None
        return final if final is not None else self.surveys.pulse.satisfaction

    def summary_args(self) -> dict[str, Any]:
        """The figures the chat's summary text shows (numbers, or "none")."""
        f, o = self.figures, self.outcomes
        return {
            "program": self.program,
            "stage": self.stage,
            "complete": str(self.complete),
            "joined": f.joined,
            "invited": f.invited,
            "pairs": f.pairs_active,
            "held": f.held_total,
            "planned": f.planned_total,
            "rating": _number(o.rating),
            "nps": _number(self.nps),
            "satisfaction": _number(self.satisfaction),
            "goals_done": o.goals_done,
            "goals_set": o.goals_set,
            "results": o.intermediate_results,
            "would_mentor": o.would_mentor,
            "mentors": len(self.mentors),
        }

    def sheets(self) -> tuple[Sheet, ...]:
        """The report's tables: summary, the award ranking, weeks, surveys."""
        f, o = self.figures, self.outcomes
        final = self.surveys.final
        items: list[tuple[str, Cell]] = [
            ("stage", Label("report-stage", {"stage": self.stage})),
            ("complete", yes_no(self.complete)),
            ("invited", f.invited),
            ("joined", f.joined),
            ("consent_pending", f.consent_pending),
            ("questionnaires_done", f.questionnaires_done),
            ("mentors_approved", f.mentors_approved),
            ("pairs_active", f.pairs_active),
            ("held_total", f.held_total),
            ("planned_total", f.planned_total),
            ("meetings_missed", o.meetings_missed),
            ("rating", o.rating),
            ("rating_recent", f.rating),
            ("goals_set", o.goals_set),
            ("goals_done", o.goals_done),
            ("intermediate_results", o.intermediate_results),
            ("pulse_completed", self.surveys.pulse.completed),
            ("pulse_satisfaction", self.surveys.pulse.satisfaction),
            ("pulse_nps", self.surveys.pulse.nps),
            ("final_sent", final.sent if final else None),
            ("final_completed", final.completed if final else None),
            ("final_satisfaction", final.satisfaction if final else None),
            ("final_nps", final.nps if final else None),
            ("would_mentor", o.would_mentor),
            ("mentor_again", o.mentor_again),
            ("made_at", self.made_at),
        ]
        summary = Sheet(
            "summary",
            ("item", "value"),
            tuple((Label(f"report-figure-{kebab(key)}"), value) for key, value in items),
        )
        mentors = Sheet(
            "mentors",
            ("place", "name", "rating", "ratings", "held", "feedback_given", "goals_done", "score"),
            tuple(
                (
                    m.place,
                    m.name,
                    m.rating,
                    m.ratings,
                    m.held,
                    m.feedback_given,
                    m.goals_done,
                    m.score,
                )
                for m in self.mentors
            ),
        )
        weeks = Sheet(
            "weeks",
            ("week_start", "held", "planned", "rating"),
            tuple((w.week_start, w.held, w.planned, w.rating) for w in f.weeks),
        )
        rounds = [*self.surveys.pulse_rounds, *([final] if final else [])]
        surveys = Sheet(
            "surveys",
            (
                "kind",
                "round",
                "sent",
                "completed",
                "satisfaction",
                "nps",
                "promoters",
                "passives",
                "detractors",
            ),
            tuple(
                (
                    enum_label("report-feedback-kind", r.kind.value),
                    r.round,
                    r.sent,
                    r.completed,
                    r.satisfaction,
                    r.nps,
                    r.promoters,
                    r.passives,
                    r.detractors,
                )
                for r in rounds
            ),
        )
        return (summary, mentors, weeks, surveys)

    def xlsx(self, labels: Labels) -> bytes:
        """The report as a workbook."""
        return workbook(self.sheets(), labels, self.zone, self.made_at)

    def charts(self, labels: Labels) -> list[tuple[str, bytes]]:
        """PNG charts by file name: meetings by week, the ratings, the mentors ranked first."""
        return [
            (file_name(self.program_id, self.day, "-weeks.png"), weeks_chart(self.figures, labels)),
            (
                file_name(self.program_id, self.day, "-ratings.png"),
                ratings_chart(self.outcomes.ratings, labels),
            ),
            (
                file_name(self.program_id, self.day, "-mentors.png"),
                mentors_chart(self.mentors[:MENTORS_CHARTED], labels),
            ),
        ]


def _number(value: float | None) -> float | str:
    return "none" if value is None else round(value, 1)


# --- charts ---------------------------------------------------------------------------------------


def _figure() -> Figure:
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy, lazy

    return Figure(figsize=(8, 4.5), dpi=100, layout="constrained")


def _style(axes: Axes, title: str, *, whole: bool = True) -> None:
    """Title, fonts with Cyrillic, no box; `whole`: the values are counts (integer ticks)."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 - heavy, lazy

    if whole:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title, fontfamily=CHART_FONT, fontsize=13)
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontfamily(CHART_FONT)
    axes.spines[["top", "right"]].set_visible(False)


def _empty(figure: Figure, title: str, labels: Labels) -> bytes:
    """A chart with nothing to show says so rather than drawing empty axes."""
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(title, fontfamily=CHART_FONT, fontsize=13)
    axes.text(
        0.5,
        0.5,
        labels("report-chart-empty"),
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontfamily=CHART_FONT,
        color="#777777",
    )
    return png(figure)


def weeks_chart(figures: ProgramFigures, labels: Labels) -> bytes:
    """Meetings held and planned by week, and the mean rating: the digest's chart, made wider
    and with fewer date labels when it covers many weeks."""
    if not figures.weeks:
        return _empty(_figure(), labels("report-chart-weeks"), labels)
    figure = chart_figure(figures.weeks, labels=ChartLabels.of(labels))
    count = len(figures.weeks)
    if count > WEEKS_LABELLED:
        figure.set_size_inches(12, 4.5)
        step = -(-count // WEEKS_LABELLED)
        for index, tick in enumerate(figure.axes[0].get_xticklabels()):
            tick.set_visible((count - 1 - index) % step == 0)  # the current week keeps its label
    return png(figure)


def ratings_chart(counts: Sequence[int], labels: Labels) -> bytes:
    """How many meetings got each rating."""
    figure = _figure()
    if not any(counts):
        return _empty(figure, labels("report-chart-ratings"), labels)
    axes = figure.add_subplot()
    axes.bar([str(value) for value in RATINGS], list(counts), color="#f0ad4e")
    axes.set_xlabel(labels("report-chart-rating"), fontfamily=CHART_FONT)
    _style(axes, labels("report-chart-ratings"))
    return png(figure)


def mentors_chart(mentors: Sequence[MentorScore], labels: Labels) -> bytes:
    """The mentors ranked first: their award scores, best at the top."""
    figure = _figure()
    if not mentors:
        return _empty(figure, labels("report-chart-mentors"), labels)
    axes = figure.add_subplot()
    ordered = list(reversed(mentors))
    axes.barh(
        [f"{m.place}. {m.name}" for m in ordered], [m.score for m in ordered], color="#5cb85c"
    )
    axes.set_xlabel(labels("report-chart-score"), fontfamily=CHART_FONT)
    _style(axes, labels("report-chart-mentors"), whole=False)
    return png(figure)


# --- the service ----------------------------------------------------------------------------------


class ReportService(Service):
    """Exports a program's data for those entitled to see it."""

    @cached_property
    def access(self) -> Access:
        """Who may see what."""
        return Access(self.session)

    @cached_property
    def figures(self) -> FigureService:
        """The program's figures (one place computes them)."""
        return FigureService(self.session, self.clock, self.audit, self.outbox, self.policy)

    @cached_property
    def surveys(self) -> SurveyService:
        """The survey results."""
        return SurveyService(self.session, self.clock, self.audit, self.outbox, self.policy)

    async def export(self, actor: Actor, program_id: int) -> Export | Refusal:
        """The program's tables for its curators, its organisation's coordinators and system
        actors; the export is written to the audit log."""
        program = await self.access.program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        organization = await self.session.get_one(Organization, program.organization_id)
        people = await self._directory(program)
        sheets = (
            self._participants(people),
            await self._pairs(program, people),
            await self._meetings(program, people),
            await self._feedback(program, people),
            await self._goals(program, people),
            await self._consents(program),
        )
        result = Export(
            program_id=program.id,
            program=program.name,
            organization=organization.name,
            stage=program.stage,
            timezone=organization.timezone,
            made_at=self.clock.now(),
            made_by=await self._made_by(actor),
            sheets=sheets,
        )
        self.audit.record(
            await acting(self.session, actor),
            ACTION_EXPORTED,
            "programs",
            program.id,
            rows={sheet.key: len(sheet.rows) for sheet in sheets},
        )
        return result

    async def final_report(self, actor: Actor, program_id: int) -> FinalReport | Refusal:
        """The program's figures, survey results, outcomes and the mentors ranked for awards;
        at any stage (before stage 7 it is a preview: `complete` is False)."""
        program = await self.access.program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        figures = await self.figures.program(actor, program.id, weeks=await self._weeks(program))
        if isinstance(figures, Refusal):
            return figures
        surveys = await self.surveys.results(actor, program.id)
        if isinstance(surveys, SurveyError):
            return Refusal.NOT_FOUND if surveys is SurveyError.NOT_FOUND else Refusal.NOT_ALLOWED
        organization = await self.session.get_one(Organization, program.organization_id)
        report = FinalReport(
            program_id=program.id,
            program=program.name,
            organization=organization.name,
            stage=program.stage,
            timezone=organization.timezone,
            made_at=self.clock.now(),
            figures=figures,
            surveys=surveys,
            outcomes=await self._outcomes(program, surveys),
            mentors=tuple(await self._ranking(program)),
        )
        self.audit.record(await acting(self.session, actor), ACTION_FINAL, "programs", program.id)
        return report

    async def ranking(self, actor: Actor, program_id: int) -> list[MentorScore] | Refusal:
        """The program's mentors ranked for awards, best first (see `award_score`)."""
        program = await self.access.program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        return await self._ranking(program)

    async def award_order(self, actor: Actor, program_id: int) -> list[int]:
        """Person ids of the program's mentors, best for an award first; none if refused."""
        ranked = await self.ranking(actor, program_id)
        return [] if isinstance(ranked, Refusal) else [mentor.person_id for mentor in ranked]

    async def _weeks(self, program: Program) -> int:
        """How many weeks the final report's chart covers: from the first meeting's to now."""
        first = await self.session.scalar(
            select(func.min(Meeting.starts_at))
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id == program.id)
        )
        if first is None:
            return DEFAULT_WEEKS
        organization = await self.session.get_one(Organization, program.organization_id)
        now = self.clock.now()
        span = week_start(now, organization.timezone) - week_start(first, organization.timezone)
        return max(DEFAULT_WEEKS, min(MAX_WEEKS, span.days // 7 + 1))

    # --- sheets ----------------------------------------------------------------------------------

    async def _directory(self, program: Program) -> _Directory:
        rows = await self.session.execute(
            select(Participant, Person)
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.program_id == program.id)
            .order_by(Participant.id)
        )
        return _Directory({participant.id: (participant, person) for participant, person in rows})

    @staticmethod
    def _participants(people: _Directory) -> Sheet:
        rows = []
        for participant, person in people.participants.values():
            mentor = participant.role is ParticipantRole.MENTOR
            rows.append(
                (
                    participant.id,
                    person_name(person),
                    None if erased(person) else person.grade,
                    enum_label("report-role", participant.role.value),
                    enum_label("report-participant-status", participant.status.value),
                    yes_no(participant.approved) if mentor else None,
                    participant.capacity if mentor else None,
                    participant.questionnaire_done_at,
                    participant.created_at,
                )
            )
        return Sheet(
            "participants",
            (
                "participant_id",
                "name",
                "grade",
                "role",
                "status",
                "approved",
                "capacity",
                "questionnaire_done_at",
                "joined_at",
            ),
            tuple(rows),
        )

    async def _held_by_pair(self, program: Program) -> dict[int, int]:
        rows = await self.session.execute(
            select(Meeting.pair_id, func.count(Meeting.id).label("held"))
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id == program.id, Meeting.status == MeetingStatus.HELD)
            .group_by(Meeting.pair_id)
        )
        return {pair_id: int(held) for pair_id, held in rows.all()}

    async def _members(self, program: Program) -> dict[int, list[PairMember]]:
        """The mentees of each pair of the program, by pair id."""
        rows = await self.session.scalars(
            select(PairMember)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(Pair.program_id == program.id, PairMember.role == ParticipantRole.MENTEE)
            .order_by(PairMember.id)
        )
        members: dict[int, list[PairMember]] = defaultdict(list)
        for member in rows:
            members[member.pair_id].append(member)
        return members

    async def _pairs(self, program: Program, people: _Directory) -> Sheet:
        pairs = await self.session.scalars(
            select(Pair).where(Pair.program_id == program.id).order_by(Pair.id)
        )
        members = await self._members(program)
        held = await self._held_by_pair(program)
        rows: list[tuple[Cell, ...]] = []
        for pair in pairs:
            mentees: list[PairMember | None] = [*members.get(pair.id, [])] or [None]
            for member in mentees:
                mentee = member.participant_id if member else None
                person = people.person(mentee)
                score = member.score if member and member.score is not None else pair.score
                rows.append(
                    (
                        pair.id,
                        enum_label("report-pair-kind", pair.kind.value),
                        enum_label("report-pair-status", pair.status.value),
                        people.name(pair.mentor_participant_id),
                        person_name(person),
                        None if person is None or erased(person) else person.grade,
                        score,
                        pair.approved_at,
                        pair.ended_at,
                        held.get(pair.id, 0),
                    )
                )
        return Sheet(
            "pairs",
            (
                "pair_id",
                "kind",
                "status",
                "mentor",
                "mentee",
                "grade",
                "score",
                "approved_at",
                "ended_at",
                "meetings_held",
            ),
            tuple(rows),
        )

    async def _meetings(self, program: Program, people: _Directory) -> Sheet:
        rows = await self.session.execute(
            select(Meeting, Pair.mentor_participant_id)
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id == program.id)
            .order_by(Meeting.id)
        )
        meetings = rows.all()
        members = await self._members(program)
        reasons: dict[int, list[Cell]] = defaultdict(list)
        confirmations = await self.session.scalars(
            select(MeetingConfirmation)
            .join(Meeting, Meeting.id == MeetingConfirmation.meeting_id)
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(Pair.program_id == program.id, MeetingConfirmation.missed_reason.is_not(None))
            .order_by(MeetingConfirmation.id)
        )
        for confirmation in confirmations:
            reason = people.by_own(confirmation.participant_id, confirmation.missed_reason)
            if reason:
                reasons[confirmation.meeting_id].append(
                    Label(
                        "report-missed-reason",
                        {"name": people.name(confirmation.participant_id), "reason": reason},
                    )
                )
        return Sheet(
            "meetings",
            (
                "meeting_id",
                "pair_id",
                "mentor",
                "mentees",
                "kind",
                "status",
                "starts_at",
                "duration_minutes",
                "topic",
                "missed_reasons",
            ),
            tuple(
                (
                    meeting.id,
                    meeting.pair_id,
                    people.name(mentor_id),
                    Join(
                        tuple(
                            people.name(m.participant_id) for m in members.get(meeting.pair_id, [])
                        )
                    ),
                    enum_label("report-meeting-kind", meeting.kind.value),
                    enum_label("report-meeting-status", meeting.status.value),
                    meeting.starts_at,
                    meeting.duration_minutes,
                    people.by_own(meeting.proposed_by_participant_id, meeting.topic),
                    Join(tuple(reasons.get(meeting.id, []))),
                )
                for meeting, mentor_id in meetings
            ),
        )

    async def _feedback(self, program: Program, people: _Directory) -> Sheet:
        rows = await self.session.scalars(
            select(Feedback)
            .join(Participant, Participant.id == Feedback.participant_id)
            .where(
                Participant.program_id == program.id,
                (Feedback.kind == FeedbackKind.MEETING) | Feedback.completed_at.is_not(None),
            )
            .order_by(Feedback.id)
        )
        sheet_rows: list[tuple[Cell, ...]] = []
        for row in rows:
            author = row.participant_id
            participant = people.participants[author][0]
            answers = {} if erased(people.person(author)) else (row.answers or {})
            survey = row.kind is not FeedbackKind.MEETING
            would = answers.get("become_mentor", answers.get("mentor_again"))
            sheet_rows.append(
                (
                    row.id,
                    enum_label("report-feedback-kind", row.kind.value),
                    row.round,
                    people.name(author),
                    enum_label("report-role", participant.role.value),
                    row.meeting_id,
                    row.rating,
                    people.by_own(author, row.done_text),
                    people.by_own(author, _str(answers.get("comment")) if survey else row.comment),
                    people.by_own(author, row.intermediate_result),
                    _int(answers.get("satisfaction")),
                    _int(answers.get("nps")),
                    yes_no(would) if isinstance(would, bool) else None,
                    Join(
                        tuple(
                            Label("report-answer", {"question": key, "value": _answer(value)})
                            for key, value in answers.items()
                            if key not in OWN_COLUMNS
                        )
                    ),
                    row.completed_at if survey else row.created_at,
                )
            )
        return Sheet(
            "feedback",
            (
                "feedback_id",
                "kind",
                "round",
                "author",
                "author_role",
                "meeting_id",
                "rating",
                "done_text",
                "comment",
                "intermediate_result",
                "satisfaction",
                "nps",
                "would_mentor",
                "answers",
                "at",
            ),
            tuple(sheet_rows),
        )

    async def _goals(self, program: Program, people: _Directory) -> Sheet:
        rows = await self.session.execute(
            select(Goal, Pair.mentor_participant_id)
            .join(Pair, Pair.id == Goal.pair_id)
            .where(Pair.program_id == program.id)
            .order_by(Goal.id)
        )
        return Sheet(
            "goals",
            (
                "goal_id",
                "pair_id",
                "mentor",
                "mentee",
                "title",
                "status",
                "progress",
                "due_on",
                "updated_at",
            ),
            tuple(
                (
                    goal.id,
                    goal.pair_id,
                    people.name(mentor_id),
                    people.name(goal.participant_id),
                    goal.title,
                    enum_label("report-goal-status", goal.status.value),
                    goal.progress,
                    goal.due_on,
                    goal.updated_at,
                )
                for goal, mentor_id in rows.all()
            ),
        )

    async def _consents(self, program: Program) -> Sheet:
        giving = aliased(Person)
        found = await self.session.execute(
            select(Consent, Person, giving)
            .join(Person, Person.id == Consent.subject_person_id)
            .outerjoin(giving, giving.id == Consent.given_by_person_id)
            .where(Consent.program_id == program.id)
            .order_by(Consent.id)
        )
        rows: list[tuple[Cell, ...]] = []
        for consent, subject, giver in found.all():
            if consent.relation is ConsentRelation.SELF:
                given_by = person_name(subject)
            elif erased(subject):
                # The signer's name would point at the child whose data were erased.
                given_by = person_name(giver) if erased(giver) else None
            else:
                given_by = consent.signer_name or person_name(giver)
            rows.append(
                (
                    consent.id,
                    person_name(subject),
                    enum_label("report-consent-purpose", consent.purpose.value),
                    enum_label("report-consent-status", consent.status.value),
                    enum_label("report-consent-relation", consent.relation.value),
                    given_by,
                    enum_label(
                        "report-channel", consent.channel.value if consent.channel else None
                    ),
                    consent.text_version,
                    consent.text_hash,
                    consent.decided_at,
                    consent.valid_until,
                )
            )
        return Sheet(
            "consents",
            (
                "consent_id",
                "subject",
                "purpose",
                "status",
                "relation",
                "given_by",
                "channel",
                "text_version",
                "text_hash",
                "decided_at",
                "valid_until",
            ),
            tuple(rows),
        )

    async def _made_by(self, actor: Actor) -> Cell:
        if isinstance(actor, System):
            return Label("report-made-by-system", {"name": actor.name})
        return person_name(await self.session.get_one(Person, actor))

    # --- the final report ------------------------------------------------------------------------

    async def _outcomes(self, program: Program, surveys: SurveyResults) -> Outcomes:
        in_program = Pair.program_id == program.id
        missed = await self.session.scalar(
            select(func.count(Meeting.id))
            .join(Pair, Pair.id == Meeting.pair_id)
            .where(in_program, Meeting.status == MeetingStatus.MISSED)
        )
        ratings = Counter(
            await self.session.scalars(
                select(Feedback.rating)
                .join(Meeting, Meeting.id == Feedback.meeting_id)
                .join(Pair, Pair.id == Meeting.pair_id)
                .where(
                    in_program,
                    Feedback.kind == FeedbackKind.MEETING,
                    Feedback.rating.is_not(None),
                )
            )
        )
        goals = Counter(
            await self.session.scalars(
                select(Goal.status).join(Pair, Pair.id == Goal.pair_id).where(in_program)
            )
        )
        results = await self.session.scalar(
            select(func.count(Feedback.id))
            .join(Participant, Participant.id == Feedback.participant_id)
            .where(
                Participant.program_id == program.id,
                Feedback.kind == FeedbackKind.MEETING,
                Feedback.intermediate_result.is_not(None),
                Feedback.intermediate_result != "",
            )
        )
        final = surveys.final
        return Outcomes(
            meetings_missed=int(missed or 0),
            ratings=tuple(ratings.get(value, 0) for value in RATINGS),
            goals_set=goals[GoalStatus.OPEN] + goals[GoalStatus.DONE],
            goals_done=goals[GoalStatus.DONE],
            intermediate_results=int(results or 0),
            would_mentor=final.would_mentor if final else 0,
            mentor_again=final.mentor_again if final else 0,
        )

    async def _ranking(self, program: Program) -> list[MentorScore]:
        """The award ranking (see `award_score` and the module's docstring)."""
        in_program = Pair.program_id == program.id
        mentors = (
            await self.session.execute(
                select(Participant, Person)
                .join(Person, Person.id == Participant.person_id)
                .where(
                    Participant.program_id == program.id,
                    Participant.role == ParticipantRole.MENTOR,
                    Person.anonymized_at.is_(None),
                    Participant.id.in_(
                        select(Pair.mentor_participant_id).where(
                            in_program, Pair.status.in_(WORKED)
                        )
                    ),
                )
            )
        ).all()
        author = aliased(Participant)
        rated = await self.session.execute(
            select(Pair.mentor_participant_id, Feedback.rating)
            .join(Meeting, Meeting.pair_id == Pair.id)
            .join(Feedback, Feedback.meeting_id == Meeting.id)
            .join(author, author.id == Feedback.participant_id)
            .where(
                in_program,
                Feedback.kind == FeedbackKind.MEETING,
                Feedback.rating.is_not(None),
                author.role == ParticipantRole.MENTEE,
            )
        )
        ratings: dict[int, list[int]] = defaultdict(list)
        for row in rated.all():
            ratings[row[0]].append(int(row[1] or 0))
        held = await self._count_by_mentor(
            select(Pair.mentor_participant_id, func.count(Meeting.id).label("n"))
            .join(Meeting, Meeting.pair_id == Pair.id)
            .where(in_program, Meeting.status == MeetingStatus.HELD)
        )
        given = await self._count_by_mentor(
            select(Pair.mentor_participant_id, func.count(Feedback.id).label("n"))
            .join(Meeting, Meeting.pair_id == Pair.id)
            .join(Feedback, Feedback.meeting_id == Meeting.id)
            .where(
                in_program,
                Feedback.kind == FeedbackKind.MEETING,
                Feedback.participant_id == Pair.mentor_participant_id,
            )
        )
        done = await self._count_by_mentor(
            select(Pair.mentor_participant_id, func.count(Goal.id).label("n"))
            .join(Goal, Goal.pair_id == Pair.id)
            .where(in_program, Goal.status == GoalStatus.DONE)
        )
        scored = []
        for participant, person in mentors:
            mine = ratings.get(participant.id, [])
            scored.append(
                MentorScore(
                    place=0,
                    participant_id=participant.id,
                    person_id=person.id,
                    name=person.full_name or "",
                    rating=sum(mine) / len(mine) if mine else None,
                    ratings=len(mine),
                    held=held.get(participant.id, 0),
                    feedback_given=given.get(participant.id, 0),
                    goals_done=done.get(participant.id, 0),
                )
            )
        scored.sort(key=lambda m: (-m.score, -m.held, m.name.casefold(), m.participant_id))
        return [replace(mentor, place=place) for place, mentor in enumerate(scored, start=1)]

    async def _count_by_mentor(self, query: Any) -> dict[int, int]:
        rows = await self.session.execute(query.group_by(Pair.mentor_participant_id))
        return {int(row[0]): int(row[1]) for row in rows.all()}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _answer(value: Any) -> Cell:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return None if value is None else str(value)


# --- the command line -----------------------------------------------------------------------------


async def write_export(
    services: Services,
    program_id: int,
    directory: Path,
    labels: Labels,
    *,
    actor: Actor = CLI,
) -> list[Path] | Refusal:
    """Write the program's workbook and CSV files into `directory` (created if missing) for
    `python -m bot admin report export`; the paths written, or why nothing was."""
    export = await services.reports.export(actor, program_id)
    if isinstance(export, Refusal):
        return export
    files = {export.filename: export.xlsx(labels), **export.csv_files(labels)}
    return await asyncio.to_thread(_write, directory, files)


def _write(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = directory / name
        path.write_bytes(content)
        written.append(path)
    return written


__all__ = [
    "ACTION_EXPORTED",
    "ACTION_FINAL",
    "CSV_MIME",
    "PNG_MIME",
    "XLSX_MIME",
    "Cell",
    "Export",
    "FinalReport",
    "Join",
    "Label",
    "Labels",
    "MentorScore",
    "Outcomes",
    "ReportService",
    "Sheet",
    "award_score",
    "labels_of",
    "write_export",
]
