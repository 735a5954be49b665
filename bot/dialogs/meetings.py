"""Meetings in chat: the "my meetings" menu, the proposal wizard (date, time, length, kind, place,
topic), the meeting card with the answers that fit its state, and feedback after it.

Notification buttons open the card through links `m<id>` or act at once through
`m<id>_<action>` (yes, no, counter, held, missed, moved, feedback); `mp<pair id>` opens the
proposal wizard for a pair (the nudges' button). Every action is checked by the service against
the person's place in the pair, so a forged payload changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
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
from bot.services import calendar
from bot.services.base import valid_url
from bot.services.matching import in_active_pair
from bot.services.meetings import MeetingDraft, MeetingError, MeetingView, when_args
from storage import (
    ConfirmationResponse,
    HappenedAnswer,
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
)

LIST, CARD, NEW, FEEDBACK = "meetings", "meeting_card", "meeting_new", "meeting_feedback"
ZONE, MISSED = "meeting_zone", "meeting_missed"
LINK_RE = re.compile(r"^m(\d{1,12})(?:_(yes|no|counter|held|missed|moved|feedback))?$")
PROPOSE_RE = re.compile(r"^mp(\d{1,12})$")
DAYS_OFFERED = 14
TIMES_OFFERED = ("15:00", "16:00", "17:00", "18:00", "19:00", "20:00")
DURATIONS = (30, 45, 60, 90)
DATE_RE = re.compile(r"^\s*(\d{1,2})[.\-/](\d{1,2})(?:[.\-/](\d{2,4}))?\s*$")
SKIP = "skip"
HAPPENED = {
    "held": HappenedAnswer.YES,
    "missed": HappenedAnswer.NO,
    "moved": HappenedAnswer.MOVED,
}


def _error(error: MeetingError) -> Reject:
    return Reject(f"meeting-error-{error.value}")


def when_text(ctx: StepContext, moment: datetime, zone: str) -> str:
    """A local moment as the reader reads it: weekday, date, time and the zone's offset."""
    return ctx.t(
        "meeting-when",
        day=moment.strftime("%d.%m.%Y"),
        weekday=moment.isoweekday(),
        time=moment.strftime("%H:%M"),
        zone=zone,
    )


def _when(ctx: StepContext, view: MeetingView) -> str:
    """The meeting's start in the viewer's zone."""
    return when_text(ctx, view.starts_at, view.zone)


# --- the list --------------------------------------------------------------------------------


