"""Announcements (opened from the program card with its id): to whom, the text, one of the
program's files if wanted, a preview with the number of recipients, then sending; and the past
announcements with how their messages fared (sent / unreachable / failed / on the way)."""

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
    Outcome,
    Prompt,
    Reject,
    Stay,
    Step,
    StepContext,
    TextStep,
)
from bot.services.announcements import TEXT_MAX, AnnouncementError
from bot.services.matching import MatchError
from bot.services.programs import Refusal
from storage import ParticipantRole

NAME = "announce"
EVERYONE = "all"
NO_FILE = "none"


def _program_id(ctx: StepContext) -> int:
    return int(ctx.args.get("program_id") or 0)


def _role(ctx: StepContext) -> ParticipantRole | None:
    value = ctx.data.get("whom")
    return ParticipantRole(value) if value in {r.value for r in ParticipantRole} else None


def _refused(ctx: StepContext, refusal: Refusal) -> Outcome:
    ctx.say(f"announce-{refusal.value}")
    return Finish()


class StartStep(Step):
    """A new announcement, or the past ones."""

    name = "start"

    async def prompt(self, ctx: StepContext) -> Prompt:
        return Prompt(
            "announce-start",
            choices=[
                Choice("new", "announce-button-new"),
                Choice("recent", "announce-button-recent"),
                Choice("close", "announce-button-close"),
            ],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == "close":
            return Finish()
        if value in ("new", "recent"):
            count = await ctx.services.announcements.recipients(
                ctx.person.id, _program_id(ctx), None
            )
            if isinstance(count, Refusal):
                return _refused(ctx, count)
            return Goto("whom" if value == "new" else "recent")
        return Reject("button-stale")


WHOM = (
    (EVERYONE, None),
    (ParticipantRole.MENTOR.value, ParticipantRole.MENTOR),
    (ParticipantRole.MENTEE.value, ParticipantRole.MENTEE),
)


class WhomStep(Step):
    """Everyone, mentors or mentees, each with how many it reaches."""

    name = "whom"

    async def prompt(self, ctx: StepContext) -> Prompt:
        choices = []
        for value, role in WHOM:
            count = await ctx.services.announcements.recipients(
                ctx.person.id, _program_id(ctx), role
            )
            if isinstance(count, Refusal):
                return Prompt(f"announce-{count.value}")
            choices.append(Choice(value, "announce-whom", args={"whom": value, "count": count}))
        return Prompt("announce-ask-whom", choices=choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value not in [whom for whom, _ in WHOM]:
            return Reject("button-stale")
        ctx.data["whom"] = value
        return Goto("text")


async def _files(ctx: StepContext) -> list[tuple[int, str]]:
    rows = await ctx.services.mentors.materials(ctx.person.id, _program_id(ctx))
    if isinstance(rows, MatchError):
        return []
    return [(row.id, row.file_name or row.title) for row in rows if row.file_name]


def _parse_text(ctx: StepContext, text: str) -> JSON:
    if not text.strip():
        raise Invalid("input-text-expected")
    return text.strip()


async def _after_text(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["file"] = None
    return Goto("file" if await _files(ctx) else "review")


class FileStep(Step):
    """One of the program's files to send along, or none."""

    name = "file"

    async def prompt(self, ctx: StepContext) -> Prompt:
        choices = [Choice(file_id, label=title) for file_id, title in await _files(ctx)]
        choices.append(Choice(NO_FILE, "announce-button-no-file"))
        return Prompt("announce-ask-file", choices=choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == NO_FILE:
            ctx.data["file"] = None
            return Goto("review")
        if value in [file_id for file_id, _ in await _files(ctx)]:
            ctx.data["file"] = value
            return Goto("review")
        return Reject("button-stale")


async def _review_args(ctx: StepContext) -> Mapping[str, Any]:
    count = await ctx.services.announcements.recipients(ctx.person.id, _program_id(ctx), _role(ctx))
    files = dict(await _files(ctx))
    file_id = ctx.data.get("file")
    return {
        "whom": str(ctx.data.get("whom") or EVERYONE),
        "count": 0 if isinstance(count, Refusal) else count,
        "text": str(ctx.data.get("text") or ""),
        "file": files.get(int(file_id), "none") if isinstance(file_id, int) else "none",
    }


async def _send(ctx: StepContext, value: JSON) -> Outcome:
    file_id = ctx.data.get("file")
    try:
        sent = await ctx.services.announcements.send(
            ctx.person.id,
            _program_id(ctx),
            str(ctx.data.get("text") or ""),
            role=_role(ctx),
            material_id=file_id if isinstance(file_id, int) else None,
        )
    except AnnouncementError:
        return Reject("announce-invalid")
    if isinstance(sent, Refusal):
        return _refused(ctx, sent)
    ctx.say("announce-sent", count=sent.recipients)
    return Finish()


class RecentStep(Step):
    """The latest announcements with their delivery counts."""

    name = "recent"

    async def prompt(self, ctx: StepContext) -> Prompt:
        rows = await ctx.services.announcements.recent(ctx.person.id, _program_id(ctx))
        back = [Choice("back", "announce-button-back")]
        if isinstance(rows, Refusal):
            return Prompt(f"announce-{rows.value}", choices=back)
        lines = [
            ctx.t(
                "announce-line",
                day=row.created_at.strftime("%d.%m"),
                whom=row.role.value if row.role else EVERYONE,
                text=row.text if len(row.text) <= 60 else row.text[:59] + "\u2026",
                recipients=row.recipients,
                sent=row.delivery.sent,
                unreachable=row.delivery.unreachable,
                failed=row.delivery.failed,
                waiting=row.delivery.waiting,
            )
            for row in rows
        ]
        return Prompt("announce-recent", {"lines": "\n\n".join(lines), "count": len(rows)}, back)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value != "back":
            return Reject("button-stale")
        ctx.frame.history.clear()
        ctx.frame.step = StartStep.name
        return Stay()


def build_announce() -> Dialog:
    """An announcement to a program's participants, and the past ones."""
    return Dialog(
        NAME,
        [
            StartStep(),
            WhomStep(),
            TextStep(
                "text",
                "announce-ask-text",
                parse=_parse_text,
                then=_after_text,
                max_length=TEXT_MAX,
            ),
            FileStep(),
            ChoiceStep(
                "review",
                "announce-review",
                [Choice("send", "announce-button-send")],
                then=_send,
                args=_review_args,
            ),
            RecentStep(),
        ],
    )


def register(registry: DialogRegistry) -> None:
    """Add the announcement dialog."""
    registry.add(build_announce())
