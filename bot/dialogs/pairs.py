"""The "my pair" menu (menu-my-pair) for mentees and mentors in an active pair: who the
partner is, asking for a change.

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
    Reject,
    Stay,
    Step,
    StepContext,
    TextStep,
)
from bot.services.matching import REASON_MAX, MatchError, MyPair

NAME = "pairs"
TO_MENU = "menu"


async def has_pair(ctx: StepContext) -> bool:
    """Only people in an active pair get the menu entry."""
    return bool(await ctx.services.matching.my_pairs(ctx.person.id))


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
    """The person's partners, each with a button to ask for a change."""

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
        choices = [
            Choice(
                ["change", p.pair_id, p.mentee_participant_id],
                "pairs-button-change",
                args={"partner": p.partner},
            )
            for p in pairs
        ]
        return Prompt("pairs-list", {"lines": "\n".join(lines), "count": len(pairs)}, choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A partner picked: ask why."""
        if value == TO_MENU:
            return Finish()
        target = _target(value)
        if target is None:
            return Stay()
        ctx.data["pair_id"], ctx.data["mentee_id"] = target
        pair = await _chosen(ctx)
        if pair is None:
            ctx.say("pairs-not-found")
            return Stay()
        ctx.data["partner"] = pair.partner
        return Goto("reason")


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
    registry.menu.append(MenuEntry("menu-my-pair", NAME, visible=has_pair))