class ListStep(Step):
    """Upcoming meetings and, per pair, a button to propose one."""

    name = "list"

    async def prompt(self, ctx: StepContext) -> Prompt:
        meetings = ctx.services.meetings
        choices: list[Choice] = []
        for meeting_id in (await meetings.upcoming(ctx.person.id))[:8]:
            view = await meetings.view(ctx.person.id, meeting_id)
            if isinstance(view, MeetingError):
                continue
            label = ctx.t(
                "meetings-item",
                when=_when(ctx, view),
                kind=view.kind.value,
                status=view.status.value,
            )
            choices.append(Choice({"open": meeting_id}, label=label))
        pairs: dict[int, list[str]] = {}
        for pair in await ctx.services.matching.my_pairs(ctx.person.id):
            pairs.setdefault(pair.pair_id, []).append(pair.partner)
        for pair_id, partners in pairs.items():
            choices.append(
                Choice(
                    {"new": pair_id},
                    "meetings-propose-with",
                    args={"partner": ", ".join(partners)},
                )
            )
        zone_name, now = await _zone(ctx), ctx.clock.now()
        choices.append(
            Choice(
                "zone",
                "meetings-zone-button",
                args={"zone": _city(zone_name), "offset": calendar.utc_offset(zone_name, now)},
            )
        )
        choices.append(Choice("menu", "button-to-menu"))
        upcoming = sum(1 for c in choices if isinstance(c.value, dict) and "open" in c.value)
        return Prompt("meetings-list", {"count": upcoming, "pairs": len(pairs)}, choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == "menu":
            return Finish()
        if value == "zone":
            return Push(ZONE)
        if isinstance(value, dict) and "open" in value:
            return Push(CARD, {"meeting_id": int(value["open"])})
        if isinstance(value, dict) and "new" in value:
            return Push(NEW, {"pair_id": int(value["new"]), "mode": "new"})
        return Reject("button-stale")

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        return Stay()


# --- the card --------------------------------------------------------------------------------


def card_args(ctx: StepContext, view: MeetingView) -> dict[str, Any]:
    """The card's text arguments."""
    others = "\n".join(
        ctx.t("meeting-card-answer", name=name, response=response.value)
        for name, response in view.others
    )
    return {
        "program": view.program,
        "kind": view.kind.value,
        "when": _when(ctx, view),
        "reason": view.my_reason or "none",
        "minutes": view.duration_minutes,
        "place": view.place or "none",
        "link": view.online_url or "none",
        "topic": view.topic or "none",
        "status": view.status.value,
        "others": others or "none",
    }


def card_choices(view: MeetingView) -> list[Choice]:
    """What the member may do with the meeting now."""
    choices: list[Choice] = []
    open_states = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)
    if view.status is MeetingStatus.PROPOSED and view.my_response is ConfirmationResponse.PENDING:
        choices += [
            Choice("yes", "meeting-button-confirm"),
            Choice("no", "meeting-button-decline"),
            Choice("counter", "meeting-button-other-time"),
        ]
    elif view.status is MeetingStatus.PROPOSED and view.proposed_by_me:
        choices.append(Choice("counter", "meeting-button-change"))
    if view.status is MeetingStatus.CONFIRMED and not view.ended:
        choices.append(Choice("reschedule", "meeting-button-reschedule"))
    if view.status in open_states and not view.ended:
        choices.append(Choice("cancel", "meeting-button-cancel"))
    if (
        view.ended
        and view.my_happened is None
        and view.status
        in (
            MeetingStatus.CONFIRMED,
            MeetingStatus.HELD,
            MeetingStatus.MISSED,
        )
    ):
        choices += [
            Choice("held", "meeting-button-happened-yes"),
            Choice("missed", "meeting-button-happened-no"),
            Choice("moved", "meeting-button-happened-moved"),
        ]
    if view.my_happened is HappenedAnswer.YES and not view.feedback_given:
        choices.append(Choice("feedback", "meeting-button-feedback"))
    if view.status is MeetingStatus.HELD:
        choices.append(Choice("goals", "meeting-button-goals"))
    choices.append(Choice("close", "meeting-button-close"))
    return choices


async def _rate(ctx: StepContext, meeting_id: int) -> Outcome:
    """The rating questions, unless the link is to another person's meeting, one the person did
    not say happened, or one rated already: then nothing is asked."""
    error = await ctx.services.meetings.feedback_due(ctx.person.id, meeting_id)
    if error is not None:
        return _error(error)
    return Push(FEEDBACK, {"meeting_id": meeting_id})


async def act(ctx: StepContext, meeting_id: int, action: str) -> Outcome | None:
    """Carry out a card action; an outcome when it leads elsewhere, None to show the card."""
    meetings = ctx.services.meetings
    person = ctx.person.id
    match action:
        case "yes" | "no":
            status = await meetings.answer(person, meeting_id, confirm=action == "yes")
            if isinstance(status, MeetingError):
                return _error(status)
            ctx.say("meeting-answered", status=status.value, confirm=str(action == "yes"))
        case "cancel":
            error = await meetings.cancel(person, meeting_id)
            if error is not None:
                return _error(error)
            ctx.say("meeting-cancelled-by-me")
        case "counter" | "reschedule" | "goals":
            view = await meetings.view(person, meeting_id)
            if isinstance(view, MeetingError):
                return _error(view)
            if action == "goals":
                return Push(GOALS, {"pair_id": view.pair_id, "meeting_id": meeting_id})
            return Push(
                NEW,
                {"pair_id": view.pair_id, "mode": action, "meeting_id": meeting_id},
            )
        case "held" | "missed" | "moved":
            status = await meetings.happened(person, meeting_id, HAPPENED[action])
            if isinstance(status, MeetingError):
                return _error(status)
            if action == "held":
                return Push(FEEDBACK, {"meeting_id": meeting_id})
            return Push(MISSED, {"meeting_id": meeting_id, "moved": action == "moved"})
        case "feedback":
            return await _rate(ctx, meeting_id)
        case _:
            return Reject("button-stale")
    return None


