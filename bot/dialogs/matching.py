"""The matching menu (menu-matching) for curators and coordinators: mentors, materials,
runs, proposals, decisions.

A program's card shows where matching stands and leads to each task. Buttons carry the id of
what they act on, and every screen and action asks the services again, which check the
person's right to the program: a stale screen, a forged state or a person who lost the role
gets a polite refusal and nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.dialogs.engine import (
    JSON,
    Choice,
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
from bot.dialogs.pair_summary import NAME as PROGRAM_PAIRS
from bot.services.base import URL_MAX, valid_url
from bot.services.matching import Brief, MatchError, ProposalView
from bot.services.mentors import TITLE_MAX, MentorRow
from bot.services.programs import curates_or_coordinates
from storage import PairKind

NAME = "matching"
TO_MENU = "menu"
PAGE_SIZE = 8
# What the program's card leads to (each a step of the dialog).
TASKS = ("proposal", "approve_all", "unmatched", "mentors", "materials", "requests", "settings")
# Errors about the program or the thing itself: nothing more to do here, back to the menu.
LEAVE = (MatchError.NOT_FOUND, MatchError.NOT_ALLOWED)

View = Callable[[StepContext], Awaitable[Prompt | MatchError]]
Action = Callable[[StepContext, JSON], Awaitable[Outcome]]


def error_text(error: MatchError) -> str:
    """The text id that explains a refusal."""
    return f"matching-error-{error.value.replace('_', '-')}"


def failed(ctx: StepContext, error: MatchError, then: Callable[[], Outcome] = Stay) -> Outcome:
    """Say why nothing changed; leave to the menu when the program or item is out of reach."""
    ctx.say(error_text(error))
    return Finish() if error in LEAVE else then()


def who(ctx: StepContext, person: Brief) -> str:
    """A name with the class (or position) that places the person."""
    return ctx.t("matching-who", name=person.name, detail=person.detail or "none")


def action(value: JSON) -> tuple[str, int]:
    """A button's value: an action and the id it acts on (0 when it has none)."""
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    ):
        return value[0], value[1]
    return str(value), 0


