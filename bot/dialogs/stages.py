"""The cycle's stages of a program (opened from the program card with its id): where the program
is, each stage's planned dates, what the current stage still needs, moving on (with a
confirmation while items are open), setting dates, and moving by date.

Every screen asks StageService anew, which checks the reader's rights.
"""

from __future__ import annotations

import re
from datetime import date

from bot.dialogs.engine import (
    JSON,
    Choice,
    Dialog,
    DialogRegistry,
    Finish,
    Goto,
    Invalid,
    Outcome,
    Prompt,
    Reject,
    Stay,
    Step,
    StepContext,
    TextStep,
)
from bot.dialogs.staff import kebab
from bot.services.programs import Refusal
from bot.services.stages import LAST, Item, Overview, StageError

NAME = "stages"
RANGE_RE = re.compile(
    r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*(?:-|\u2013|\u2014)\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$"
)
CLEAR = "-"


def _program_id(ctx: StepContext) -> int:
    return int(ctx.args.get("program_id") or 0)


def _stage_name(ctx: StepContext, stage: int) -> str:
    return ctx.t(f"staff-stage-{stage}")


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "none"


def item_line(ctx: StepContext, item: Item) -> str:
    """A checklist line: a mark and the item's text with its figures."""
    return ctx.t(
        "stages-item",
        done=str(item.done),
        text=ctx.t(f"stages-item-{kebab(item.id)}", count=item.count, total=item.total),
    )


def _overview_args(ctx: StepContext, view: Overview) -> dict[str, object]:
    lines = [
        ctx.t(
            "stages-line",
            stage=row.stage,
            name=_stage_name(ctx, row.stage),
            state="current"
            if row.current and not view.closed
            else "done"
            if row.completed_at
            else "ahead",
            start=_day(row.planned_start),
            end=_day(row.planned_end),
        )
        for row in view.stages
    ]
    return {
        "program": view.program,
        "stage": view.stage,
        "name": _stage_name(ctx, view.stage),
        "closed": str(view.closed),
        "lines": "\n".join(lines),
        "checklist": "\n".join(item_line(ctx, item) for item in view.checklist),
        "auto": str(view.advance_by_date),
    }


def _back_to_overview(ctx: StepContext) -> Outcome:
    ctx.frame.history.clear()
    ctx.frame.step = OverviewStep.name
    return Stay()


def _refused(ctx: StepContext, refusal: Refusal) -> Outcome:
    ctx.say(f"stages-{refusal.value}")
    return Finish()


async def _advance(ctx: StepContext, *, force: bool) -> Outcome:
    result = await ctx.services.stages.advance(ctx.person.id, _program_id(ctx), force=force)
    if isinstance(result, Refusal):
        return _refused(ctx, result)
    if isinstance(result, tuple):
        return Goto(ConfirmStep.name)
    ctx.say(
        "stages-moved",
        stage=result.stage,
        name=_stage_name(ctx, result.stage),
        closed=str(result.closed),
    )
    return _back_to_overview(ctx)