class CardStep(Step):
    """One meeting with the answers that fit its state."""

    name = "card"

    async def prompt(self, ctx: StepContext) -> Prompt:
        view = await ctx.services.meetings.view(ctx.person.id, int(ctx.args["meeting_id"]))
        if isinstance(view, MeetingError):
            return Prompt("meeting-error-not_found", {}, [Choice("close", "meeting-button-close")])
        return Prompt("meeting-card", card_args(ctx, view), card_choices(view))

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == "close":
            return Finish()
        outcome = await act(ctx, int(ctx.args["meeting_id"]), str(value))
        return Stay() if outcome is None else outcome

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        if isinstance(result, dict) and "meeting_id" in result:
            # A counter-proposal or a move replaced the meeting: show the new one.
            ctx.args["meeting_id"] = int(result["meeting_id"])
        return Stay()


async def meeting_link(ctx: StepContext, payload: str) -> Outcome | None:
    """`m<id>` opens the card; `m<id>_<action>` acts first (buttons of notifications);
    `mp<pair id>` proposes a meeting to the pair."""
    propose = PROPOSE_RE.match(payload)
    if propose is not None:
        pair_id = int(propose.group(1))
        if pair_id not in {p.pair_id for p in await ctx.services.matching.my_pairs(ctx.person.id)}:
            ctx.say("meeting-error-not_found")
            return Stay()
        return Push(NEW, {"pair_id": pair_id, "mode": "new"})
    found = LINK_RE.match(payload)
    if found is None:
        return None
    meeting_id, action = int(found.group(1)), found.group(2)
    if action is not None:
        outcome = await act(ctx, meeting_id, action)
        if isinstance(outcome, Reject):
            ctx.say(outcome.text_id, **outcome.args)
        elif outcome is not None:
            return outcome
    return Push(CARD, {"meeting_id": meeting_id})


# --- the proposal wizard ---------------------------------------------------------------------


async def _zone(ctx: StepContext) -> str:
    return await ctx.services.meetings.zone_of(ctx.person)


def parse_day(today: date, text: str) -> date:
    """ "5.12", "05.12.2026" or "5-12-26": the next such day from today."""
    found = DATE_RE.match(text)
    if found is None:
        raise Invalid("meeting-date-invalid")
    day, month, year = int(found.group(1)), int(found.group(2)), found.group(3)
    try:
        if year is None:
            chosen = date(today.year, month, day)
            if chosen < today:
                chosen = date(today.year + 1, month, day)
        else:
            full = int(year) + (2000 if len(year) == 2 else 0)
            chosen = date(full, month, day)
    except ValueError:
        raise Invalid("meeting-date-invalid") from None
    if chosen < today:
        raise Invalid("meeting-error-past")
    return chosen


