"""The digest on demand (`/digest`, the program card, the weekly notification's buttons).

Opened with no arguments it lists the reader's programs (a curator with one program sees it at
once); with `{"program_id": id}` it shows that program's figures, chart and flags; with
`{"program_id": id, "flag": kind}` (the deep link `dg<id>_<kind>`) the people behind one flag.
Every screen asks DigestService anew, which checks the reader's right: a forged or stale
program id shows a refusal and nothing of the program.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.messages import Attachment, AttachmentKind
from bot.dialogs.engine import (
    JSON,
    Choice,
    Dialog,
    DialogRegistry,
    Finish,
    Goto,
    Outcome,
    Prompt,
    Push,
    Reject,
    Step,
    StepContext,
)
from bot.services.chart import CHART_FILE, PNG_MIME, ChartLabels, render_chart
from bot.services.digests import LINK_PREFIX, Digest, Flagged, FlagKind, ProgramDigest
from bot.services.programs import Refusal

NAME = "digest"
OVERVIEW, PROGRAM, FLAGGED = "overview", "program", "flagged"
CLOSE = "close"
# `dg<program id>` opens a program's digest, `dg<program id>_<flag>` who is flagged.
LINK_RE = re.compile(rf"^{LINK_PREFIX}(\d{{1,12}})(?:_([a-z_]{{1,32}}))?$")
# Names listed on one screen; the rest are counted.
SHOWN_MAX = 40
FLAGS = {kind.value: kind for kind in FlagKind}


def _close() -> Choice:
    return Choice(CLOSE, "digest-button-close")


def _program_id(ctx: StepContext) -> int:
    try:
        return int(ctx.data.get("program_id") or 0)
    except (TypeError, ValueError):
        return 0


async def _one(ctx: StepContext) -> ProgramDigest | Prompt:
    """The digest of the program in the dialog's data, or the refusal screen."""
    digest = await ctx.services.digests.build(ctx.person.id, [_program_id(ctx)])
    if isinstance(digest, Refusal):
        staff = await ctx.services.programs.is_staff(ctx.person.id)
        return Prompt("digest-refused" if staff else "digest-not-staff", choices=[_close()])
    return digest.programs[0]


def send_chart(ctx: StepContext, section: ProgramDigest) -> None:
    """The program's chart, drawn in the reader's language."""
    png = render_chart(section.figures.weeks, labels=ChartLabels.of(ctx.t))
    ctx.send_file(
        "digest-chart",
        Attachment(AttachmentKind.IMAGE, CHART_FILE, png, PNG_MIME),
        program=section.figures.program,
    )


def flagged_line(t: Callable[..., str], kind: FlagKind, item: Flagged) -> str:
    """One flagged person or pair as the list shows it, rendered by `t` (a dialog's `ctx.t`)."""
    no_name = t("digest-no-name")
    args: dict[str, object] = {"name": item.name or no_name, "role": item.role.value}
    if kind is FlagKind.QUIET:
        args["mentees"] = ", ".join(name or no_name for name in item.mentees) or "—"
        args["first"] = "yes" if item.first_meeting else "no"
    if item.value is not None:
        args["value"] = round(item.value, 2) if kind is FlagKind.FALLING else int(item.value)
    if item.bound is not None:
        args["bound"] = round(item.bound, 2) if kind is FlagKind.FALLING else int(item.bound)
    return t(f"digest-line-{kind.value}", **args)


