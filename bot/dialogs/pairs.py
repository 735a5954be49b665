"""The "my pair" menu (menu-my-pair) for mentees and mentors in an active pair: the partners,
each pair's summary (meetings, ratings, goals, the next meeting), its goals, a meeting to
propose, and asking for a change.

The request goes to the program's curators with the reason; they decide in the matching menu.
Buttons carry the pair they are about; the service checks that the person is in it.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    MenuEntry,
    Outcome,
    Prompt,
    Push,
    Reject,
    Stay,
    Step,
    StepContext,
    TextStep,
)
from bot.dialogs.goals import NAME as GOALS
from bot.dialogs.meetings import NEW as NEW_MEETING
from bot.dialogs.pair_summary import summary_prompt
from bot.services.matching import REASON_MAX, MatchError, MyPair, in_active_pair

NAME = "pairs"
TO_MENU = "menu"


def _target(value: JSON) -> tuple[int, int] | None:
    """The pair and the mentee a «ask for a change» button is about."""
    if (
        isinstance(value, list)
        and len(value) == 3
        and value[0] == "change"
        and all(isinstance(item, int) and not isinstance(item, bool) for item in value[1:])
    ):
        return value[1], value[2]
    return None


async def _chosen(ctx: StepContext) -> MyPair | None:
    """The pair the person picked, if they are still in it."""
    wanted = (ctx.data.get("pair_id"), ctx.data.get("mentee_id"))
    for pair in await ctx.services.matching.my_pairs(ctx.person.id):
        if (pair.pair_id, pair.mentee_participant_id) == wanted:
            return pair
    return None


class PairList(Step):
    """The person's pairs; one opens its summary."""

    name = "list"

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The partners, or that there are none."""
        pairs = await ctx.services.matching.my_pairs(ctx.person.id)
        if not pairs:
            return Prompt("pairs-none", choices=[Choice(TO_MENU, "button-to-menu")])
        lines = [
            ctx.t("pairs-line", partner=p.partner, role=p.role.value, program=p.program)
            for p in pairs
        ]
        partners: dict[int, list[str]] = {}
        for pair in pairs:
            partners.setdefault(pair.pair_id, []).append(pair.partner)
        choices = [
            Choice(["open", pair_id], "pairs-button-open", args={"partner": ", ".join(names)})
            for pair_id, names in partners.items()
        ]
        return Prompt("pairs-list", {"lines": "\n".join(lines), "count": len(pairs)}, choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A pair picked: its summary."""
        if value == TO_MENU:
            return Finish()
        if (
            isinstance(value, list)
            and len(value) == 2
            and value[0] == "open"
            and isinstance(value[1], int)
        ):
            ctx.data["pair_id"] = value[1]
            return Goto("card")
        return Reject("button-stale")


class PairCard(Step):
    """A pair's summary with what a member can do about it."""

    name = "card"

    async def _mine(self, ctx: StepContext) -> list[MyPair]:
        pair_id = ctx.data.get("pair_id")
        return [
            p for p in await ctx.services.matching.my_pairs(ctx.person.id) if p.pair_id == pair_id
        ]

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The summary, then goals, a meeting to propose and a change per partner."""
        mine = await self._mine(ctx)
        if not mine:
            return Prompt("pairs-not-found", choices=[Choice("list", "pairs-button-list")])
        pair_id = mine[0].pair_id
        choices = [
            Choice("goals", "pairs-button-goals"),
            Choice("meet", "pairs-button-meet"),
            *(
                Choice(
                    ["change", p.pair_id, p.mentee_participant_id],
                    "pairs-button-change",
                    args={"partner": p.partner},
                )
                for p in mine
            ),
            Choice("list", "pairs-button-list"),
        ]
        return await summary_prompt(ctx, pair_id, choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """Goals, a new meeting, a change request, or back to the list."""
        if value == "list":
            ctx.frame.step = ctx.frame.history.pop() if ctx.frame.history else PairList.name
            return Stay()
        mine = await self._mine(ctx)
        if not mine:
            ctx.say("pairs-not-found")
            return Stay()
        pair_id = mine[0].pair_id
        if value == "goals":
            return Push(GOALS, {"pair_id": pair_id, "meeting_id": None})
        if value == "meet":
            return Push(NEW_MEETING, {"pair_id": pair_id, "mode": "new"})
        target = _target(value)
        if target is None or target[0] != pair_id:
            return Reject("button-stale")
        ctx.data["pair_id"], ctx.data["mentee_id"] = target
        pair = await _chosen(ctx)
        if pair is None:
            ctx.say("pairs-not-found")
            return Stay()
        ctx.data["partner"] = pair.partner
        return Goto("reason")

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        return Stay()


def _parse_reason(ctx: StepContext, text: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise Invalid("pairs-reason-empty")
    return reason


async def _confirm_args(ctx: StepContext) -> Mapping[str, Any]:
    return {"partner": ctx.data.get("partner") or "—", "reason": ctx.data.get("reason") or ""}


async def _send(ctx: StepContext, value: JSON) -> Outcome:
    if value != "send":
        ctx.say("pairs-change-kept")
        return Finish()
    pair = await _chosen(ctx)
    if pair is None:
        ctx.say("pairs-not-found")
        return Finish()
    result = await ctx.services.matching.request_change(
        ctx.person.id, pair.pair_id, pair.mentee_participant_id, str(ctx.data.get("reason") or "")
    )
    if result is MatchError.INVALID:
        return Reject("pairs-reason-empty")
    if result is MatchError.DECIDED:
        ctx.say("pairs-change-already", partner=pair.partner)
        return Finish()
    if isinstance(result, MatchError):
        ctx.say("pairs-not-found")
        return Finish()
    ctx.say("pairs-change-sent", partner=pair.partner)
    return Finish()


def build_pairs() -> Dialog:
    """My pair: the partners, a change request with its reason and a confirmation."""
    return Dialog(
        NAME,
        [
            PairList(),
            PairCard(),
            TextStep(
                "reason",
                "pairs-reason",
                parse=_parse_reason,
                max_length=REASON_MAX,
                args=lambda ctx: {"partner": ctx.data.get("partner") or "—"},
            ),
            ChoiceStep(
                "confirm",
                "pairs-change-confirm",
                [Choice("send", "pairs-button-send"), Choice("keep", "pairs-button-keep")],
                then=_send,
                args=_confirm_args,
            ),
        ],
    )


def register(registry: DialogRegistry) -> None:
    """Add the my-pair dialog and its menu entry."""
    registry.add(build_pairs())
    registry.menu.append(MenuEntry("menu-my-pair", NAME, shown_to=in_active_pair))
