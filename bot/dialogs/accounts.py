"""My messengers (menu-accounts): link Telegram and VK to one profile, pick the notified one,
choose whether the pair gets a link to the profile."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    Goto,
    Invalid,
    Outcome,
    Reject,
    Stay,
    StepContext,
    TextStep,
)
from bot.services.linking import (
    CODE_DIGITS,
    AccountsOverview,
    NotifyStatus,
    RedeemResult,
    RedeemStatus,
    UnlinkStatus,
)
from storage import Channel, Person

NAME = "accounts"
HOME = "overview"
CODE_RE = re.compile(rf"[0-9]{{{CODE_DIGITS}}}")
# What people put between digits when they copy or retype a code: spaces, dashes, dots.
SEPARATORS_RE = re.compile(r"[\s.\-\u2010-\u2015]+")

# A code that did not work: the text that says why (each also tells how many tries are left).
FAILED_TEXTS = {
    RedeemStatus.WRONG: "accounts-code-wrong",
    RedeemStatus.EXPIRED: "accounts-code-expired",
    RedeemStatus.USED: "accounts-code-used",
}


def channel_name(ctx: StepContext, channel: Channel) -> str:
    """The messenger's name in the person's language."""
    return ctx.t(f"accounts-channel-{channel.value}")


def parse_code(text: str) -> str:
    """Six digits; spaces, dashes and dots between them are ignored."""
    code = SEPARATORS_RE.sub("", text)
    if not CODE_RE.fullmatch(code):
        raise Invalid("accounts-code-format")
    return code


def _minutes_until(ctx: StepContext, moment: datetime) -> int:
    return max(0, math.ceil((moment - ctx.clock.now()).total_seconds() / 60))


def _home(ctx: StepContext) -> Outcome:
    """Back to the overview with a clean history, so Back does not lead into a finished action."""
    ctx.frame.history.clear()
    ctx.frame.step = HOME
    for key in ("code", "expires_at", "unlink"):
        ctx.data.pop(key, None)
    return Stay()


async def _overview(ctx: StepContext) -> AccountsOverview:
    return await ctx.services.linking.overview(ctx.person.id)


# --- overview ------------------------------------------------------------------------------------


async def _overview_args(ctx: StepContext) -> dict[str, Any]:
    overview = await _overview(ctx)
    lines = [
        ctx.t(
            "accounts-line",
            name=channel_name(ctx, account.channel),
            here="yes" if account.id == ctx.account.id else "no",
            blocked="no" if account.reachable else "yes",
        )
        for account in overview.accounts
    ]
    notified = overview.notified
    if notified is None:
        notify = ctx.t("accounts-notify-nowhere")
    elif overview.notify_channel == notified.channel:
        notify = ctx.t("accounts-notify-chosen", channel=notified.channel.value)
    else:
        notify = ctx.t("accounts-notify-auto", channel=notified.channel.value)
    if len(overview.accounts) < 2:
        notify += "\n\n" + ctx.t("accounts-hint")
    return {"accounts": "\n".join(lines), "notify": notify, "share": _sharing(ctx)}


def _sharing(ctx: StepContext) -> str:
    return "yes" if ctx.person.share_contact else "no"


async def _overview_choices(ctx: StepContext) -> Sequence[Choice]:
    choices = [
        Choice("get_code", "accounts-button-get-code"),
        Choice("enter_code", "accounts-button-enter-code"),
    ]
    if len((await _overview(ctx)).accounts) > 1:
        choices += [
            Choice("notify", "accounts-button-notify"),
            Choice("unlink", "accounts-button-unlink"),
        ]
    choices.append(Choice("share", "accounts-button-share", args={"share": _sharing(ctx)}))
    return choices


async def _on_overview(ctx: StepContext, value: JSON) -> Outcome:
    match value:
        case "get_code":
            await _issue(ctx)
            return Goto("code")
        case "enter_code":
            return Goto("enter")
        case "notify":
            return Goto("notify")
        case "unlink":
            return await _start_unlink(ctx)
        case "share":
            return Goto("share")
    return Stay()


# --- getting a code ------------------------------------------------------------------------------


async def _issue(ctx: StepContext) -> None:
    issued = await ctx.services.linking.issue(ctx.person.id, ctx.account.channel)
    ctx.data["code"] = issued.code
    ctx.data["expires_at"] = issued.expires_at.isoformat()


async def _code_args(ctx: StepContext) -> dict[str, Any]:
    expires_at = datetime.fromisoformat(str(ctx.data.get("expires_at") or ctx.clock.now()))
    return {
        "code": str(ctx.data.get("code") or ""),
        "minutes": _minutes_until(ctx, expires_at),
        "channel": ctx.account.channel.value,
    }


CODE_CHOICES = [
    Choice("new", "accounts-button-new-code"),
    Choice("done", "accounts-button-done"),
]


async def _on_code(ctx: StepContext, value: JSON) -> Outcome:
    if value == "new":
        await _issue(ctx)
        return Stay()
    return _home(ctx)


# --- entering a code -----------------------------------------------------------------------------


async def _on_code_entered(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data.pop("entered", None)  # a code is no use once tried: it is not kept in the state
    result = await ctx.services.linking.redeem(ctx.account.id, str(value))
    if result.status is RedeemStatus.LINKED:
        assert result.person_id is not None
        # From here on this update speaks for the person the accounts now belong to.
        ctx.person = await ctx.session.get_one(Person, result.person_id)
        names = ", ".join(channel_name(ctx, channel) for channel in result.channels)
        ctx.say("accounts-linked", channels=names)
        return _home(ctx)
    return _refusal(ctx, result)


def _refusal(ctx: StepContext, result: RedeemResult) -> Outcome:
    """The clear answer to a code that did not link; the person may try again or go back."""
    status = result.status
    if status in FAILED_TEXTS:
        minutes = _minutes_until(ctx, result.retry_at) if result.retry_at else 0
        return Reject(FAILED_TEXTS[status], {"left": result.attempts_left, "minutes": minutes})
    match status:
        case RedeemStatus.LOCKED:
            assert result.retry_at is not None
            return Reject("accounts-code-locked", {"minutes": _minutes_until(ctx, result.retry_at)})
        case RedeemStatus.SAME_CHANNEL:
            return Reject("accounts-code-same-channel", {"channel": ctx.account.channel.value})
        case RedeemStatus.ALREADY_LINKED:
            return Reject("accounts-code-already-linked")
        case RedeemStatus.CHANNEL_TAKEN:
            names = ", ".join(channel_name(ctx, channel) for channel in result.channels)
            return Reject("accounts-code-channel-taken", {"channels": names})
        case _:
            return Reject("accounts-code-busy")


# --- notifications -------------------------------------------------------------------------------


async def _notify_args(ctx: StepContext) -> dict[str, Any]:
    overview = await _overview(ctx)
    return {"chosen": overview.notify_channel.value if overview.notify_channel else "auto"}


async def _notify_choices(ctx: StepContext) -> Sequence[Choice]:
    options = (await _overview(ctx)).notify_options
    return [
        Choice("auto", "accounts-button-notify-auto"),
        *(Choice(channel.value, f"accounts-channel-{channel.value}") for channel in options),
    ]


async def _on_notify(ctx: StepContext, value: JSON) -> Outcome:
    channel = None if value == "auto" else Channel(str(value))
    status = await ctx.services.linking.set_notify_channel(ctx.person.id, channel)
    if status is NotifyStatus.NOT_REACHABLE:
        return Reject("accounts-notify-unreachable")
    ctx.say("accounts-notify-set", channel=channel.value if channel else "auto")
    return _home(ctx)


# --- unlinking -----------------------------------------------------------------------------------


async def _unlink_candidates(ctx: StepContext) -> list[tuple[int, Channel]]:
    """The person's other accounts: the one they write from is unlinked from another one."""
    overview = await _overview(ctx)
    return [(a.id, a.channel) for a in overview.accounts if a.id != ctx.account.id]