class DayStep(Step):
    """The next two weeks as buttons (in the person's zone), or a typed date."""

    name = "day"

    async def prompt(self, ctx: StepContext) -> Prompt:
        today = calendar.local(ctx.clock.now(), await _zone(ctx)).date()
        choices = [
            Choice(
                (today + timedelta(days=n)).isoformat(),
                "meeting-day-button",
                args={
                    "weekday": (today + timedelta(days=n)).isoweekday(),
                    "day": (today + timedelta(days=n)).strftime("%d.%m"),
                    "offset": n,
                },
            )
            for n in range(DAYS_OFFERED)
        ]
        return Prompt("meeting-ask-day", {}, choices, accepts_text=True, columns=2)

    async def on_text(self, ctx: StepContext, text: str) -> Outcome:
        today = calendar.local(ctx.clock.now(), await _zone(ctx)).date()
        try:
            chosen = parse_day(today, text)
        except Invalid as error:
            return Reject(error.text_id, error.params)
        ctx.data["day"] = chosen.isoformat()
        return Goto("time")

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        ctx.data["day"] = str(value)
        return Goto("time")


def _parse_time(ctx: StepContext, text: str) -> JSON:
    at = calendar.parse_time(text)
    if at is None:
        raise Invalid("meeting-time-invalid")
    return at.strftime("%H:%M")


