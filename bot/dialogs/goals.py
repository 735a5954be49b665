"""Goals of a pair in chat: the list with progress bars, the add wizard (in a teacher-teacher
program a step of the mentee's route: area, product, due date), and the goal card with progress
buttons, a typed percentage, done, a note, and dropping it after a confirmation.

Opened with `Push(NAME, {"pair_id": int, "meeting_id": int | None})` or by the link `g<pair_id>`
(the button of goal notifications). With a meeting, new goals and updates are recorded at it.
Every action goes through GoalService, which checks the person's place in the pair, so a stale
or forged payload changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    DialogRegistry,
    Finish,
    Goto,
    Invalid,
    Outcome,
    Prompt,
    Push,
    Reject,
    Stay,
    Step,
    StepContext,
    TextStep,
)
from bot.services import calendar
from bot.services.goals import (
    AREAS,
    OPEN_MAX,
    PRODUCT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    GoalError,
    GoalUpdate,
    GoalView,
)
from storage import GoalStatus, ParticipantRole

NAME = "goals"
NEW, CARD, NOTE, DROP = "goals_new", "goals_card", "goals_note", "goals_drop"
LINK_RE = re.compile(r"^g(\d{1,12})$")
PERCENT_RE = re.compile(r"^(\d{1,3})\s*%?$")
DATE_RE = re.compile(r"^(\d{1,2})[.\-/](\d{1,2})(?:[.\-/](\d{4}|\d{2}))?$")
STEPS = (0, 25, 50, 75, 100)  # the progress buttons of the card
BAR = 5  # segments of the progress bar
LABEL_TITLE = 28  # title characters on a button: VK cuts labels at 40
LINE_PRODUCT = 80  # product characters in the list (the card shows it whole)
HISTORY = 3  # updates shown on the card
SHORT_YEAR, CENTURY = 2, 2000  # "15.12.26" is 2026
SKIP, ALL, CLOSE = "skip", "all", "close"


def _yes(flag: object) -> str:
    """A flag as a Fluent selector value."""
    return "yes" if flag else "no"


def _error(error: GoalError) -> Reject:
    return Reject(f"goals-error-{error.value}", {"limit": OPEN_MAX})


def _say_error(ctx: StepContext, error: GoalError) -> None:
    ctx.say(f"goals-error-{error.value}", limit=OPEN_MAX)


def bar(progress: int) -> str:
    """A text progress bar: 60 -> five segments, three of them filled."""
    filled = max(0, min(BAR, progress * BAR // 100))
    return "\u25b0" * filled + "\u25b1" * (BAR - filled)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _int(value: JSON) -> int | None:
    """An id from dialog arguments or a button value; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _pair(ctx: StepContext) -> int:
    return _int(ctx.args.get("pair_id")) or 0


def _meeting(ctx: StepContext) -> int | None:
    return _int(ctx.args.get("meeting_id"))


def _goal(ctx: StepContext) -> int:
    return _int(ctx.args.get("goal_id")) or 0


def _details(view: GoalView, *, product_limit: int | None) -> dict[str, Any]:
    """The arguments the list line and the card share."""
    product = view.product
    if product is not None and product_limit is not None:
        product = _short(product, product_limit)
    return {
        "title": view.title,
        "bar": bar(view.progress),
        "progress": view.progress,
        "status": view.status.value,
        "mentee": view.mentee or "none",
        "area": view.area or "none",
        "product": product or "none",
        "due": view.due_on.strftime("%d.%m.%Y") if view.due_on else "none",
        "overdue": _yes(view.overdue),
    }


# --- the list --------------------------------------------------------------------------------


