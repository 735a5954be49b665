"""After an invite link: consent, profile, parental consent, then the questionnaire.

Also the parent's side of a consent link, /consents (revocation), /privacy and /delete_me.
Every step reads what it shows from the enrolment service, so a person who leaves halfway and
comes back (from the my-participation menu entry, in either messenger) continues where they stopped.
A consent decision stores the SHA-256 of the exact text the step showed, remembered at render.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
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
from bot.services.enrolment import (
    LINK_PREFIX,
    PARENT_TEXT,
    PROFILE_FIELDS,
    SELF_TEXT,
    ConsentNeed,
    Enrolment,
    GivenConsent,
    LinkStatus,
    Next,
    ParentLink,
    ParentRequest,
    PrivacyReport,
    RevokeStatus,
    decided_a_consent,
    has_unready_participation,
    text_hash,
)
from storage import ConsentRelation, ConsentStatus

NAME = "onboarding"
PARENT = "parent_consent"
CONSENTS = "consents"
PRIVACY = "privacy"
DELETE_ME = "delete_me"
QUESTIONNAIRE = "questionnaire"
HOME = "home"
ERASED = "erased"  # the result of /delete_me once the data are gone
NONE = "none"  # a Fluent selector's value for "not known"

TO_MENU = Choice("menu", "button-to-menu")
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '.\-][^\W\d_]+)*\.?$")
DATE_RE = re.compile(r"^(\d{1,2})[./\-\s]+(\d{1,2})[./\-\s]+(\d{4})$")
# The Russian word for "class" and its abbreviation, which people add after the grade.
CLASS_WORDS = "\u043a\u043b\u0430\u0441\u0441|\u043a\u043b\\.?"
# A year 1..11 and an optional letter: "6B", "6 b", "6-B", "10 <<A>>", "11", plus CLASS_WORDS.
GRADE_RE = re.compile(
    rf"^(1[01]|[1-9])\s*[-–«\"']?\s*([^\W\d_])?\s*[»\"']?\s*(?:{CLASS_WORDS})?$", re.IGNORECASE
)
# Which text explains a consent link that cannot be used.
LINK_TEXTS: Mapping[LinkStatus, str] = {
    LinkStatus.UNKNOWN: "consent-link-unknown",
    LinkStatus.EXPIRED: "consent-link-expired",
    LinkStatus.USED: "consent-link-used",
    LinkStatus.OWN: "consent-link-own",
    LinkStatus.CLOSED: "consent-link-closed",
}
FIELD_TEXTS: Mapping[str, str] = {
    "full_name": "onboarding-ask-full-name",
    "grade": "onboarding-ask-grade",
    "birth_date": "onboarding-ask-birth-date",
    "subject": "onboarding-ask-subject",
    "position": "onboarding-ask-position",
    "workplace": "onboarding-ask-workplace",
    "occupation": "onboarding-ask-occupation",
}


# --- parsing -------------------------------------------------------------------------------------


def parse_full_name(text: str) -> str:
    """A name and a surname (at least two words of letters), 3–120 characters."""
    name = " ".join(text.split())
    if not 3 <= len(name) <= 120 or not NAME_RE.match(name) or " " not in name:
        raise Invalid("onboarding-name-invalid")
    return name


def parse_birth_date(text: str, *, today: date) -> date:
    """A birth date as DD.MM.YYYY (dots, dashes, slashes or spaces), 5 to 100 years ago."""
    match = DATE_RE.match(text.strip())
    if match is None:
        raise Invalid("onboarding-birth-date-invalid")
    day, month, year = (int(part) for part in match.groups())
    try:
        born = date(year, month, day)
    except ValueError:
        raise Invalid("onboarding-birth-date-invalid") from None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not 5 <= age <= 100:
        raise Invalid("onboarding-birth-date-out-of-range")
    return born


def parse_grade(text: str) -> str:
    """A school class: a year 1-11 and maybe a letter, in quotes or with the word for "class"
    after it, in any case and spacing; stored as the year and the upper-case letter."""
    match = GRADE_RE.match(" ".join(text.split()))
    if match is None:
        raise Invalid("onboarding-grade-invalid")
    number, letter = match.groups()
    return f"{number}{(letter or '').upper()}"


def parse_text(text: str) -> str:
    """A short free answer (a subject, a position): some letters, at most 200 characters."""
    value = " ".join(text.split())
    if len(value) < 2 or not any(char.isalpha() for char in value):
        raise Invalid("onboarding-text-invalid")
    return value


PARSERS: Mapping[str, Callable[[StepContext, str], JSON]] = {
    "full_name": lambda ctx, text: parse_full_name(text),
    "grade": lambda ctx, text: parse_grade(text),
    "birth_date": lambda ctx, text: parse_birth_date(
        text, today=ctx.clock.now().date()
    ).isoformat(),
    "subject": lambda ctx, text: parse_text(text),
    "position": lambda ctx, text: parse_text(text),
    "workplace": lambda ctx, text: parse_text(text),
    "occupation": lambda ctx, text: parse_text(text),
}


# --- shared helpers ------------------------------------------------------------------------------


class View(Step):
    """A step whose whole prompt (its text id too) is computed; taps, text and sub-dialog
    results go to the given functions."""

    def __init__(
        self,
        name: str,
        show: Callable[[StepContext], Awaitable[Prompt]],
        *,
        choose: Callable[[StepContext, JSON], Awaitable[Outcome]] | None = None,
        typed: Callable[[StepContext, str], Awaitable[Outcome]] | None = None,
        result: Callable[[StepContext, JSON], Awaitable[Outcome]] | None = None,
    ) -> None:
        self.name = name
        self._show = show
        self._choose = choose
        self._typed = typed
        self._result = result

    async def prompt(self, ctx: StepContext) -> Prompt:
        """What the function computes."""
        return await self._show(ctx)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A button of this step."""
        if self._choose is None:
            return await super().on_choice(ctx, value)
        return await self._choose(ctx, value)

    async def on_text(self, ctx: StepContext, text: str) -> Outcome:
        """Typed text; a parser's Invalid becomes the explanation."""
        if self._typed is None:
            return await super().on_text(ctx, text)
        try:
            return await self._typed(ctx, text.strip())
        except Invalid as error:
            return Reject(error.text_id, error.params)

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        """A sub-dialog's result."""
        if self._result is None:
            return await super().on_result(ctx, result)
        return await self._result(ctx, result)