async def _time_chosen(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["time"] = str(value)
    return await _check_future(ctx)


async def _check_future(ctx: StepContext, value: JSON = None) -> Outcome:
    starts = await _starts_at(ctx)
    if starts <= ctx.clock.now():
        return Reject("meeting-error-past")
    return Goto("minutes")


async def _starts_at(ctx: StepContext) -> datetime:
    day = date.fromisoformat(str(ctx.data["day"]))
    hours, minutes = (int(part) for part in str(ctx.data["time"]).split(":"))
    return calendar.to_utc(day, time(hours, minutes), await _zone(ctx))


def _skip_choice(ctx: StepContext) -> Sequence[Choice]:
    return [Choice(SKIP, "button-skip")]


async def _skip_place(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["place"] = None
    return Goto("topic")


async def _skip_topic(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["topic"] = None
    return Goto("review")


def _parse_place(ctx: StepContext, text: str) -> JSON:
    if not text:
        raise Invalid("meeting-place-invalid")
    return text


def _parse_topic(ctx: StepContext, text: str) -> JSON:
    if not text:
        raise Invalid("meeting-topic-invalid")
    return text


async def _kinds(ctx: StepContext) -> Sequence[Choice]:
    suggested = await ctx.services.meetings.suggest_kind(int(ctx.args["pair_id"]))
    ordered = [suggested, *(kind for kind in MeetingKind if kind is not suggested)]
    return [
        Choice(
            kind.value,
            "meeting-kind-button",
            args={"kind": kind.value, "suggested": str(kind is suggested)},
        )
        for kind in ordered
    ]


async def _review_args(ctx: StepContext) -> Mapping[str, Any]:
    zone_name = await _zone(ctx)
    starts = await _starts_at(ctx)
    place = ctx.data.get("place")
    return {
        **when_args(starts, zone_name),
        "kind": ctx.data.get("kind", MeetingKind.REGULAR.value),
        "minutes": ctx.data.get("minutes", 60),
        "place": place if place and not valid_url(place) else "none",
        "link": place if place and valid_url(place) else "none",
        "topic": ctx.data.get("topic") or "none",
        "mode": ctx.args.get("mode", "new"),
    }


async def _send(ctx: StepContext, value: JSON) -> Outcome:
    place = ctx.data.get("place")
    link = place if place and valid_url(place) else None
    draft = MeetingDraft(
        kind=MeetingKind(ctx.data.get("kind", MeetingKind.REGULAR.value)),
        starts_at=await _starts_at(ctx),
        duration_minutes=int(ctx.data.get("minutes", 60)),
        place=None if link else place,
        online_url=link,
        topic=ctx.data.get("topic"),
    )
    meetings = ctx.services.meetings
    mode = ctx.args.get("mode", "new")
    person = ctx.person.id
    if mode == "counter":
        result = await meetings.counter(person, int(ctx.args["meeting_id"]), draft)
    elif mode == "reschedule":
        result = await meetings.reschedule(person, int(ctx.args["meeting_id"]), draft)
    else:
        result = await meetings.propose(person, int(ctx.args["pair_id"]), draft)
    if isinstance(result, MeetingError):
        return _error(result)
    ctx.say("meeting-sent", mode=mode)
    return Finish({"meeting_id": result})


def build_new() -> Dialog:
    """Date, time, length, kind, place, topic, then a review and Send."""
    return Dialog(
        NEW,
        [
            DayStep(),
            TextStep(
                "time",
                "meeting-ask-time",
                parse=_parse_time,
                choices=[Choice(value, label=value) for value in TIMES_OFFERED],
                on_choice=_time_chosen,
                then=_check_future,
                max_length=20,
            ),
            ChoiceStep(
                "minutes",
                "meeting-ask-minutes",
                [Choice(m, "meeting-minutes-button", args={"minutes": m}) for m in DURATIONS],
                columns=4,
            ),
            ChoiceStep("kind", "meeting-ask-kind", _kinds),
            TextStep(
                "place",
                "meeting-ask-place",
                parse=_parse_place,
                choices=_skip_choice,
                on_choice=_skip_place,
                max_length=200,
            ),
            TextStep(
                "topic",
                "meeting-ask-topic",
                parse=_parse_topic,
                choices=_skip_choice,
                on_choice=_skip_topic,
                max_length=500,
            ),
            ChoiceStep(
                "review",
                "meeting-review",
                [Choice("send", "meeting-button-send")],
                then=_send,
                args=_review_args,
            ),
        ],
    )


# --- feedback --------------------------------------------------------------------------------


async def _after_comment(ctx: StepContext, value: JSON) -> Outcome:
    view = await ctx.services.meetings.view(ctx.person.id, int(ctx.args["meeting_id"]))
    if not isinstance(view, MeetingError) and view.my_role is ParticipantRole.MENTOR:
        return Goto("result")
    return await _save_feedback(ctx)


async def _skip_done(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["done"] = None
    return Goto("comment")


async def _skip_comment(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["comment"] = None
    return await _after_comment(ctx, value)


async def _skip_result(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["result"] = None
    return await _save_feedback(ctx)


async def _result_typed(ctx: StepContext, value: JSON) -> Outcome:
    return await _save_feedback(ctx)


async def _save_feedback(ctx: StepContext, value: JSON = None) -> Outcome:
    error = await ctx.services.meetings.feedback(
        ctx.person.id,
        int(ctx.args["meeting_id"]),
        rating=int(ctx.data["rating"]),
        done=ctx.data.get("done"),
        comment=ctx.data.get("comment"),
        result=ctx.data.get("result"),
    )
    if error is not None:
        return _error(error)
    ctx.say("meeting-feedback-thanks")
    view = await ctx.services.meetings.view(ctx.person.id, int(ctx.args["meeting_id"]))
    if not isinstance(view, MeetingError) and view.kind is MeetingKind.PLANNING:
        return Goto("goals")
    return Finish({"feedback": True})


class GoalsOffer(Step):
    """After the planning meeting's feedback: record the pair's goals now or later."""

    name = "goals"

    async def prompt(self, ctx: StepContext) -> Prompt:
        return Prompt(
            "meeting-goals-offer",
            choices=[
                Choice("goals", "meeting-button-goals-now"),
                Choice("later", "meeting-button-later"),
            ],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == "later":
            return Finish({"feedback": True})
        if value != "goals":
            return Reject("button-stale")
        view = await ctx.services.meetings.view(ctx.person.id, int(ctx.args["meeting_id"]))
        if isinstance(view, MeetingError):
            return _error(view)
        return Push(GOALS, {"pair_id": view.pair_id, "meeting_id": view.id})

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        return Finish({"feedback": True})


def _text(ctx: StepContext, text: str) -> JSON:
    if not text:
        raise Invalid("input-text-expected")
    return text


def build_feedback() -> Dialog:
    """Rating, what was done, a comment; the mentor may add an intermediate result."""
    return Dialog(
        FEEDBACK,
        [
            ChoiceStep(
                "rating",
                "meeting-ask-rating",
                [Choice(n, label=str(n)) for n in range(1, 6)],
                columns=5,
            ),
            TextStep(
                "done",
                "meeting-ask-done",
                parse=_text,
                choices=_skip_choice,
                on_choice=_skip_done,
                max_length=2000,
            ),
            TextStep(
                "comment",
                "meeting-ask-comment",
                parse=_text,
                choices=_skip_choice,
                on_choice=_skip_comment,
                then=_after_comment,
                max_length=2000,
            ),
            TextStep(
                "result",
                "meeting-ask-result",
                parse=_text,
                choices=_skip_choice,
                on_choice=_skip_result,
                then=_result_typed,
                max_length=2000,
            ),
            GoalsOffer(),
        ],
    )


# --- "it did not happen" -----------------------------------------------------------------------


async def _reason_typed(ctx: StepContext, value: JSON) -> Outcome:
    error = await ctx.services.meetings.missed_reason(
        ctx.person.id, int(ctx.args["meeting_id"]), str(value)
    )
    if error is not None:
        return _error(error)
    ctx.say("meeting-reason-thanks")
    return Goto("again")


async def _skip_reason(ctx: StepContext, value: JSON) -> Outcome:
    return Goto("again")


class AgainStep(Step):
    """Offer to agree on a new time right away."""

    name = "again"

    async def prompt(self, ctx: StepContext) -> Prompt:
        return Prompt(
            "meeting-offer-again",
            choices=[
                Choice("new", "meeting-button-new-time"),
                Choice("later", "meeting-button-later"),
            ],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        if value == "later":
            return Finish()
        if value != "new":
            return Reject("button-stale")
        view = await ctx.services.meetings.view(ctx.person.id, int(ctx.args["meeting_id"]))
        if isinstance(view, MeetingError):
            return _error(view)
        return Push(NEW, {"pair_id": view.pair_id, "mode": "new"})

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        return Finish(result)


def build_missed() -> Dialog:
    """The reason it did not happen (may be skipped), then an offer to propose a new time."""
    return Dialog(
        MISSED,
        [
            TextStep(
                "reason",
                "meeting-ask-reason",
                parse=_text,
                choices=_skip_choice,
                on_choice=_skip_reason,
                then=_reason_typed,
                max_length=2000,
                args=lambda ctx: {"moved": str(bool(ctx.args.get("moved")))},
            ),
            AgainStep(),
        ],
    )


def _city(zone_name: str) -> str:
    """The zone's key in the texts: "Asia/Vladivostok" → "vladivostok"."""
    return zone_name.rsplit("/", 1)[-1].lower()


async def _zones(ctx: StepContext) -> Sequence[Choice]:
    now = ctx.clock.now()
    return [
        Choice(
            name,
            "meetings-zone-option",
            args={"zone": _city(name), "offset": calendar.utc_offset(name, now)},
        )
        for name in calendar.ZONES
    ]


async def _zone_chosen(ctx: StepContext, value: JSON) -> Outcome:
    error = await ctx.services.meetings.set_zone(ctx.person.id, str(value))
    if error is not None:
        return _error(error)
    ctx.say("meetings-zone-saved", zone=_city(str(value)))
    return Finish()


def register(registry: DialogRegistry) -> None:
    """The meetings dialogs, their menu entry and the links of notification buttons."""
    registry.add(Dialog(LIST, [ListStep()]))
    registry.add(Dialog(CARD, [CardStep()]))
    registry.add(build_new())
    registry.add(build_feedback())
    registry.add(build_missed())
    registry.add(Dialog(ZONE, [ChoiceStep("zone", "meetings-ask-zone", _zones, then=_zone_chosen)]))
    registry.menu.append(MenuEntry("menu-meetings", LIST, shown_to=in_active_pair))
    registry.links.append(meeting_link)