class ListStep(Step):
    """The pair's goals with their progress, a button per goal, "add" and "close"."""

    name = "list"

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The goals, or what goals are for when there are none yet."""
        board = await ctx.services.goals.board(ctx.person.id, _pair(ctx), _meeting(ctx))
        if isinstance(board, GoalError):
            return Prompt(
                f"goals-error-{board.value}", choices=[Choice(CLOSE, "goals-button-close")]
            )
        if board.meeting_kind is None:
            ctx.args["meeting_id"] = None  # not a meeting of this pair that took place
        roadmap = _yes(board.roadmap)
        lines = [
            ctx.t(
                "goals-line",
                number=number,
                roadmap=roadmap,
                **_details(view, product_limit=LINE_PRODUCT),
            )
            for number, view in enumerate(board.goals, 1)
        ]
        choices = [
            Choice(
                {"open": view.id},
                "goals-item-button",
                args={
                    "number": number,
                    "title": _short(view.title, LABEL_TITLE),
                    "progress": view.progress,
                    "status": view.status.value,
                },
            )
            for number, view in enumerate(board.goals, 1)
        ]
        if board.active:
            choices.append(Choice("add", "goals-button-add", args={"roadmap": roadmap}))
        choices.append(Choice(CLOSE, "goals-button-close"))
        args = {
            "program": board.program,
            "roadmap": roadmap,
            "lines": "\n\n".join(lines),
            "done": sum(1 for view in board.goals if view.status is GoalStatus.DONE),
            "count": sum(1 for view in board.goals if view.status is not GoalStatus.DROPPED),
            "active": _yes(board.active),
            "meeting": "none" if board.meeting_kind is None else "yes",
            "kind": board.meeting_kind.value if board.meeting_kind else "regular",
        }
        return Prompt("goals-list" if board.goals else "goals-empty", args, choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """Open a goal, start the wizard or leave."""
        if value == CLOSE:
            return Finish()
        if value == "add":
            return await _start_adding(ctx)
        goal_id = _int(value.get("open")) if isinstance(value, dict) else None
        if goal_id is None:
            return Reject("button-stale")
        return Push(CARD, {"goal_id": goal_id, "meeting_id": _meeting(ctx)})

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        """Back from the wizard or a card: show the list as it is now."""
        return Stay()


async def _start_adding(ctx: StepContext) -> Outcome:
    board = await ctx.services.goals.board(ctx.person.id, _pair(ctx), _meeting(ctx))
    if isinstance(board, GoalError):
        return _error(board)
    if not board.active:
        return _error(GoalError.ENDED)
    if board.open_count >= OPEN_MAX:
        return _error(GoalError.FULL)
    return Push(
        NEW,
        {
            "pair_id": board.pair_id,
            "meeting_id": _meeting(ctx),
            "roadmap": board.roadmap,
            "choose_mentee": board.group and board.my_role is ParticipantRole.MENTOR,
        },
    )


async def goals_link(ctx: StepContext, payload: str) -> Outcome | None:
    """`g<pair_id>` opens the pair's goals (the button of goal notifications)."""
    found = LINK_RE.match(payload)
    if found is None:
        return None
    pair_id = int(found.group(1))
    board = await ctx.services.goals.board(ctx.person.id, pair_id)
    if isinstance(board, GoalError):
        _say_error(ctx, board)
        return Stay()
    return Push(NAME, {"pair_id": pair_id, "meeting_id": None})


# --- the add wizard --------------------------------------------------------------------------


def _roadmap_args(ctx: StepContext) -> Mapping[str, Any]:
    return {"roadmap": _yes(ctx.args.get("roadmap"))}


async def _roadmap_args_async(ctx: StepContext) -> Mapping[str, Any]:
    return _roadmap_args(ctx)


def _parse_text(ctx: StepContext, text: str) -> JSON:
    if not text:
        raise Invalid("input-text-expected")
    return text


def parse_due(today: date, text: str) -> date:
    """ "15.12" (the next such day from today), "15.12.2026" or "15.12.26"."""
    found = DATE_RE.match(text.strip())
    if found is None:
        raise Invalid("goals-due-invalid")
    day, month, year = int(found.group(1)), int(found.group(2)), found.group(3)
    try:
        if year is None:
            chosen = date(today.year, month, day)
            if chosen < today:
                chosen = date(today.year + 1, month, day)
        else:
            chosen = date(int(year) + (CENTURY if len(year) == SHORT_YEAR else 0), month, day)
    except ValueError:
        raise Invalid("goals-due-invalid") from None
    return chosen


def _parse_due(ctx: StepContext, text: str) -> JSON:
    # The year is guessed from today in UTC; the service checks the date against the person's
    # own today and refuses a past one.
    return parse_due(ctx.clock.now().date(), text).isoformat()


async def _after_title(ctx: StepContext, value: JSON) -> Outcome:
    if ctx.args.get("choose_mentee"):
        return Goto("whom")
    return await _after_whom(ctx, value)


async def _mentees(ctx: StepContext) -> Sequence[Choice]:
    board = await ctx.services.goals.board(ctx.person.id, _pair(ctx))
    mentees = () if isinstance(board, GoalError) else board.mentees
    return [
        Choice(ALL, "goals-whom-all"),
        *(Choice(participant_id, label=name) for participant_id, name in mentees),
    ]


