"""Reports of one program (opened from the program card with `{"program_id": id}`): the XLSX
workbook, the CSV files, and the final report.

The CSV files come as one document per table rather than a zip: a phone opens a CSV from the
chat, not always a zip. The final report comes as its workbook, three charts and a summary text.
Every tap asks ReportService anew, which checks the reader's right: a forged or stale program id
gets a refusal and no file. Sheet titles and column headers are rendered here, in the reader's
language, through `ctx.t` (the service returns cells, not texts).
"""

from __future__ import annotations

from bot.core.messages import Attachment, AttachmentKind
from bot.dialogs.engine import (
    JSON,
    Choice,
    Dialog,
    DialogRegistry,
    Finish,
    Outcome,
    Prompt,
    Reject,
    Stay,
    Step,
    StepContext,
)
from bot.services.programs import Refusal
from bot.services.reports import CSV_MIME, PNG_MIME, XLSX_MIME, FinalReport, MentorScore

NAME = "reports"
XLSX, CSV, FINAL, CLOSE = "xlsx", "csv", "final", "close"
# Mentors the summary text names; the workbook and the chart have more.
TOP_SHOWN = 5


def _program_id(ctx: StepContext) -> int:
    try:
        return int(ctx.args.get("program_id") or 0)
    except (TypeError, ValueError):
        return 0


def refusal_text(refusal: Refusal) -> str:
    """`report-not-found` or `report-not-allowed`."""
    return f"report-{refusal.value.replace('_', '-')}"


def _refused(ctx: StepContext, refusal: Refusal) -> Outcome:
    ctx.say(refusal_text(refusal))
    return Finish()


def _document(name: str, content: bytes, mime: str) -> Attachment:
    return Attachment(AttachmentKind.DOCUMENT, filename=name, content=content, mime_type=mime)


def _rating(value: float | None) -> float | str:
    return "none" if value is None else round(value, 1)


def mentor_line(ctx: StepContext, mentor: MentorScore) -> str:
    """One mentor of the ranking in the summary text."""
    return ctx.t(
        "report-final-mentor",
        place=mentor.place,
        name=mentor.name,
        score=round(mentor.score, 1),
        held=mentor.held,
        rating=_rating(mentor.rating),
        goals=mentor.goals_done,
    )


async def _export_xlsx(ctx: StepContext) -> Outcome:
    export = await ctx.services.reports.export(ctx.person.id, _program_id(ctx))
    if isinstance(export, Refusal):
        return _refused(ctx, export)
    ctx.send_file(
        "report-xlsx-sent",
        _document(export.filename, export.xlsx(ctx.t), XLSX_MIME),
        program=export.program,
    )
    return Stay()


async def _export_csv(ctx: StepContext) -> Outcome:
    export = await ctx.services.reports.export(ctx.person.id, _program_id(ctx))
    if isinstance(export, Refusal):
        return _refused(ctx, export)
    files = export.csv_files(ctx.t)
    for sheet, (name, content) in zip(export.sheets, files.items(), strict=True):
        ctx.send_file(
            "report-csv-sent", _document(name, content, CSV_MIME), sheet=sheet.title(ctx.t)
        )
    return Stay()


async def _final(ctx: StepContext) -> Outcome:
    report = await ctx.services.reports.final_report(ctx.person.id, _program_id(ctx))
    if isinstance(report, Refusal):
        return _refused(ctx, report)
    send_final(ctx, report)
    return Stay()


def send_final(ctx: StepContext, report: FinalReport) -> None:
    """The final report's workbook, charts and summary text."""
    ctx.send_file(
        "report-final-xlsx",
        _document(report.filename, report.xlsx(ctx.t), XLSX_MIME),
        program=report.program,
    )
    titles = ("report-chart-weeks", "report-chart-ratings", "report-chart-mentors")
    for title, (name, png) in zip(titles, report.charts(ctx.t), strict=True):
        image = Attachment(AttachmentKind.IMAGE, filename=name, content=png, mime_type=PNG_MIME)
        ctx.send_file("report-final-chart", image, title=ctx.t(title))
    ctx.say(
        "report-final-summary",
        **report.summary_args(),
        top="\n".join(mentor_line(ctx, mentor) for mentor in report.mentors[:TOP_SHOWN]),
    )


class MenuStep(Step):
    """What can be exported; each button sends files and shows the menu again."""

    name = "menu"

    async def prompt(self, ctx: StepContext) -> Prompt:
        card = await ctx.services.programs.card(ctx.person.id, _program_id(ctx))
        if isinstance(card, Refusal):
            return Prompt(refusal_text(card), choices=[Choice(CLOSE, "report-button-close")])
        return Prompt(
            "report-menu",
            {"program": card.program.name, "stage": int(card.program.stage)},
            [
                Choice(XLSX, "report-button-xlsx"),
                Choice(CSV, "report-button-csv"),
                Choice(FINAL, "report-button-final"),
                Choice(CLOSE, "report-button-close"),
            ],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        match value:
            case "xlsx":
                return await _export_xlsx(ctx)
            case "csv":
                return await _export_csv(ctx)
            case "final":
                return await _final(ctx)
            case "close":
                return Finish()
        return Reject("button-stale")


def build_reports() -> Dialog:
    """The reports of one program."""
    return Dialog(NAME, [MenuStep()])


def register(registry: DialogRegistry) -> None:
    """Add the reports dialog (the program card opens it)."""
    registry.add(build_reports())