async def _start_unlink(ctx: StepContext) -> Outcome:
    candidates = await _unlink_candidates(ctx)
    if len(candidates) == 1:
        ctx.data["unlink"] = candidates[0][0]
        return Goto("unlink_confirm")
    return Goto("unlink")


async def _unlink_choices(ctx: StepContext) -> Sequence[Choice]:
    return [
        Choice(account_id, f"accounts-channel-{channel.value}")
        for account_id, channel in await _unlink_candidates(ctx)
    ]


async def _unlink_target(ctx: StepContext) -> Channel | None:
    candidates = dict(await _unlink_candidates(ctx))
    return candidates.get(ctx.data.get("unlink"))  # type: ignore[arg-type]


async def _unlink_args(ctx: StepContext) -> dict[str, Any]:
    channel = await _unlink_target(ctx)
    return {"channel": channel.value if channel else "other"}


async def _on_unlink_confirm(ctx: StepContext, value: JSON) -> Outcome:
    if value != "yes":
        return _home(ctx)
    channel = await _unlink_target(ctx)
    status = await ctx.services.linking.unlink(
        ctx.person.id, int(ctx.data.get("unlink") or 0), current_account_id=ctx.account.id
    )
    if status is UnlinkStatus.UNLINKED and channel is not None:
        ctx.say("accounts-unlinked", name=channel_name(ctx, channel))
    else:
        ctx.say("accounts-unlink-gone")
    return _home(ctx)


# --- showing the profile to the pair --------------------------------------------------------------


async def _share_args(ctx: StepContext) -> dict[str, Any]:
    return {"share": _sharing(ctx)}


async def _on_share(ctx: StepContext, value: JSON) -> Outcome:
    if value in {"yes", "no"}:
        await ctx.services.people.set_share_contact(ctx.person, value == "yes")
        ctx.say("accounts-share-set", share=value)
    return _home(ctx)


def build_accounts() -> Dialog:
    """The my-messengers dialog."""
    return Dialog(
        NAME,
        [
            ChoiceStep(
                HOME,
                "accounts-overview",
                _overview_choices,
                then=_on_overview,
                args=_overview_args,
            ),
            ChoiceStep("code", "accounts-code", CODE_CHOICES, then=_on_code, args=_code_args),
            TextStep(
                "enter",
                "accounts-enter-code",
                parse=lambda ctx, text: parse_code(text),
                key="entered",
                then=_on_code_entered,
                max_length=40,
            ),
            ChoiceStep(
                "notify",
                "accounts-notify-choose",
                _notify_choices,
                then=_on_notify,
                args=_notify_args,
            ),
            ChoiceStep(
                "unlink",
                "accounts-unlink-choose",
                _unlink_choices,
                key="unlink",
                then="unlink_confirm",
            ),
            ChoiceStep(
                "unlink_confirm",
                "accounts-unlink-confirm",
                [
                    Choice("yes", "accounts-button-unlink-yes"),
                    Choice("no", "accounts-button-unlink-no"),
                ],
                then=_on_unlink_confirm,
                args=_unlink_args,
            ),
            ChoiceStep(
                "share",
                "accounts-share",
                [
                    Choice("yes", "accounts-button-share-yes"),
                    Choice("no", "accounts-button-share-no"),
                ],
                then=_on_share,
                args=_share_args,
            ),
        ],
    )
