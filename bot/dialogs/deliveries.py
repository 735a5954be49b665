"""Delivery problems, for curators and coordinators: who missed messages and who is unreachable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.dialogs.engine import JSON, Choice, ChoiceStep, Dialog, Finish, Outcome, StepContext
from bot.services.outbox import DeliveryProblem

NAME = "deliveries"
# Failures older than this are not listed.
WINDOW = timedelta(days=14)
# Lines shown at most; the rest is counted.
MAX_LINES = 30


async def can_see(ctx: StepContext) -> bool:
    """Only people who oversee programs get the menu entry."""
    return await ctx.services.outbox.oversees_programs(ctx.person.id)


async def report(ctx: StepContext) -> Mapping[str, Any]:
    """The problems as lines of text, grouped under program names."""
    if not await can_see(ctx):
        return {"count": -1, "lines": ""}
    problems = await ctx.services.outbox.problems(ctx.person.id, since=ctx.clock.now() - WINDOW)
    lines: list[str] = []
    program = None
    for problem in problems[:MAX_LINES]:
        if problem.program != program:
            program = problem.program
            lines.append(ctx.t("deliveries-program", program=program))
        lines.append(_line(ctx, problem))
    if len(problems) > MAX_LINES:
        lines.append(ctx.t("deliveries-more", count=len(problems) - MAX_LINES))
    return {"count": len(problems), "lines": "\n".join(lines), "days": WINDOW.days}


def _line(ctx: StepContext, problem: DeliveryProblem) -> str:
    name = problem.name or ctx.t("deliveries-no-name", id=problem.person_id)
    role = ctx.t(f"deliveries-role-{problem.role.value}")
    if problem.unreachable:
        return ctx.t("deliveries-unreachable", name=name, role=role)
    assert problem.failed_at is not None
    return ctx.t(
        "deliveries-failed", name=name, role=role, date=problem.failed_at.strftime("%d.%m")
    )


async def _to_menu(ctx: StepContext, value: JSON) -> Outcome:
    return Finish()


def build_deliveries() -> Dialog:
    """One screen: the report and a way back to the menu."""
    return Dialog(
        NAME,
        [
            ChoiceStep(
                "show",
                "deliveries-report",
                [Choice("menu", "button-to-menu")],
                then=_to_menu,
                args=report,
            )
        ],
    )