class OverviewStep(Step):
    """The seven stages and the current one's checklist."""

    name = "overview"

    async def prompt(self, ctx: StepContext) -> Prompt:
        view = await ctx.services.stages.overview(ctx.person.id, _program_id(ctx))
        if isinstance(view, Refusal):
            return Prompt(f"stages-{view.value}", choices=[Choice("close", "stages-button-close")])
        choices = []
        if not view.closed:
            choices.append(
                Choice(
                    "next",
                    "stages-button-next",
                    args={
                        "stage": view.stage + 1,
                        "name": _stage_name(ctx, view.stage + 1) if view.stage < LAST else "none",
                    },
                )
            )
        choices += [
            Choice("dates", "stages-button-dates"),
            Choice("auto", "stages-button-auto", args={"auto": str(view.advance_by_date)}),
            Choice("close", "stages-button-close"),
        ]
        return Prompt("stages-overview", _overview_args(ctx, view), choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        match value:
            case "close":
                return Finish()
            case "next":
                return await _advance(ctx, force=False)
            case "dates":
                return Goto(PickStep.name)
            case "auto":
                view = await ctx.services.stages.overview(ctx.person.id, _program_id(ctx))
                if isinstance(view, Refusal):
                    return _refused(ctx, view)
                refusal = await ctx.services.stages.set_advance_by_date(
                    ctx.person.id, _program_id(ctx), not view.advance_by_date
                )
                if refusal is not None:
                    return _refused(ctx, refusal)
                ctx.say("stages-auto-set", auto=str(not view.advance_by_date))
                return Stay()
        return Reject("button-stale")


class ConfirmStep(Step):
    """What the current stage still needs; move on anyway, or not yet."""

    name = "confirm"

    async def prompt(self, ctx: StepContext) -> Prompt:
        view = await ctx.services.stages.overview(ctx.person.id, _program_id(ctx))
        if isinstance(view, Refusal):
            return Prompt(f"stages-{view.value}", choices=[Choice("back", "stages-button-back")])
        return Prompt(
            "stages-confirm",
            {
                "name": _stage_name(ctx, view.stage),
                "open": "\n".join(item_line(ctx, item) for item in view.open_items),
            },
            [Choice("force", "stages-button-force"), Choice("back", "stages-button-back")],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == "back":
            return _back_to_overview(ctx)
        if value == "force":
            return await _advance(ctx, force=True)
        return Reject("button-stale")


class PickStep(Step):
    """Which stage's dates to set."""

    name = "pick"

    async def prompt(self, ctx: StepContext) -> Prompt:
        choices = [
            Choice(
                stage, "stages-button-stage", args={"stage": stage, "name": _stage_name(ctx, stage)}
            )
            for stage in range(1, LAST + 1)
        ]
        return Prompt("stages-pick", choices=choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= LAST:
            return Reject("button-stale")
        ctx.data["stage"] = value
        return Goto("dates")


def parse_range(ctx: StepContext, text: str) -> JSON:
    """'01.09.2026 - 30.09.2026' as two ISO dates; '-' clears them."""
    if text.strip() == CLEAR:
        return [None, None]
    found = RANGE_RE.match(text)
    if found is None:
        raise Invalid("stages-dates-invalid")
    d1, m1, y1, d2, m2, y2 = (int(part) for part in found.groups())
    try:
        start, end = date(y1, m1, d1), date(y2, m2, d2)
    except ValueError:
        raise Invalid("stages-dates-invalid") from None
    if end < start:
        raise Invalid("stages-dates-order")
    return [start.isoformat(), end.isoformat()]


async def _dates_set(ctx: StepContext, value: JSON) -> Outcome:
    assert isinstance(value, list)
    start, end = (date.fromisoformat(v) if isinstance(v, str) else None for v in value)
    try:
        view = await ctx.services.stages.set_dates(
            ctx.person.id, _program_id(ctx), int(ctx.data.get("stage") or 0), start, end
        )
    except StageError:
        return Reject("stages-dates-invalid")
    if isinstance(view, Refusal):
        return _refused(ctx, view)
    ctx.say("stages-dates-set", stage=int(ctx.data.get("stage") or 0))
    return _back_to_overview(ctx)


def build_stages() -> Dialog:
    """The stages of one program."""
    return Dialog(
        NAME,
        [
            OverviewStep(),
            ConfirmStep(),
            PickStep(),
            TextStep(
                "dates",
                "stages-ask-dates",
                parse=parse_range,
                then=_dates_set,
                max_length=60,
                args=lambda ctx: {
                    "stage": int(ctx.data.get("stage") or 0),
                    "name": _stage_name(ctx, int(ctx.data.get("stage") or 1)),
                },
            ),
        ],
    )


def register(registry: DialogRegistry) -> None:
    """Add the stages dialog."""
    registry.add(build_stages())
