"""The demo questionnaire shown by `make run`: name, role, birth date, class, review."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

from bot.dialogs import onboarding
from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    Finish,
    Goto,
    Invalid,
    Outcome,
    Push,
    StepContext,
    TextStep,
)
from bot.services.demo import DemoProfile
from storage import ParticipantRole

NAME = "demo"
LINK = "demo"
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '.\-][^\W\d_]+)*\.?$")
DATE_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
FIELDS = ("name", "role", "birth_date", "grade")


def parse_name(text: str) -> str:
    """A full name: letters, spaces, hyphens and apostrophes, 2–80 characters."""
    name = " ".join(text.split())
    if not 2 <= len(name) <= 80 or not NAME_RE.match(name):
        raise Invalid("demo-name-invalid")
    return name


def parse_birth_date(text: str, *, today: date) -> date:
    """A birth date as DD.MM.YYYY, between 5 and 100 years ago."""
    match = DATE_RE.match(text.strip())
    if match is None:
        raise Invalid("demo-birth-date-invalid")
    day, month, year = (int(part) for part in match.groups())
    try:
        born = date(year, month, day)
    except ValueError:
        raise Invalid("demo-birth-date-invalid") from None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not 5 <= age <= 100:
        raise Invalid("demo-birth-date-out-of-range")
    return born


def parse_grade(text: str) -> str:
    """A school class, read as onboarding reads it, with the demo's own message."""
    try:
        return onboarding.parse_grade(text)
    except Invalid:
        raise Invalid("demo-grade-invalid") from None


def _next_or_review(following: str) -> Callable[[StepContext, JSON], Awaitable[Outcome]]:
    """Go on to `following`, or back to the review when the answer was an edit from there."""

    async def then(ctx: StepContext, value: JSON) -> Outcome:
        return Goto("review" if ctx.data.pop("editing", False) else following)

    return then


async def _after_grade(ctx: StepContext, value: JSON) -> Outcome:
    return Goto("review")


async def _skip_grade(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["grade"] = None
    return Goto("review")


async def _summary(ctx: StepContext) -> dict[str, Any]:
    data = ctx.data
    born = date.fromisoformat(data["birth_date"])
    return {
        "name": data["name"],
        "role": ctx.t(f"demo-role-{data['role']}"),
        "birth_date": born.strftime("%d.%m.%Y"),
        "grade": data.get("grade") or "—",
    }


async def _review_choices(ctx: StepContext) -> Sequence[Choice]:
    return [
        Choice("confirm", "demo-confirm"),
        Choice("edit", "demo-edit"),
        Choice("lang", "menu-lang"),
    ]


async def _on_review(ctx: StepContext, value: JSON) -> Outcome:
    if value == "edit":
        return Goto("pick_field")
    if value == "lang":
        return Push("lang")
    data = ctx.data
    profile = DemoProfile(
        full_name=data["name"],
        role=ParticipantRole(data["role"]),
        birth_date=date.fromisoformat(data["birth_date"]),
        grade=data.get("grade"),
    )
    if await ctx.services.demo.enroll(ctx.person, profile) is None:
        ctx.say("demo-unavailable")
        return Finish()
    ctx.say("demo-done", name=profile.full_name)
    return Finish(profile.full_name)


async def _field_choices(ctx: StepContext) -> Sequence[Choice]:
    return [Choice(field, f"demo-field-{field.replace('_', '-')}") for field in FIELDS]


async def _edit_field(ctx: StepContext, value: JSON) -> Outcome:
    if value not in FIELDS:
        return Goto("review")
    ctx.data["editing"] = True
    return Goto(str(value))


def build_demo() -> Dialog:
    """The demo dialog."""
    return Dialog(
        NAME,
        [
            TextStep(
                "name",
                "demo-ask-name",
                parse=lambda ctx, text: parse_name(text),
                then=_next_or_review("role"),
                max_length=200,
            ),
            ChoiceStep(
                "role",
                "demo-ask-role",
                [Choice(role.value, f"demo-role-{role.value}") for role in ParticipantRole],
                then=_next_or_review("birth_date"),
            ),
            TextStep(
                "birth_date",
                "demo-ask-birth-date",
                parse=lambda ctx, text: parse_birth_date(
                    text, today=ctx.clock.now().date()
                ).isoformat(),
                then=_next_or_review("grade"),
                max_length=20,
            ),
            TextStep(
                "grade",
                "demo-ask-grade",
                parse=lambda ctx, text: parse_grade(text),
                then=_after_grade,
                max_length=20,
                choices=[Choice("skip", "button-skip")],
                on_choice=_skip_grade,
            ),
            ChoiceStep("review", "demo-review", _review_choices, then=_on_review, args=_summary),
            ChoiceStep(
                "pick_field", "demo-pick-field", _field_choices, then=_edit_field, columns=2
            ),
        ],
    )
