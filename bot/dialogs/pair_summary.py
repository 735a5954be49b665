"""Pair summaries: the text both the my-pair menu and the curator's list of a program's pairs show,
and that list (program_pairs, opened from the matching card with the program's id).

Every screen asks the service anew, which checks that the reader is in the pair or on its
program's staff; a forged pair id shows `pair-summary-not-found` and nothing else.
"""

from __future__ import annotations

from bot.dialogs.engine import (
    JSON,
    Choice,
    Dialog,
    DialogRegistry,
    Finish,
    Goto,
    Outcome,
    Prompt,
    Reject,
    Stay,
    Step,
    StepContext,
)
from bot.dialogs.goals import bar
from bot.dialogs.meetings import when_text
from bot.services.programs import Refusal
from bot.services.summaries import PAGE, PairSummary
from storage import MeetingKind

NAME = "program_pairs"
STEPS = (MeetingKind.INTRO, MeetingKind.TRIAL, MeetingKind.PLANNING)


def _kind(ctx: StepContext, kind: MeetingKind) -> str:
    return ctx.t("meeting-kind-name", kind=kind.value)


def _rating(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f}"


def summary_text(ctx: StepContext, summary: PairSummary) -> str:
    """The summary as the reader reads it."""
    plan = [
        ctx.t("pair-summary-step", name=_kind(ctx, kind), done=str(kind in summary.kinds_held))
        for kind in STEPS
    ]
    plan.append(ctx.t("pair-summary-regular", count=summary.regular_held))
    plan.append(
        ctx.t(
            "pair-summary-step",
            name=_kind(ctx, MeetingKind.FINAL),
            done=str(MeetingKind.FINAL in summary.kinds_held),
        )
    )
    goals = summary.goals
    goal_lines = [
        ctx.t(
            "pair-summary-goal",
            title=title,
            bar=f"{bar(progress)} {progress}%",
            status=status.value,
        )
        for title, progress, status in goals.items
    ]
    counts = summary.meetings
    next_meeting = "none"
    if summary.next_meeting is not None:
        next_meeting = when_text(ctx, summary.next_meeting, summary.zone)
    return ctx.t(
        "pair-summary",
        program=summary.program,
        status=summary.status.value,
        since=summary.since.strftime("%d.%m.%Y") if summary.since else "none",
        mentor=summary.mentor,
        mentees=", ".join(summary.mentees) or "—",
        count=len(summary.mentees),
        held=counts.held,
        planned=counts.planned,
        missed=counts.missed,
        unknown=counts.unknown,
        plan=" · ".join(plan),
        next_kind=_kind(ctx, summary.next_kind),
        next=next_meeting,
        next_kind_planned=_kind(ctx, summary.next_meeting_kind or MeetingKind.REGULAR),
        confirmed=str(summary.next_meeting_confirmed),
        rating_mentor=_rating(summary.rating_mentor),
        rating_mentees=_rating(summary.rating_mentees),
        ratings=summary.ratings,
        goals="\n".join(goal_lines) or "none",
        goals_done=goals.done,
        goals_total=goals.open + goals.done,
    )


async def summary_prompt(ctx: StepContext, pair_id: int, choices: list[Choice]) -> Prompt:
    """The summary with the caller's buttons, or a polite refusal."""
    summary = await ctx.services.summaries.pair(ctx.person.id, pair_id)
    if isinstance(summary, Refusal):
        return Prompt("pair-summary-not-found", choices=choices[-1:])
    return Prompt("pair-summary-text", {"text": summary_text(ctx, summary)}, choices)


class PairsStep(Step):
    """The program's active pairs, the quietest first, a page at a time."""

    name = "list"

    async def prompt(self, ctx: StepContext) -> Prompt:
        page = int(ctx.data.get("page") or 0)
        found = await ctx.services.summaries.program_pairs(
            ctx.person.id, int(ctx.args.get("program_id") or 0), page
        )
        close = Choice("close", "pair-summary-button-close")
        if isinstance(found, Refusal):
            return Prompt(f"pair-summary-{found.value}", choices=[close])
        lines, total = found
        choices = [
            Choice(
                {"pair": line.pair_id},
                "pair-summary-line",
                args={
                    "mentor": line.mentor,
                    "mentees": ", ".join(line.mentees) or "—",
                    "held": line.held,
                    "quiet": line.quiet_days,
                },
            )
            for line in lines
        ]
        if page > 0:
            choices.append(Choice("previous", "pair-summary-previous"))
        if (page + 1) * PAGE < total:
            choices.append(Choice("next", "pair-summary-next"))
        choices.append(close)
        return Prompt("pair-summary-list", {"total": total}, choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == "close":
            return Finish()
        if value in ("previous", "next"):
            page = int(ctx.data.get("page") or 0) + (1 if value == "next" else -1)
            ctx.data["page"] = max(0, page)
            return Stay()
        if isinstance(value, dict) and isinstance(value.get("pair"), int):
            ctx.data["pair_id"] = value["pair"]
            return Goto("pair")
        return Reject("button-stale")


class PairStep(Step):
    """One pair's summary, read-only."""

    name = "pair"

    async def prompt(self, ctx: StepContext) -> Prompt:
        return await summary_prompt(
            ctx,
            int(ctx.data.get("pair_id") or 0),
            [Choice("back", "pair-summary-button-back")],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value != "back":
            return Reject("button-stale")
        # As the engine's Back does: to the list, with no step left to go back to.
        ctx.frame.step = ctx.frame.history.pop() if ctx.frame.history else PairsStep.name
        return Stay()


def register(registry: DialogRegistry) -> None:
    """The curator's list of a program's pairs."""
    registry.add(Dialog(NAME, [PairsStep(), PairStep()]))


__all__ = ["NAME", "register", "summary_prompt", "summary_text"]