class OverviewStep(Step):
    """The reader's programs, each with how many risks it shows."""

    name = OVERVIEW

    async def prompt(self, ctx: StepContext) -> Prompt:
        digest = await ctx.services.digests.build(ctx.person.id)
        if isinstance(digest, Refusal):
            return Prompt("digest-not-staff", choices=[_close()])
        headers = "\n\n".join(
            ctx.t("digest-organization", **header.args()) for header in digest.organizations
        )
        choices = [
            Choice(
                {"program": section.program_id},
                "digest-button-program",
                args={"program": section.figures.program, "flags": section.flagged or "none"},
            )
            for section in digest.programs
        ]
        return Prompt(
            "digest-overview",
            {
                "programs": len(digest.programs) or "none",
                "empty": "yes" if digest.empty else "no",
                "headers": headers or "none",
            },
            [*choices, _close()],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == CLOSE:
            return Finish()
        if isinstance(value, dict) and isinstance(value.get("program"), int):
            ctx.data["program_id"] = value["program"]
            ctx.data["chart"] = True
            return Goto(PROGRAM)
        return Reject("button-stale")


class ProgramStep(Step):
    """One program's figures, its chart (when opened) and a button per flag."""

    name = PROGRAM

    async def prompt(self, ctx: StepContext) -> Prompt:
        section = await _one(ctx)
        if isinstance(section, Prompt):
            return section
        if ctx.data.pop("chart", False):
            send_chart(ctx, section)
        choices = [
            Choice(flag.kind.value, f"digest-button-{flag.kind.value}") for flag in section.flags
        ]
        return Prompt("digest-program", section.args(), [*choices, _close()])

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == CLOSE:
            return Finish()
        if isinstance(value, str) and value in FLAGS:
            ctx.data["flag"] = value
            return Goto(FLAGGED)
        return Reject("button-stale")


class FlaggedStep(Step):
    """Who is behind one flag of a program, by name."""

    name = FLAGGED

    async def prompt(self, ctx: StepContext) -> Prompt:
        section = await _one(ctx)
        if isinstance(section, Prompt):
            return section
        kind = FLAGS.get(str(ctx.data.get("flag")), FlagKind.UNMATCHED)
        args: dict[str, object] = {
            "title": ctx.t("digest-flag-title", kind=kind.value),
            "program": section.figures.program,
        }
        flag = section.flag(kind)
        if flag is None:
            return Prompt("digest-flagged-none", args, [_close()])
        lines = [flagged_line(ctx.t, kind, item) for item in flag.items[:SHOWN_MAX]]
        more = len(flag.items) - len(lines)
        args.update(list="\n".join(lines), total=len(flag.items), more=more or "none")
        return Prompt("digest-flagged", args, [_close()])

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == CLOSE:
            return Finish()
        return Reject("button-stale")


async def _start(ctx: StepContext) -> None:
    """Go straight to a program (or its flag) when one is given or the reader has just one."""
    if "program_id" in ctx.args:
        ctx.data["program_id"] = ctx.args["program_id"]
        flag = ctx.args.get("flag")
        if isinstance(flag, str) and flag in FLAGS:
            ctx.data["flag"] = flag
            ctx.frame.step = FLAGGED
            ctx.frame.history = [PROGRAM]  # Back shows the program's figures
        else:
            ctx.data["chart"] = True
            ctx.frame.step = PROGRAM
        return
    digest = await ctx.services.digests.build(ctx.person.id)
    if isinstance(digest, Digest) and len(digest.programs) == 1 and not digest.organizations:
        if digest.empty:
            ctx.say("digest-empty", programs=1)
        ctx.data["program_id"] = digest.programs[0].program_id
        ctx.data["chart"] = True
        ctx.frame.step = PROGRAM


async def digest_link(ctx: StepContext, payload: str) -> Outcome | None:
    """`dg<program id>` opens the program's digest, `dg<program id>_<flag>` who is flagged."""
    found = LINK_RE.match(payload)
    if found is None:
        return None
    flag = found.group(2)
    if flag is not None and flag not in FLAGS:
        return None
    args: dict[str, JSON] = {"program_id": int(found.group(1))}
    if flag is not None:
        args["flag"] = flag
    return Push(NAME, args)


def register(registry: DialogRegistry) -> None:
    """The digest dialog and its deep links."""
    registry.add(Dialog(NAME, [OverviewStep(), ProgramStep(), FlaggedStep()], on_start=_start))
    registry.links.append(digest_link)


__all__ = ["LINK_RE", "NAME", "digest_link", "flagged_line", "register", "send_chart"]