def _remember(ctx: StepContext, prompt: Prompt) -> Prompt:
    """Keep the hash of the exact text this prompt shows, for the decision taken on it."""
    ctx.data["text_hash"] = text_hash(ctx.t(prompt.text_id, **prompt.args))
    return prompt


def _jump(ctx: StepContext, step: str) -> Outcome:
    """Show `step` with no way Back into what was decided before it."""
    ctx.frame.history.clear()
    ctx.frame.step = step
    return Stay()


async def _to_menu(ctx: StepContext, value: JSON) -> Outcome:
    return Finish()


def _day(moment: date | datetime) -> str:
    return moment.strftime("%d.%m.%Y")


def _child(ctx: StepContext, name: str | None, grade: str | None) -> str:
    if name is None:
        return ctx.t("consents-erased")
    return f"{name} ({grade})" if grade else name


# --- onboarding ----------------------------------------------------------------------------------


def _pid(ctx: StepContext) -> int | None:
    value = ctx.data.get("participant_id", ctx.args.get("participant_id"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def _enrolment(ctx: StepContext) -> Enrolment | None:
    pid = _pid(ctx)
    return None if pid is None else await ctx.services.enrolment.enrolment(ctx.person.id, pid)


def _about(e: Enrolment) -> dict[str, Any]:
    return {
        "program": e.program,
        "organization": e.organization,
        "role": e.role.value,
        "about": f"\n\n{e.description.strip()}" if e.description else "",
    }


def _links(ctx: StepContext, link: ParentLink) -> str:
    lines = []
    if link.telegram:
        lines.append(ctx.t("onboarding-link-telegram", url=link.telegram))
    if link.vk:
        lines.append(ctx.t("onboarding-link-vk", url=link.vk))
    lines.append(ctx.t("onboarding-link-token", token=link.token))
    return "\n".join(lines)


def _term(ends_on: date | None) -> str:
    return _day(ends_on) if ends_on else NONE


class Onboarding:
    """The onboarding dialog: overview («home»), own consent, profile, parent link,
    questionnaire. Bound to the registry to know whether a questionnaire dialog exists."""

    def __init__(self, registry: DialogRegistry) -> None:
        self.registry = registry

    def dialog(self) -> Dialog:
        """The steps (args: participant_id; without it, the person's open participations)."""
        return Dialog(
            NAME,
            [
                View(HOME, self.home, choose=self.on_home),
                View("consent", self.consent, choose=self.on_consent),
                *(
                    TextStep(
                        field,
                        text_id,
                        parse=PARSERS[field],
                        key="typed",
                        then=self._save(field),
                        max_length=200,
                    )
                    for field, text_id in FIELD_TEXTS.items()
                ),
                View(
                    QUESTIONNAIRE,
                    self.questionnaire,
                    choose=self.on_questionnaire,
                    result=self.on_questionnaire_result,
                ),
            ],
        )

    # --- where to go next ------------------------------------------------------------------

    async def advance(self, ctx: StepContext) -> Outcome:
        """The step the stored data call for next."""
        e = await _enrolment(ctx)
        if e is None:
            return _jump(ctx, HOME)
        service = ctx.services.enrolment
        if e.next is Next.OWN_CONSENT:
            # Back from the consent leads to the overview, never into the answers it rests on.
            ctx.frame.history.clear()
            ctx.frame.step = HOME
            return Goto("consent")
        if e.next is Next.PARENT_CONSENT:
            await service.request_parent_consent(ctx.person.id, e.participant_id)
            policy = ctx.services.policy
            ctx.say(
                "onboarding-parent-needed",
                need=(e.need or ConsentNeed.PARENT).value,
                self_age=policy.self_consent_age,
                adult_age=policy.adult_age,
            )
            return _jump(ctx, HOME)
        if e.next is Next.QUESTIONNAIRE and QUESTIONNAIRE in self.registry:
            _jump(ctx, QUESTIONNAIRE)
            return Push(QUESTIONNAIRE, {"participant_id": e.participant_id})
        if e.next in (Next.QUESTIONNAIRE, Next.COMPLETE):
            # Until a questionnaire dialog is registered, the questionnaire counts as done.
            return await self.complete(ctx, questionnaire_done=e.next is Next.COMPLETE)
        if e.next.value in FIELD_TEXTS:
            return Goto(e.next.value)
        return _jump(ctx, HOME)

    async def complete(self, ctx: StepContext, *, questionnaire_done: bool) -> Outcome:
        """Ready: the curators are told, the person is back in the menu."""
        pid = _pid(ctx)
        assert pid is not None
        e = await ctx.services.enrolment.complete(
            ctx.person.id, pid, questionnaire_done=questionnaire_done
        )
        if e.next is not Next.READY:
            return _jump(ctx, HOME)
        ctx.say("onboarding-done", program=e.program)
        return Finish()

    # --- the overview ----------------------------------------------------------------------

    async def home(self, ctx: StepContext) -> Prompt:
        """Greeting, or the status of a participation that waits, ended or is done."""
        service = ctx.services.enrolment
        if _pid(ctx) is None:
            open_ = await service.not_ready(ctx.person.id)
            if not open_:
                return Prompt("onboarding-nothing", choices=[TO_MENU])
            if len(open_) > 1:
                options = [
                    Choice(
                        e.participant_id,
                        "onboarding-choice",
                        args={"program": e.program, "role": e.role.value},
                    )
                    for e in open_
                ]
                return Prompt("onboarding-choose", choices=[*options, TO_MENU])
            ctx.data["participant_id"] = open_[0].participant_id
        e = await _enrolment(ctx)
        if e is None:
            return Prompt("onboarding-not-yours", choices=[TO_MENU])
        args = _about(e)
        if e.next is Next.WAITING:
            link = await service.parent_link(ctx.person.id, e.participant_id)
            ctx.say(
                "onboarding-forward",
                child=e.full_name or "—",
                links=_links(ctx, link),
                until=_day(link.last_day),
                **args,
            )
            renew = Choice("renew", "onboarding-button-renew")
            return Prompt("onboarding-waiting", args, [renew, TO_MENU])
        if e.next is Next.DECLINED:
            who = "parent" if e.parent is ConsentStatus.REFUSED else "self"
            rejoin = Choice("rejoin", "onboarding-button-rejoin")
            return Prompt("onboarding-declined", {**args, "who": who}, [rejoin, TO_MENU])
        if e.next is Next.READY:
            return Prompt("onboarding-ready", args, [TO_MENU])
        if e.next is Next.GONE:
            return Prompt("onboarding-gone", args, [TO_MENU])
        started = e.own is not None or len(e.missing) < len(PROFILE_FIELDS[e.kind])
        start = Choice(
            "start", "onboarding-button-continue" if started else "onboarding-button-start"
        )
        args["resumed"] = "yes" if started else "no"
        return Prompt("onboarding-welcome", args, [start, TO_MENU])

    async def on_home(self, ctx: StepContext, value: JSON) -> Outcome:
        """Choose a participation, start or continue, come back, or get a new parent link."""
        service = ctx.services.enrolment
        if isinstance(value, int) and not isinstance(value, bool):
            if any(e.participant_id == value for e in await service.not_ready(ctx.person.id)):
                ctx.data["participant_id"] = value
            return Stay()
        e = await _enrolment(ctx)
        if value == "menu" or e is None:
            return Finish()
        if value == "start" and e.next not in (Next.WAITING, Next.DECLINED, Next.GONE):
            await service.begin(ctx.person.id, e.participant_id)
            return await self.advance(ctx)
        if value == "rejoin" and e.next is Next.DECLINED:
            await service.rejoin(ctx.person.id, e.participant_id)
            return await self.advance(ctx)
        if value == "renew" and e.next is Next.WAITING:
            await service.parent_link(ctx.person.id, e.participant_id, renew=True)
            ctx.say("onboarding-link-renewed")
        return Stay()

    # --- own consent -----------------------------------------------------------------------

    async def consent(self, ctx: StepContext) -> Prompt:
        """The versioned consent text (SELF_TEXT), Agree / Refuse."""
        e = await _enrolment(ctx)
        if e is None:
            return Prompt("onboarding-not-yours", choices=[TO_MENU])
        args = {**_about(e), "kind": e.kind.value, "ends": _term(e.ends_on)}
        del args["about"]
        choices = [
            Choice("agree", "consent-button-agree"),
            Choice("refuse", "consent-button-refuse"),
        ]
        return _remember(ctx, Prompt(SELF_TEXT.text_id, args, choices))

    async def on_consent(self, ctx: StepContext, value: JSON) -> Outcome:
        """Record the decision; refusing declines the participation."""
        e = await _enrolment(ctx)
        shown = ctx.data.pop("text_hash", None)
        if e is None or value not in ("agree", "refuse") or not isinstance(shown, str):
            return Finish()
        if e.next is not Next.OWN_CONSENT:
            return await self.advance(ctx)
        e = await ctx.services.enrolment.decide_own(
            ctx.person.id,
            e.participant_id,
            granted=value == "agree",
            account_id=ctx.account.id,
            channel=ctx.account.channel,
            text_hash=shown,
        )
        if e.next is Next.DECLINED:
            ctx.say("onboarding-declined-now", program=e.program)
            return Finish()
        ctx.say("onboarding-consent-thanks")
        return await self.advance(ctx)

    # --- profile ---------------------------------------------------------------------------

    def _save(self, field: str) -> Callable[[StepContext, JSON], Awaitable[Outcome]]:
        async def save(ctx: StepContext, value: JSON) -> Outcome:
            ctx.data.pop("typed", None)  # stored on the person, not kept in the dialog state
            pid = _pid(ctx)
            if pid is None:
                return Finish()
            stored = date.fromisoformat(value) if field == "birth_date" else str(value)
            try:
                await ctx.services.enrolment.save_profile(ctx.person.id, pid, field, stored)
            except (LookupError, ValueError):
                # Not theirs, or no longer asked (e.g. the birth date once a consent exists).
                return _jump(ctx, HOME)
            return await self.advance(ctx)

        return save

    # --- questionnaire ---------------------------------------------------------------------

    async def questionnaire(self, ctx: StepContext) -> Prompt:
        """Shown when the person steps back out of the questionnaire."""
        e = await _enrolment(ctx)
        if e is None:
            return Prompt("onboarding-not-yours", choices=[TO_MENU])
        go_on = Choice("continue", "onboarding-button-questionnaire")
        return Prompt("onboarding-questionnaire-paused", _about(e), [go_on, TO_MENU])

    async def on_questionnaire(self, ctx: StepContext, value: JSON) -> Outcome:
        """Continue the questionnaire, or leave it for later."""
        if value == "continue":
            return await self.advance(ctx)
        return Finish()

    async def on_questionnaire_result(self, ctx: StepContext, result: JSON) -> Outcome:
        """The questionnaire confirmed: the participant is ready. `done: False` means it cannot
        be filled (the questionnaire dialog has said why): back to the menu, nothing changes."""
        if isinstance(result, Mapping) and result.get("done") is True:
            return await self.complete(ctx, questionnaire_done=True)
        return Finish()


# --- a parent opening a consent link --------------------------------------------------------------


def _token(ctx: StepContext) -> str:
    return str(ctx.args.get("token") or "")


async def _request(ctx: StepContext) -> ParentRequest:
    return await ctx.services.enrolment.parent_request(_token(ctx), ctx.person.id)


def _link_problem(request: ParentRequest) -> Prompt:
    return Prompt(LINK_TEXTS[request.status], choices=[TO_MENU])


async def _parent_read(ctx: StepContext) -> Prompt:
    """Who asks, for what, the data, the term, how to revoke — then the parent types a name."""
    request = await _request(ctx)
    if request.status is not LinkStatus.VALID:
        return _link_problem(request)
    args = {
        "child": request.child or "—",
        "grade": request.grade or NONE,
        "program": request.program or "",
        "organization": request.organization or "",
        "role": request.role.value if request.role else NONE,
        "ends": _term(request.ends_on),
    }
    refuse = Choice("refuse", "consent-button-refuse")
    return _remember(ctx, Prompt(PARENT_TEXT.text_id, args, [refuse], accepts_text=True))


async def _parent_signed(ctx: StepContext, text: str) -> Outcome:
    # The buttons' words typed instead of tapped are answers, not a signature.
    typed = text.casefold()
    if typed == ctx.t("consent-button-refuse").casefold():
        return await _parent_decide(ctx, granted=False)
    if typed == ctx.t("consent-button-agree").casefold():
        return Reject("consent-parent-name-needed")
    ctx.data["signer"] = parse_full_name(text)
    return Goto("confirm")


async def _on_parent_read(ctx: StepContext, value: JSON) -> Outcome:
    if value == "refuse":
        return await _parent_decide(ctx, granted=False)
    return Finish()


async def _parent_confirm(ctx: StepContext) -> Prompt:
    request = await _request(ctx)
    if request.status is not LinkStatus.VALID:
        return _link_problem(request)
    args = {"signer": str(ctx.data.get("signer") or ""), "child": request.child or "—"}
    choices = [
        Choice("agree", "consent-button-agree"),
        Choice("refuse", "consent-button-refuse"),
    ]
    return Prompt("consent-parent-confirm", args, choices)


async def _on_parent_confirm(ctx: StepContext, value: JSON) -> Outcome:
    if value in ("agree", "refuse"):
        return await _parent_decide(ctx, granted=value == "agree")
    return Finish()


async def _parent_decide(ctx: StepContext, *, granted: bool) -> Outcome:
    shown = ctx.data.get("text_hash")
    signer = ctx.data.get("signer")
    if not isinstance(shown, str) or (granted and not isinstance(signer, str)):
        return _jump(ctx, "read")
    request = await ctx.services.enrolment.decide_as_parent(
        _token(ctx),
        parent_id=ctx.person.id,
        account_id=ctx.account.id,
        channel=ctx.account.channel,
        signer_name=signer if isinstance(signer, str) else None,
        granted=granted,
        text_hash=shown,
    )
    ctx.data.clear()
    if request.status is LinkStatus.VALID:
        text_id = "consent-parent-granted" if granted else "consent-parent-refused"
        ctx.say(text_id, child=request.child or "—")
    else:
        ctx.say(LINK_TEXTS[request.status])
    return Finish()


def build_parent_consent() -> Dialog:
    """A parent's decision through a consent link (args: token)."""
    return Dialog(
        PARENT,
        [
            View("read", _parent_read, choose=_on_parent_read, typed=_parent_signed),
            View("confirm", _parent_confirm, choose=_on_parent_confirm),
        ],
    )


async def open_consent_link(ctx: StepContext, payload: str) -> Outcome | None:
    """Deep links `c_...`: whoever opens one is the parent deciding (a new user or not)."""
    if payload.startswith(LINK_PREFIX):
        return Push(PARENT, {"token": payload})
    return None


# --- /consents: what the person consented to, revocation ------------------------------------------


def _who(ctx: StepContext, item: GivenConsent) -> str:
    if item.relation is ConsentRelation.SELF:
        return ctx.t("consents-self")
    return _child(ctx, item.subject_name, item.grade)


def _key(item: GivenConsent) -> dict[str, JSON]:
    return {"s": item.subject_id, "p": item.program_id, "r": item.relation.value}


async def _consents_list(ctx: StepContext) -> Prompt:
    items = await ctx.services.enrolment.given(ctx.person.id)
    if not items:
        return Prompt("consents-none", choices=[TO_MENU])
    lines = []
    choices = []
    for number, item in enumerate(items, start=1):
        lines.append(
            ctx.t(
                "consents-line",
                number=number,
                who=_who(ctx, item),
                program=item.program,
                status=item.status.value,
                date=_day(item.decided_at),
            )
        )
        if item.status is ConsentStatus.GRANTED:
            choices.append(Choice(_key(item), "consents-button-revoke", args={"number": number}))
    return Prompt("consents-list", {"lines": "\n".join(lines)}, [*choices, TO_MENU])


async def _on_consents_list(ctx: StepContext, value: JSON) -> Outcome:
    if isinstance(value, dict):
        ctx.data["revoke"] = value
        return Goto("confirm")
    return Finish()


async def _chosen(ctx: StepContext) -> GivenConsent | None:
    wanted = ctx.data.get("revoke")
    for item in await ctx.services.enrolment.given(ctx.person.id):
        if _key(item) == wanted and item.status is ConsentStatus.GRANTED:
            return item
    return None


async def _revoke_confirm(ctx: StepContext) -> Prompt:
    item = await _chosen(ctx)
    if item is None:
        return Prompt("consents-gone", choices=[Choice("list", "consents-button-list")])
    args = {"relation": item.relation.value, "who": _who(ctx, item), "program": item.program}
    choices = [Choice("yes", "consents-button-yes"), Choice("no", "consents-button-no")]
    return _remember(ctx, Prompt("consents-revoke-confirm", args, choices))


async def _on_revoke_confirm(ctx: StepContext, value: JSON) -> Outcome:
    item = await _chosen(ctx)
    shown = ctx.data.pop("text_hash", None)
    ctx.data.pop("revoke", None)
    if value != "yes" or item is None:
        return _jump(ctx, "list")
    result = await ctx.services.enrolment.revoke(
        ctx.person.id,
        subject_id=item.subject_id,
        program_id=item.program_id,
        relation=item.relation,
        account_id=ctx.account.id,
        channel=ctx.account.channel,
        text_hash=shown if isinstance(shown, str) else None,
    )
    if result.status is RevokeStatus.REVOKED:
        ctx.say(
            "consents-revoked",
            relation=item.relation.value,
            who=_child(ctx, result.subject_name, item.grade),
            program=item.program,
            erased="yes" if result.erased else "no",
        )
    else:
        ctx.say("consents-gone")
    return _jump(ctx, "list")


def build_consents() -> Dialog:
    """/consents: the consents the person gave (for children or their own), revocation."""
    return Dialog(
        CONSENTS,
        [
            View("list", _consents_list, choose=_on_consents_list),
            View("confirm", _revoke_confirm, choose=_on_revoke_confirm),
        ],
    )


# --- /privacy and /delete_me --------------------------------------------------------------------


def _stored(ctx: StepContext, report: PrivacyReport, *, consents: bool = True) -> str:
    """What is stored about the person, one line per kind of data (the consent records only
    if asked: /delete_me keeps them)."""
    lines = [ctx.t("privacy-field", field=name, value=value) for name, value in report.profile]
    if report.channels:
        names = ", ".join(ctx.t(f"accounts-channel-{channel.value}") for channel in report.channels)
        lines.append(ctx.t("privacy-channels", channels=names))
    lines += [
        ctx.t(
            "privacy-participation",
            program=line.program,
            role=line.role.value,
            status=line.status.value,
        )
        for line in report.participations
    ]
    if report.answers:
        lines.append(ctx.t("privacy-answers", count=report.answers))
    if consents and (report.own_consents or report.child_consents):
        lines.append(
            ctx.t("privacy-consents", own=report.own_consents, children=report.child_consents)
        )
    lines += [ctx.t("privacy-staff", role=role.value) for role in report.staff]
    lines += [ctx.t("privacy-curated", program=name) for name in report.curated]
    lines.append(ctx.t("privacy-language", language=ctx.t(f"lang-name-{ctx.locale}")))
    return "\n".join(f"• {line}" for line in lines)


async def _privacy(ctx: StepContext) -> Prompt:
    service = ctx.services.enrolment
    report = await service.privacy(ctx.person.id)
    programs = sorted({line.program for line in report.participations} | set(report.programs))
    args = {
        "stored": _stored(ctx, report),
        "programs": ", ".join(f"«{name}»" for name in programs) or NONE,
        "participates": "yes" if report.participations else "no",
    }
    choices = [Choice("delete", "privacy-button-delete")]
    if await service.has_given(ctx.person.id):
        choices.append(Choice("consents", "privacy-button-consents"))
    return Prompt("privacy-info", args, [*choices, TO_MENU])


async def _on_privacy(ctx: StepContext, value: JSON) -> Outcome:
    if value == "delete":
        return Push(DELETE_ME)
    if value == "consents":
        return Push(CONSENTS)
    return Finish()


async def _privacy_result(ctx: StepContext, result: JSON) -> Outcome:
    return Finish(ERASED) if result == ERASED else Stay()


async def _delete_confirm(ctx: StepContext) -> Prompt:
    report = await ctx.services.enrolment.privacy(ctx.person.id)
    args = {
        "stored": _stored(ctx, report, consents=False),
        "children": report.child_consents,
        "programs": len(report.participations),
    }
    choices = [Choice("yes", "delete-me-button-yes"), Choice("no", "delete-me-button-no")]
    return Prompt("delete-me-confirm", args, choices)


async def _on_delete_confirm(ctx: StepContext, value: JSON) -> Outcome:
    if value != "yes":
        ctx.say("delete-me-kept")
        return Finish()
    await ctx.services.enrolment.delete_person(ctx.person.id)
    # The state of this conversation went with the data: nothing of it is written back, and the
    # next message starts afresh as a new person.
    ctx.say("delete-me-done")
    return Finish(ERASED)


def build_privacy() -> Dialog:
    """/privacy: what is stored, why, who sees it, for how long, how to delete it."""
    return Dialog(PRIVACY, [View("show", _privacy, choose=_on_privacy, result=_privacy_result)])


def build_delete_me() -> Dialog:
    """/delete_me: what will be erased, a confirmation, the erasure and a goodbye."""
    return Dialog(DELETE_ME, [View("confirm", _delete_confirm, choose=_on_delete_confirm)])


# --- registration --------------------------------------------------------------------------------


def register(registry: DialogRegistry) -> None:
    """Add this module's dialogs, menu entries and deep links."""
    registry.add(Onboarding(registry).dialog())
    registry.add(build_parent_consent())
    registry.add(build_consents())
    registry.add(build_privacy())
    registry.add(build_delete_me())
    registry.menu.append(MenuEntry("menu-participation", NAME, shown_to=has_unready_participation))
    registry.menu.append(MenuEntry("menu-consents", CONSENTS, shown_to=decided_a_consent))
    registry.links.append(open_consent_link)