async def _after_whom(ctx: StepContext, value: JSON) -> Outcome:
    if ctx.args.get("roadmap"):
        return Goto("area")
    return await _save(ctx)


async def _after_area(ctx: StepContext, value: JSON) -> Outcome:
    if value not in AREAS:
        ctx.data["area"] = None
    return Goto("product")


def _skip(ctx: StepContext) -> Sequence[Choice]:
    return [Choice(SKIP, "button-skip")]


async def _skip_product(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["product"] = None
    return Goto("due")


async def _skip_due(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["due"] = None
    return await _save(ctx)


async def _save(ctx: StepContext, value: JSON = None) -> Outcome:
    whom = ctx.data.get("whom")
    due = ctx.data.get("due")
    area = ctx.data.get("area")
    product = ctx.data.get("product")
    result = await ctx.services.goals.add(
        ctx.person.id,
        _pair(ctx),
        str(ctx.data.get("title") or ""),
        meeting_id=_meeting(ctx),
        area=str(area) if area else None,
        product=str(product) if product else None,
        due_on=date.fromisoformat(str(due)) if due else None,
        mentee_participant_id=_int(whom),
    )
    if isinstance(result, GoalError):
        if result in (GoalError.INVALID, GoalError.DUE_DATE):
            return _error(result)  # the step's answer can be typed again
        _say_error(ctx, result)
        return Finish()
    ctx.say("goals-saved", title=str(ctx.data.get("title")), **_roadmap_args(ctx))
    return Finish({"goal_id": result})


def build_new() -> Dialog:
    """Title, then for a group's mentor whom it is for, then for a roadmap step its area,
    product and due date."""
    return Dialog(
        NEW,
        [
            TextStep(
                "title",
                "goals-ask-title",
                parse=_parse_text,
                then=_after_title,
                max_length=TITLE_MAX,
                args=_roadmap_args,
            ),
            ChoiceStep(
                "whom", "goals-ask-whom", _mentees, then=_after_whom, args=_roadmap_args_async
            ),
            ChoiceStep(
                "area",
                "goals-ask-area",
                [
                    *(Choice(area, "goals-area-name", args={"area": area}) for area in AREAS),
                    Choice(SKIP, "goals-area-skip"),
                ],
                then=_after_area,
            ),
            TextStep(
                "product",
                "goals-ask-product",
                parse=_parse_text,
                choices=_skip,
                on_choice=_skip_product,
                then="due",
                max_length=PRODUCT_MAX,
            ),
            TextStep(
                "due",
                "goals-ask-due",
                parse=_parse_due,
                choices=_skip,
                on_choice=_skip_due,
                then=_save,
                max_length=20,
            ),
        ],
    )


# --- the card --------------------------------------------------------------------------------


def _history_line(ctx: StepContext, update: GoalUpdate, zone_name: str) -> str:
    return ctx.t(
        "goals-history-line",
        day=calendar.local(update.at, zone_name).strftime("%d.%m"),
        who=update.who or "\u2014",
        progress=update.progress,
        status=update.status.value,
        note=update.note or "none",
        kind=update.meeting_kind.value if update.meeting_kind else "none",
    )


def card_choices(view: GoalView, roadmap: str) -> list[Choice]:
    """What a member may do with the goal now."""
    if not view.editable:
        return []
    if view.status is GoalStatus.OPEN:
        return [
            *(Choice(step, label=f"{step}%") for step in STEPS),
            Choice("done", "goals-button-done", args={"roadmap": roadmap}),
            Choice("note", "goals-button-note"),
            Choice("drop", "goals-button-drop"),
        ]
    return [Choice("reopen", "goals-button-reopen"), Choice("note", "goals-button-note")]


class CardStep(Step):
    """One goal: its progress, details and latest updates, with what can be done to it."""

    name = "card"

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The goal; typing a percentage works while it is open."""
        goals = ctx.services.goals
        view = await goals.goal(ctx.person.id, _goal(ctx))
        history = await goals.history(ctx.person.id, _goal(ctx), HISTORY)
        if isinstance(view, GoalError) or isinstance(history, GoalError):
            return Prompt("goals-error-not_found")
        zone_name = await ctx.services.meetings.zone_of(ctx.person)
        roadmap = _yes(await goals.roadmap(view.pair_id))
        if not view.editable:
            hint = "ended"
        elif view.status is GoalStatus.OPEN:
            hint = "open"
        else:
            hint = "closed"
        args = {
            **_details(view, product_limit=None),
            "roadmap": roadmap,
            "description": view.description or "none",
            "history": "\n".join(_history_line(ctx, u, zone_name) for u in history) or "none",
            "hint": hint,
        }
        return Prompt(
            "goals-card",
            args,
            card_choices(view, roadmap),
            accepts_text=hint == "open",
            columns=len(STEPS),
        )

    async def on_text(self, ctx: StepContext, text: str) -> Outcome:
        """A typed percentage: "60" or "60%"."""
        found = PERCENT_RE.match(text.strip())
        if found is None or int(found.group(1)) > STEPS[-1]:
            return Reject("goals-progress-invalid")
        return await _update(ctx, progress=int(found.group(1)))

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A progress button or an action."""
        step = _int(value)
        if step is not None and step in STEPS:
            return await _update(ctx, progress=step)
        args = {"goal_id": _goal(ctx), "meeting_id": _meeting(ctx)}
        match value:
            case "done":
                return await _update(ctx, status=GoalStatus.DONE)
            case "reopen":
                return await _update(ctx, status=GoalStatus.OPEN)
            case "note":
                return Push(NOTE, args)
            case "drop":
                return Push(DROP, args)
        return Reject("button-stale")

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        """Back from a note or a drop: a dropped goal leaves for the list."""
        if isinstance(result, dict) and result.get("dropped"):
            return Finish(result)
        return Stay()


async def _update(
    ctx: StepContext, *, progress: int | None = None, status: GoalStatus | None = None
) -> Outcome:
    goals = ctx.services.goals
    error = await goals.update(
        ctx.person.id, _goal(ctx), progress=progress, status=status, meeting_id=_meeting(ctx)
    )
    if error is not None:
        return _error(error)
    view = await goals.goal(ctx.person.id, _goal(ctx))
    if isinstance(view, GoalError):
        return Stay()
    roadmap = _yes(await goals.roadmap(view.pair_id))
    if status is GoalStatus.OPEN:
        ctx.say("goals-reopened", roadmap=roadmap)
    elif view.status is GoalStatus.DONE:
        ctx.say("goals-done-saved", roadmap=roadmap, title=view.title)
    else:
        ctx.say("goals-progress-saved", progress=view.progress)
    return Stay()


# --- a note and dropping ---------------------------------------------------------------------


async def _save_note(ctx: StepContext, value: JSON) -> Outcome:
    error = await ctx.services.goals.update(
        ctx.person.id, _goal(ctx), note=str(value), meeting_id=_meeting(ctx)
    )
    if error is GoalError.INVALID:
        return _error(error)
    if error is not None:
        _say_error(ctx, error)
        return Finish()
    ctx.say("goals-note-saved")
    return Finish()


async def _drop_args(ctx: StepContext) -> Mapping[str, Any]:
    goals = ctx.services.goals
    view = await goals.goal(ctx.person.id, _goal(ctx))
    if isinstance(view, GoalError):
        return {"title": "\u2014", "roadmap": "no"}
    return {"title": view.title, "roadmap": _yes(await goals.roadmap(view.pair_id))}


async def _drop(ctx: StepContext, value: JSON) -> Outcome:
    if value != "drop":
        ctx.say("goals-drop-kept")
        return Finish()
    error = await ctx.services.goals.update(
        ctx.person.id, _goal(ctx), status=GoalStatus.DROPPED, meeting_id=_meeting(ctx)
    )
    if error is not None:
        _say_error(ctx, error)
        return Finish()
    ctx.say("goals-dropped", **await _drop_args(ctx))
    return Finish({"dropped": True})


def register(registry: DialogRegistry) -> None:
    """The goals dialogs and the link of goal notifications."""
    registry.add(Dialog(NAME, [ListStep()]))
    registry.add(build_new())
    registry.add(Dialog(CARD, [CardStep()]))
    registry.add(
        Dialog(
            NOTE,
            [
                TextStep(
                    "note",
                    "goals-ask-note",
                    parse=_parse_text,
                    then=_save_note,
                    max_length=TEXT_MAX,
                )
            ],
        )
    )
    registry.add(
        Dialog(
            DROP,
            [
                ChoiceStep(
                    "confirm",
                    "goals-drop-confirm",
                    [
                        Choice("drop", "goals-button-drop-yes"),
                        Choice("keep", "goals-button-drop-no"),
                    ],
                    then=_drop,
                    args=_drop_args,
                )
            ],
        )
    )
    registry.links.append(goals_link)