class Screen(Step):
    """A step that shows what a service returns, or the refusal with a way to the menu."""

    def __init__(self, name: str, view: View, act: Action) -> None:
        self.name = name
        self.view = view
        self.act = act

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The service's data, or the refusal."""
        shown = await self.view(ctx)
        if isinstance(shown, MatchError):
            return Prompt(error_text(shown), choices=[Choice(TO_MENU, "button-to-menu")])
        return shown

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A tapped option; the way out of a refusal goes to the menu."""
        if value == TO_MENU:
            return Finish()
        return await self.act(ctx, value)


def _program_id(ctx: StepContext) -> int:
    return int(ctx.data.get("program_id") or 0)


def _return_to(ctx: StepContext, step: str) -> Outcome:
    """Back to an earlier step, dropping the steps after it from the history."""
    while ctx.frame.step != step and ctx.frame.history:
        ctx.frame.step = ctx.frame.history.pop()
    if ctx.frame.step != step:
        ctx.frame.history = ["list"]
        ctx.frame.step = "card"
    return Stay()


def _paging(ctx: StepContext, key: str, total: int, size: int) -> tuple[int, list[Choice]]:
    """The clamped position under `key` and the ‹ › buttons around it."""
    last = max(0, (total - 1) // size * size)
    position = min(max(0, int(ctx.data.get(key) or 0)), last)
    ctx.data[key] = position
    choices = []
    if position > 0:
        choices.append(Choice("previous", "matching-button-previous"))
    if position + size < total:
        choices.append(Choice("next", "matching-button-next"))
    return position, choices


def _turn(ctx: StepContext, key: str, value: JSON, size: int) -> Outcome:
    step = size if value == "next" else -size
    ctx.data[key] = max(0, int(ctx.data.get(key) or 0) + step)
    return Stay()


# --- the list and the card ------------------------------------------------------------------------


async def _list_view(ctx: StepContext) -> Prompt:
    programs = await ctx.services.programs.visible(ctx.person.id)
    if not programs:
        return Prompt("matching-no-programs", choices=[Choice(TO_MENU, "button-to-menu")])
    choices = [Choice(program.id, label=program.name) for program in programs]
    return Prompt("matching-programs", choices=choices)


async def _on_list(ctx: StepContext, value: JSON) -> Outcome:
    if not isinstance(value, int):
        return Stay()
    ctx.data.clear()
    ctx.data["program_id"] = value
    return Goto("card")


async def _card_view(ctx: StepContext) -> Prompt | MatchError:
    settings = await ctx.services.matching.settings(ctx.person.id, _program_id(ctx))
    if isinstance(settings, MatchError):
        return settings
    args = {
        "program": settings.program,
        "mentees": settings.ready_mentees,
        "mentors": settings.approved_mentors,
        "proposals": settings.open_proposals,
        "pairs": settings.active_pairs,
        "requests": settings.open_requests,
        "threshold": settings.threshold,
        "kind": settings.pair_kind.value,
    }
    choices = [
        Choice("run", "matching-button-run"),
        Choice("proposal", "matching-button-proposals", args={"count": settings.open_proposals}),
    ]
    if settings.open_proposals:
        choices.append(Choice("approve_all", "matching-button-approve-all"))
    choices += [
        Choice("unmatched", "matching-button-unmatched"),
        Choice("mentors", "matching-button-mentors"),
        Choice("materials", "matching-button-materials"),
        Choice("requests", "matching-button-requests", args={"count": settings.open_requests}),
        Choice("pairs", "matching-button-pairs", args={"count": settings.active_pairs}),
        Choice("settings", "matching-button-settings"),
    ]
    return Prompt("matching-card", args, choices, columns=2)


async def _on_card(ctx: StepContext, value: JSON) -> Outcome:
    if value == "run":
        summary = await ctx.services.matching.run(ctx.person.id, _program_id(ctx))
        if isinstance(summary, MatchError):
            return failed(ctx, summary)
        ctx.say(
            "matching-run-summary",
            mentees=summary.mentees,
            mentors=summary.mentors,
            places=summary.places,
            proposals=summary.proposals,
            unmatched=summary.unmatched,
            average=round(summary.average),
            threshold=summary.threshold,
        )
        return Stay()
    if value == "pairs":
        return Push(PROGRAM_PAIRS, {"program_id": _program_id(ctx)})
    if value not in TASKS:
        return Stay()
    # Lists start from the top; proposals are listed anew.
    for key in ("proposal", "unmatched", "mentors", "requests", "proposal_ids"):
        ctx.data.pop(key, None)
    return Goto(str(value))


# --- proposals, one per message -------------------------------------------------------------------


def _proposal_args(
    ctx: StepContext, view: ProposalView, position: int, total: int
) -> dict[str, Any]:
    return {
        "position": position,
        "total": total,
        "mentee": who(ctx, view.mentee),
        "mentor": who(ctx, view.mentor),
        "score": view.score,
        "reasons": view.reasons or "none",
        "manual": "yes" if view.manual else "no",
    }


async def _proposal_ids(ctx: StepContext) -> list[int] | MatchError:
    """The open proposals as listed when the curator opened them (one is fetched per page)."""
    ids = ctx.data.get("proposal_ids")
    if isinstance(ids, list):
        return ids
    views = await ctx.services.matching.proposals(ctx.person.id, _program_id(ctx), ctx.locale)
    if isinstance(views, MatchError):
        return views
    ids = [view.id for view in views]
    ctx.data["proposal_ids"] = ids
    return ids


async def _proposal_view(ctx: StepContext) -> Prompt | MatchError:
    ids = await _proposal_ids(ctx)
    if isinstance(ids, MatchError):
        return ids
    while ids:
        index, paging = _paging(ctx, "proposal", len(ids), 1)
        view = await ctx.services.matching.proposal(ctx.person.id, int(ids[index]), ctx.locale)
        if view is MatchError.DECIDED:  # decided meanwhile (another curator, a hand move)
            ids.pop(index)
            continue
        if isinstance(view, MatchError):
            return view
        choices = [
            Choice(["approve", view.id], "matching-button-approve"),
            Choice(["reject", view.id], "matching-button-reject"),
            Choice(["never", view.id], "matching-button-never"),
            Choice(["other", view.id], "matching-button-other"),
            *paging,
        ]
        args = _proposal_args(ctx, view, index + 1, len(ids))
        return Prompt("matching-proposal", args, choices, columns=2)
    return Prompt("matching-proposals-none")


async def _decide(ctx: StepContext, value: JSON, *, then: Callable[[], Outcome] = Stay) -> Outcome:
    """Approve, reject or exclude a proposal, or look for another mentor for its mentee."""
    name, ident = action(value)
    if name not in {"approve", "reject", "never", "other"}:
        return Stay()
    matching = ctx.services.matching
    view = await matching.proposal(ctx.person.id, ident, ctx.locale)
    if isinstance(view, MatchError):
        return failed(ctx, view, then)
    if name == "other":
        ctx.data["mentee_id"] = view.mentee.participant_id
        ctx.data["mentee_name"] = who(ctx, view.mentee)
        ctx.data["from"] = ctx.frame.step
        return Goto("alternatives")
    if name == "approve":
        error = await matching.approve(ctx.person.id, ident)
    else:
        error = await matching.reject(ctx.person.id, ident, never=name == "never")
    if error is not None:
        return failed(ctx, error, then)
    ids = ctx.data.get("proposal_ids")
    if isinstance(ids, list) and ident in ids:
        ids.remove(ident)
    ctx.say(f"matching-{name}-done", mentee=who(ctx, view.mentee), mentor=who(ctx, view.mentor))
    return then()


async def _on_proposal(ctx: StepContext, value: JSON) -> Outcome:
    if value in ("previous", "next"):
        return _turn(ctx, "proposal", value, 1)
    return await _decide(ctx, value)


async def _approve_all_view(ctx: StepContext) -> Prompt | MatchError:
    settings = await ctx.services.matching.settings(ctx.person.id, _program_id(ctx))
    if isinstance(settings, MatchError):
        return settings
    choices = [
        Choice("yes", "matching-button-approve-all-yes"),
        Choice("no", "matching-button-approve-all-no"),
    ]
    return Prompt("matching-approve-all-confirm", {"count": settings.open_proposals}, choices)


async def _on_approve_all(ctx: StepContext, value: JSON) -> Outcome:
    if value == "yes":
        result = await ctx.services.matching.approve_all(ctx.person.id, _program_id(ctx))
        if isinstance(result, MatchError):
            return failed(ctx, result)
        approved, skipped = result
        ctx.say("matching-approved-all", approved=approved, skipped=skipped)
    return _return_to(ctx, "card")


# --- mentees without a pair and hand matching -----------------------------------------------------


async def _unmatched_view(ctx: StepContext) -> Prompt | MatchError:
    mentees = await ctx.services.matching.unmatched(ctx.person.id, _program_id(ctx))
    if isinstance(mentees, MatchError):
        return mentees
    offset, paging = _paging(ctx, "unmatched", len(mentees), PAGE_SIZE)
    shown = mentees[offset : offset + PAGE_SIZE]
    choices = [Choice(["mentee", m.participant_id], label=who(ctx, m)) for m in shown]
    return Prompt("matching-unmatched", {"count": len(mentees)}, [*choices, *paging])


async def _on_unmatched(ctx: StepContext, value: JSON) -> Outcome:
    if value in ("previous", "next"):
        return _turn(ctx, "unmatched", value, PAGE_SIZE)
    name, ident = action(value)
    if name != "mentee":
        return Stay()
    mentees = await ctx.services.matching.unmatched(ctx.person.id, _program_id(ctx))
    if isinstance(mentees, MatchError):
        return failed(ctx, mentees)
    mentee = next((m for m in mentees if m.participant_id == ident), None)
    if mentee is None:
        return failed(ctx, MatchError.NOT_READY)
    ctx.data["mentee_id"] = ident
    ctx.data["mentee_name"] = who(ctx, mentee)
    ctx.data["from"] = "unmatched"
    return Goto("alternatives")


async def _alternatives_view(ctx: StepContext) -> Prompt | MatchError:
    mentee_id = int(ctx.data.get("mentee_id") or 0)
    offers = await ctx.services.matching.alternatives(ctx.person.id, mentee_id)
    if isinstance(offers, MatchError):
        return offers
    choices = [
        Choice(
            ["mentor", offer.mentor.participant_id],
            "matching-alternative",
            args={"mentor": who(ctx, offer.mentor), "score": offer.score, "free": offer.free},
        )
        for offer in offers
    ]
    mentee = str(ctx.data.get("mentee_name") or "—")
    return Prompt("matching-alternatives", {"mentee": mentee, "count": len(offers)}, choices)


async def _on_alternative(ctx: StepContext, value: JSON) -> Outcome:
    name, ident = action(value)
    if name != "mentor":
        return Stay()
    moved = await ctx.services.matching.move(
        ctx.person.id, int(ctx.data.get("mentee_id") or 0), ident
    )
    if isinstance(moved, MatchError):
        return failed(ctx, moved)
    ctx.data["proposal_id"] = moved
    ids = ctx.data.get("proposal_ids")
    if isinstance(ids, list):  # listed with the others; the one it replaces drops out
        ids.append(moved)
    return Goto("moved")


async def _moved_view(ctx: StepContext) -> Prompt | MatchError:
    proposal_id = int(ctx.data.get("proposal_id") or 0)
    view = await ctx.services.matching.proposal(ctx.person.id, proposal_id, ctx.locale)
    if isinstance(view, MatchError):
        return view
    choices = [Choice(["approve", view.id], "matching-button-approve")]
    return Prompt("matching-moved", _proposal_args(ctx, view, 1, 1), choices)


async def _on_moved(ctx: StepContext, value: JSON) -> Outcome:
    origin = "proposal" if ctx.data.get("from") == "proposal" else "unmatched"
    return await _decide(ctx, value, then=lambda: _return_to(ctx, origin))


# --- mentors --------------------------------------------------------------------------------------


def _mentor_state(row: MentorRow) -> str:
    if row.approved:
        return "approved"
    return "ready" if row.ready else "pending"


async def _mentors_view(ctx: StepContext) -> Prompt | MatchError:
    rows = await ctx.services.mentors.mentors(ctx.person.id, _program_id(ctx))
    if isinstance(rows, MatchError):
        return rows
    offset, paging = _paging(ctx, "mentors", len(rows), PAGE_SIZE)
    shown = rows[offset : offset + PAGE_SIZE]
    lines = [
        ctx.t(
            "matching-mentor-line",
            name=who(ctx, row.who),
            state=_mentor_state(row),
            load=row.load,
            capacity=row.capacity,
        )
        for row in shown
    ]
    choices = [
        Choice(
            ["mentor", row.who.participant_id],
            "matching-mentor-button",
            args={"name": who(ctx, row.who), "state": _mentor_state(row)},
        )
        for row in shown
    ]
    args = {"count": len(rows), "lines": "\n".join(lines)}
    return Prompt("matching-mentors", args, [*choices, *paging])


async def _on_mentor(ctx: StepContext, value: JSON) -> Outcome:
    if value in ("previous", "next"):
        return _turn(ctx, "mentors", value, PAGE_SIZE)
    name, ident = action(value)
    if name != "mentor":
        return Stay()
    mentors = ctx.services.mentors
    rows = await mentors.mentors(ctx.person.id, _program_id(ctx))
    if isinstance(rows, MatchError):
        return failed(ctx, rows)
    row = next((r for r in rows if r.who.participant_id == ident), None)
    if row is None:
        return failed(ctx, MatchError.NOT_FOUND)
    if not row.approved and not row.ready:
        ctx.say("matching-mentor-not-ready", name=who(ctx, row.who))
        return Stay()
    error = await mentors.set_approved(ctx.person.id, ident, not row.approved)
    if error is not None:
        return failed(ctx, error)
    done = "matching-mentor-unapproved" if row.approved else "matching-mentor-approved"
    ctx.say(done, name=who(ctx, row.who))
    return Stay()


# --- training materials ---------------------------------------------------------------------------


async def _materials_view(ctx: StepContext) -> Prompt | MatchError:
    rows = await ctx.services.mentors.materials(ctx.person.id, _program_id(ctx))
    if isinstance(rows, MatchError):
        return rows
    lines = [
        ctx.t(
            "matching-material-line",
            number=number,
            title=row.title,
            url=row.url or "none",
            file=row.file_name or "none",
        )
        for number, row in enumerate(rows, 1)
    ]
    args = {"count": len(rows), "lines": "\n".join(lines), "program_id": _program_id(ctx)}
    return Prompt("matching-materials", args, [Choice("add", "matching-button-add-link")])


async def _on_materials(ctx: StepContext, value: JSON) -> Outcome:
    return Goto("material_title") if value == "add" else Stay()


def _parse_title(ctx: StepContext, text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise Invalid("matching-material-title-empty")
    return title


def _parse_url(ctx: StepContext, text: str) -> str:
    if not valid_url(text):
        raise Invalid("matching-material-url-invalid")
    return text


async def _add_material(ctx: StepContext, value: JSON) -> Outcome:
    title = str(ctx.data.get("material_title") or "")
    added = await ctx.services.mentors.add_material(
        ctx.person.id, _program_id(ctx), title, url=str(value)
    )
    if added is MatchError.INVALID:
        return Reject("matching-material-url-invalid")
    if isinstance(added, MatchError):
        return failed(ctx, added)
    ctx.data.pop("material_title", None)
    ctx.data.pop("material_url", None)
    ctx.say("matching-material-added", title=title)
    return _return_to(ctx, "materials")


# --- change requests ------------------------------------------------------------------------------


async def _requests_view(ctx: StepContext) -> Prompt | MatchError:
    requests = await ctx.services.matching.change_requests(ctx.person.id, _program_id(ctx))
    if isinstance(requests, MatchError):
        return requests
    if not requests:
        return Prompt("matching-requests-none")
    index, paging = _paging(ctx, "requests", len(requests), 1)
    request = requests[index]
    args = {
        "position": index + 1,
        "total": len(requests),
        "requester": request.requester,
        "role": request.requester_role.value,
        "mentee": who(ctx, request.mentee),
        "mentor": who(ctx, request.mentor),
        "reason": request.reason,
    }
    choices = [
        Choice(["approve", request.id], "matching-button-change-approve"),
        Choice(["decline", request.id], "matching-button-change-decline"),
        *paging,
    ]
    return Prompt("matching-request", args, choices, columns=2)


async def _on_request(ctx: StepContext, value: JSON) -> Outcome:
    if value in ("previous", "next"):
        return _turn(ctx, "requests", value, 1)
    name, ident = action(value)
    if name not in {"approve", "decline"}:
        return Stay()
    error = await ctx.services.matching.decide_change(
        ctx.person.id, ident, approve=name == "approve"
    )
    if error is not None:
        return failed(ctx, error)
    ctx.say(f"matching-change-{name}d")
    return Stay()


# --- settings -------------------------------------------------------------------------------------


async def _settings_view(ctx: StepContext) -> Prompt | MatchError:
    settings = await ctx.services.matching.settings(ctx.person.id, _program_id(ctx))
    if isinstance(settings, MatchError):
        return settings
    other = PairKind.PAIR if settings.pair_kind is PairKind.GROUP else PairKind.GROUP
    choices = [
        Choice("threshold", "matching-button-threshold"),
        Choice(["kind", other.value], f"matching-button-kind-{other.value}"),
    ]
    ctx.data["threshold"] = settings.threshold
    args = {"threshold": settings.threshold, "kind": settings.pair_kind.value}
    return Prompt("matching-settings", args, choices)


async def _on_settings(ctx: StepContext, value: JSON) -> Outcome:
    if value == "threshold":
        return Goto("threshold")
    if not (isinstance(value, list) and len(value) == 2 and value[0] == "kind"):
        return Stay()
    try:
        kind = PairKind(str(value[1]))
    except ValueError:
        return Stay()
    error = await ctx.services.matching.set_pair_kind(ctx.person.id, _program_id(ctx), kind)
    if error is not None:
        return failed(ctx, error)
    ctx.say("matching-kind-set", kind=kind.value)
    return Stay()


def _parse_threshold(ctx: StepContext, text: str) -> int:
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned.isdigit() or not 0 <= int(cleaned) <= 100:
        raise Invalid("matching-threshold-invalid")
    return int(cleaned)


async def _set_threshold(ctx: StepContext, value: JSON) -> Outcome:
    error = await ctx.services.matching.set_threshold(ctx.person.id, _program_id(ctx), int(value))
    if error is MatchError.INVALID:
        return Reject("matching-threshold-invalid")
    if error is not None:
        return failed(ctx, error)
    ctx.say("matching-threshold-set", threshold=int(value))
    return _return_to(ctx, "settings")


def build_matching() -> Dialog:
    """Matching: programs, a program's card and each task it leads to."""
    return Dialog(
        NAME,
        [
            Screen("list", _list_view, _on_list),
            Screen("card", _card_view, _on_card),
            Screen("proposal", _proposal_view, _on_proposal),
            Screen("approve_all", _approve_all_view, _on_approve_all),
            Screen("unmatched", _unmatched_view, _on_unmatched),
            Screen("alternatives", _alternatives_view, _on_alternative),
            Screen("moved", _moved_view, _on_moved),
            Screen("mentors", _mentors_view, _on_mentor),
            Screen("materials", _materials_view, _on_materials),
            TextStep(
                "material_title",
                "matching-material-title",
                parse=_parse_title,
                max_length=TITLE_MAX,
            ),
            TextStep(
                "material_url",
                "matching-material-url",
                parse=_parse_url,
                then=_add_material,
                max_length=URL_MAX,
            ),
            Screen("requests", _requests_view, _on_request),
            Screen("settings", _settings_view, _on_settings),
            TextStep(
                "threshold",
                "matching-threshold",
                parse=_parse_threshold,
                then=_set_threshold,
                max_length=10,
                args=lambda ctx: {"threshold": ctx.data.get("threshold", "—")},
            ),
        ],
    )


def register(registry: DialogRegistry) -> None:
    """Add the matching dialog and its menu entry."""
    registry.add(build_matching())
    registry.menu.append(MenuEntry("menu-matching", NAME, shown_to=curates_or_coordinates))
