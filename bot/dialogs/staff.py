"""Coordinators and curators: programs, invite links, who joined; invite link handling.

My programs lists the programs a person oversees; a program's card leads to its invite
links and to the list of people who joined. Coordinators and curators also create programs (and
become curators of the programs they create). Every screen and every action asks the services
again, which check the person's right: a stale screen, a forged state or a person who lost the
role gets a polite refusal and nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from typing import Any

from bot.core.messages import Attachment, AttachmentKind
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
    Stay,
    Step,
    StepContext,
    TextStep,
)
from bot.services.invitations import (
    INVITE_PREFIX,
    STAFF_ROLES,
    AcceptResult,
    AcceptStatus,
    InviteInfo,
    qr_png,
)
from bot.services.programs import (
    NAME_MAX,
    JoinedPerson,
    ProgramCard,
    ProgramDraft,
    ProgramInfo,
    Refusal,
    curates_or_coordinates,
    may_create_programs,
)
from storage import (
    ROLE_MODELS_BY_FORM,
    InvitationRole,
    MentorshipForm,
    ParticipantRole,
    ParticipantStatus,
    RoleModel,
)

PROGRAMS = "programs"
CREATE = "program-create"
# Dialogs the program card opens with the program's id.
STAGES, DIGEST, ANNOUNCE, REPORTS = "stages", "digest", "announce", "reports"
ONBOARDING = "onboarding"
PAGE_SIZE = 10
DESCRIPTION_MAX = 1000
DATE_RE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
TO_MENU = "menu"
# Participants whose onboarding is not finished (or who declined and may come back): opening
# the link again leads to onboarding.
UNFINISHED = (
    ParticipantStatus.INVITED,
    ParticipantStatus.ONBOARDING,
    ParticipantStatus.CONSENT_PENDING,
    ParticipantStatus.DECLINED,
)
# Links that do not let anybody in: the text that says why.
INVITE_FAILURES = {
    AcceptStatus.UNKNOWN: "staff-invite-unknown",
    AcceptStatus.EXPIRED: "staff-invite-expired",
    AcceptStatus.REVOKED: "staff-invite-revoked",
    AcceptStatus.USED_UP: "staff-invite-used-up",
}


def kebab(value: str) -> str:
    """An enum value as part of a text id: `student_student` → `student-student`."""
    return value.replace("_", "-")


def form_name(ctx: StepContext, form: MentorshipForm) -> str:
    """The form of mentorship in the person's language."""
    return ctx.t(f"staff-form-{kebab(form.value)}")


def model_name(ctx: StepContext, model: RoleModel) -> str:
    """The role model in the person's language."""
    return ctx.t(f"staff-model-{kebab(model.value)}")


def format_date(value: date) -> str:
    """A date as people write it in Russia: DD.MM.YYYY."""
    return value.strftime("%d.%m.%Y")


def parse_date(text: str) -> date:
    """DD.MM.YYYY (dots, slashes or dashes); Invalid otherwise."""
    match = DATE_RE.fullmatch(text.strip())
    if match is None:
        raise Invalid("staff-date-invalid")
    day, month, year = (int(part) for part in match.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        raise Invalid("staff-date-invalid") from None
    if not 2000 <= value.year <= 2100:
        raise Invalid("staff-date-invalid")
    return value


def refuse(ctx: StepContext, refusal: Refusal) -> Outcome:
    """Say why, and leave to the menu."""
    ctx.say(f"staff-{kebab(refusal.value)}")
    return Finish()


# --- a screen whose data may be refused -----------------------------------------------------------

View = Callable[[StepContext], Awaitable[Prompt | Refusal]]
Action = Callable[[StepContext, JSON], Awaitable[Outcome]]


class Screen(Step):
    """A step that shows what a service returns, or the refusal with a way to the menu."""

    def __init__(
        self,
        name: str,
        view: View,
        act: Action,
        on_result: Callable[[StepContext, JSON], Awaitable[Outcome]] | None = None,
    ) -> None:
        self.name = name
        self.view = view
        self.act = act
        self._on_result = on_result

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The service's data, or the refusal."""
        shown = await self.view(ctx)
        if isinstance(shown, Refusal):
            return Prompt(
                f"staff-{kebab(shown.value)}", choices=[Choice(TO_MENU, "button-to-menu")]
            )
        return shown

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A tapped option; the way out of a refusal goes to the menu."""
        if value == TO_MENU:
            return Finish()
        return await self.act(ctx, value)

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        """A sub-dialog finished."""
        if self._on_result is None:
            return Stay()
        return await self._on_result(ctx, result)


def _program_id(ctx: StepContext) -> int:
    return int(ctx.data.get("program_id") or 0)


def _to_card(ctx: StepContext) -> Outcome:
    """On to the program's card, Back from there leading to the list. A new message rather
    than a redrawn one, so the links stay in the chat to be copied."""
    ctx.frame.history.clear()
    ctx.frame.step = "list"
    return Goto("card")


# --- the list -------------------------------------------------------------------------------------


async def _list_view(ctx: StepContext) -> Prompt:
    programs = await ctx.services.programs.visible(ctx.person.id)
    choices = [Choice(program.id, label=program.name) for program in programs]
    if await ctx.services.programs.may_create(ctx.person.id):
        choices.append(Choice("create", "staff-button-create"))
    return Prompt("staff-programs", {"count": len(programs)}, choices)


async def _on_list(ctx: StepContext, value: JSON) -> Outcome:
    if value == "create":
        return Push(CREATE, {"from": PROGRAMS})
    ctx.data["program_id"] = value
    ctx.data["offset"] = 0
    return Goto("card")


async def _on_created(ctx: StepContext, result: JSON) -> Outcome:
    if isinstance(result, Mapping) and result.get("program_id"):
        ctx.data["program_id"] = result["program_id"]
        ctx.data["offset"] = 0
        return Goto("card")
    return Stay()


# --- the card -------------------------------------------------------------------------------------


def _dates(ctx: StepContext, program: ProgramInfo) -> str:
    if program.starts_on and program.ends_on:
        return ctx.t(
            "staff-dates",
            starts=format_date(program.starts_on),
            ends=format_date(program.ends_on),
        )
    if program.starts_on:
        return ctx.t("staff-dates-from", starts=format_date(program.starts_on))
    if program.ends_on:
        return ctx.t("staff-dates-until", ends=format_date(program.ends_on))
    return ctx.t("staff-dates-none")


def _counts(ctx: StepContext, card: ProgramCard, role: ParticipantRole) -> str:
    by_status = card.counts.get(role, {})
    if not by_status:
        return ctx.t("staff-count-none")
    details = ", ".join(
        ctx.t(f"staff-status-{kebab(status.value)}", count=count)
        for status, count in by_status.items()
    )
    return ctx.t("staff-count", total=card.total(role), details=details)


async def _card_view(ctx: StepContext) -> Prompt | Refusal:
    card = await ctx.services.programs.card(ctx.person.id, _program_id(ctx))
    if isinstance(card, Refusal):
        return card
    program = card.program
    args = {
        "name": program.name,
        "organization": program.organization,
        "form": form_name(ctx, program.form),
        "model": model_name(ctx, program.role_model),
        "stage": int(program.stage),
        "stage_name": ctx.t(f"staff-stage-{int(program.stage)}"),
        "dates": _dates(ctx, program),
        "description": f"\n\n{program.description}" if program.description else "",
        "mentees": _counts(ctx, card, ParticipantRole.MENTEE),
        "mentors": _counts(ctx, card, ParticipantRole.MENTOR),
        "curators": card.curators,
    }
    choices = [
        Choice("links", "staff-button-links"),
        Choice("joined", "staff-button-joined"),
        Choice(STAGES, "staff-button-stages"),
        Choice(DIGEST, "staff-button-digest"),
        Choice(ANNOUNCE, "staff-button-announce"),
        Choice(REPORTS, "staff-button-reports"),
    ]
    return Prompt("staff-card", args, choices, columns=2)


async def _on_card(ctx: StepContext, value: JSON) -> Outcome:
    if value == "joined":
        ctx.data["offset"] = 0
        return Goto("joined")
    if value in (STAGES, DIGEST, ANNOUNCE, REPORTS):
        return Push(str(value), {"program_id": _program_id(ctx)})
    return Goto("role")


# --- invite links ---------------------------------------------------------------------------------


async def _role_view(ctx: StepContext) -> Prompt | Refusal:
    card = await ctx.services.programs.card(ctx.person.id, _program_id(ctx))
    if isinstance(card, Refusal):
        return card
    roles = [InvitationRole.MENTEE, InvitationRole.MENTOR]
    if card.manages_staff:
        roles.append(InvitationRole.CURATOR)
    choices = [Choice(role.value, f"staff-role-{role.value}") for role in roles]
    return Prompt("staff-links-role", {"program": card.program.name}, choices)


async def _on_role(ctx: StepContext, value: JSON) -> Outcome:
    try:
        role = InvitationRole(str(value))
    except ValueError:
        return Stay()
    invite = await ctx.services.invitations.shared(ctx.person.id, _program_id(ctx), role)
    if isinstance(invite, Refusal):
        return refuse(ctx, invite)
    ctx.data["token"] = invite.token
    send_qr_codes(ctx, invite)
    return Goto("links")


def send_qr_codes(ctx: StepContext, invite: InviteInfo) -> None:
    """A QR code (PNG) of each link, for posters; staff links are personal and need none."""
    if invite.role in STAFF_ROLES:
        return
    for channel, link in (("telegram", invite.telegram), ("vk", invite.vk)):
        if link:
            image = Attachment(
                AttachmentKind.IMAGE,
                filename=f"invite-{invite.role.value}-{channel}.png",
                content=qr_png(link),
                mime_type="image/png",
            )
            ctx.send_file(f"staff-qr-{channel}", image)


def link_lines(ctx: StepContext, invite: InviteInfo) -> str:
    """The Telegram and VK links, or the token and how to use it when neither is known."""
    lines = []
    if invite.telegram:
        lines.append(ctx.t("staff-link-telegram", link=invite.telegram))
    if invite.vk:
        lines.append(ctx.t("staff-link-vk", link=invite.vk))
    if not lines:
        lines.append(ctx.t("staff-link-token", token=invite.token))
    return "\n".join(lines)


async def _invite(ctx: StepContext) -> InviteInfo | Refusal:
    return await ctx.services.invitations.find(ctx.person.id, str(ctx.data.get("token") or ""))


async def _links_view(ctx: StepContext) -> Prompt | Refusal:
    invite = await _invite(ctx)
    if isinstance(invite, Refusal):
        return invite
    args = {
        "role": invite.role.value,
        "program": invite.target,
        "links": link_lines(ctx, invite),
        "state": invite.state.value,
    }
    choices = [Choice("done", "staff-button-done")]
    if invite.role is not InvitationRole.CURATOR:
        choices.insert(0, Choice("replace", "staff-button-replace"))
    return Prompt("staff-links", args, choices)


async def _on_links(ctx: StepContext, value: JSON) -> Outcome:
    if value == "replace":
        return Goto("replace")
    return _to_card(ctx)


async def _replace_view(ctx: StepContext) -> Prompt | Refusal:
    invite = await _invite(ctx)
    if isinstance(invite, Refusal):
        return invite
    choices = [
        Choice("yes", "staff-button-replace-yes"),
        Choice("no", "staff-button-replace-no"),
    ]
    return Prompt("staff-replace-confirm", {"role": invite.role.value}, choices)


async def _on_replace(ctx: StepContext, value: JSON) -> Outcome:
    invite = await _invite(ctx)
    if isinstance(invite, Refusal):
        return refuse(ctx, invite)
    if value == "yes":
        fresh = await ctx.services.invitations.replace(ctx.person.id, _program_id(ctx), invite.role)
        if isinstance(fresh, Refusal):
            return refuse(ctx, fresh)
        ctx.data["token"] = fresh.token
        ctx.say("staff-replaced")
        send_qr_codes(ctx, fresh)
    # Back to the links, without the confirmation in the history.
    ctx.frame.step = "links"
    if ctx.frame.history and ctx.frame.history[-1] == "links":
        ctx.frame.history.pop()
    return Stay()


# --- who joined -----------------------------------------------------------------------------------


def _person_line(ctx: StepContext, person: JoinedPerson) -> str:
    return ctx.t(
        "staff-joined-line",
        name=person.name or ctx.t("staff-joined-no-name", id=person.participant_id),
        role=person.role.value,
        status=ctx.t(f"staff-person-{kebab(person.status.value)}"),
    )


async def _joined_view(ctx: StepContext) -> Prompt | Refusal:
    page = await ctx.services.programs.joined(
        ctx.person.id, _program_id(ctx), offset=int(ctx.data.get("offset") or 0), limit=PAGE_SIZE
    )
    if isinstance(page, Refusal):
        return page
    ctx.data["offset"] = page.offset
    choices = []
    if page.has_previous:
        choices.append(Choice("previous", "staff-button-previous"))
    if page.has_next:
        choices.append(Choice("next", "staff-button-next"))
    args = {
        "program": page.program.name,
        "total": page.total,
        "first": page.offset + 1,
        "last": page.offset + len(page.people),
        "lines": "\n".join(_person_line(ctx, person) for person in page.people),
    }
    return Prompt("staff-joined", args, choices, columns=2)


async def _on_joined(ctx: StepContext, value: JSON) -> Outcome:
    offset = int(ctx.data.get("offset") or 0)
    offset += PAGE_SIZE if value == "next" else -PAGE_SIZE
    ctx.data["offset"] = max(0, offset)
    return Stay()


def build_programs() -> Dialog:
    """My programs: the list, a program's card, its invite links, who joined."""
    return Dialog(
        PROGRAMS,
        [
            Screen("list", _list_view, _on_list, on_result=_on_created),
            Screen("card", _card_view, _on_card),
            Screen("role", _role_view, _on_role),
            Screen("links", _links_view, _on_links),
            Screen("replace", _replace_view, _on_replace),
            Screen("joined", _joined_view, _on_joined),
        ],
    )


# --- creating a program ---------------------------------------------------------------------------

# Why a program was not created.
CREATE_REFUSALS = {
    Refusal.NOT_ALLOWED: "staff-create-not-allowed",
    Refusal.NOT_FOUND: "staff-create-not-found",
}


def refuse_create(ctx: StepContext, refusal: Refusal) -> Outcome:
    """Say why no program was created, and leave to the menu."""
    ctx.say(CREATE_REFUSALS[refusal])
    return Finish()


class NameStep(TextStep):
    """The first step: the program's name, or a refusal for a person who may not create one
    (who lost the role since the menu was shown, say)."""

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The question, or the refusal with the way to the menu."""
        if not await ctx.services.programs.may_create(ctx.person.id):
            return Prompt("staff-create-not-allowed", choices=[Choice(TO_MENU, "button-to-menu")])
        return await super().prompt(ctx)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """The way out of the refusal."""
        if value == TO_MENU:
            return Finish()
        return await super().on_choice(ctx, value)


def _parse_name(ctx: StepContext, text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise Invalid("staff-create-name-empty")
    return name


def _parse_end(ctx: StepContext, text: str) -> str:
    ends = parse_date(text)
    starts = date.fromisoformat(str(ctx.data["starts"]))
    if ends <= starts:
        raise Invalid("staff-date-order", starts=format_date(starts))
    return ends.isoformat()


async def _form_choices(ctx: StepContext) -> Sequence[Choice]:
    return [Choice(form.value, f"staff-form-{kebab(form.value)}") for form in MentorshipForm]


async def _model_choices(ctx: StepContext) -> Sequence[Choice]:
    form = MentorshipForm(str(ctx.data.get("form")))
    return [
        Choice(model.value, f"staff-model-{kebab(model.value)}")
        for model in ROLE_MODELS_BY_FORM[form]
    ]


async def _model_args(ctx: StepContext) -> Mapping[str, Any]:
    return {"form": form_name(ctx, MentorshipForm(str(ctx.data.get("form"))))}


async def _skip_description(ctx: StepContext, value: JSON) -> Outcome:
    ctx.data["description"] = None
    return Goto("starts")


async def _after_dates(ctx: StepContext, value: JSON) -> Outcome:
    organizations = await ctx.services.programs.creatable_organizations(ctx.person.id)
    if not organizations:
        return refuse_create(ctx, Refusal.NOT_ALLOWED)
    if len(organizations) == 1:
        ctx.data["organization_id"] = organizations[0].id
        return Goto("review")
    return Goto("organization")


async def _organization_choices(ctx: StepContext) -> Sequence[Choice]:
    organizations = await ctx.services.programs.creatable_organizations(ctx.person.id)
    return [Choice(org.id, label=org.name) for org in organizations]


def _draft(ctx: StepContext) -> ProgramDraft:
    data = ctx.data
    return ProgramDraft(
        name=str(data["name"]),
        form=MentorshipForm(str(data["form"])),
        role_model=RoleModel(str(data["model"])),
        description=str(data["description"]) if data.get("description") else None,
        starts_on=date.fromisoformat(str(data["starts"])),
        ends_on=date.fromisoformat(str(data["ends"])),
    )


async def _review_args(ctx: StepContext) -> Mapping[str, Any]:
    draft = _draft(ctx)
    organizations = {
        org.id: org.name
        for org in await ctx.services.programs.creatable_organizations(ctx.person.id)
    }
    assert draft.starts_on is not None
    assert draft.ends_on is not None
    return {
        "name": draft.name,
        "organization": organizations.get(int(ctx.data.get("organization_id") or 0), "—"),
        "form": form_name(ctx, draft.form),
        "model": model_name(ctx, draft.role_model),
        "description": draft.description or ctx.t("staff-no-description"),
        "starts": format_date(draft.starts_on),
        "ends": format_date(draft.ends_on),
    }


async def _create(ctx: StepContext, value: JSON) -> Outcome:
    created = await ctx.services.programs.create_program(
        ctx.person.id, int(ctx.data.get("organization_id") or 0), _draft(ctx)
    )
    if isinstance(created, Refusal):
        return refuse_create(ctx, created)
    from_list = ctx.args.get("from") == PROGRAMS
    ctx.say("staff-program-created", name=created.name, hint="no" if from_list else "yes")
    return Finish({"program_id": created.id})


def build_create() -> Dialog:
    """Create a program: name, form, role model, description, dates, review."""
    return Dialog(
        CREATE,
        [
            NameStep("name", "staff-create-name", parse=_parse_name, max_length=NAME_MAX),
            ChoiceStep("form", "staff-create-form", _form_choices),
            ChoiceStep("model", "staff-create-model", _model_choices, args=_model_args),
            TextStep(
                "description",
                "staff-create-description",
                max_length=DESCRIPTION_MAX,
                choices=[Choice("skip", "button-skip")],
                on_choice=_skip_description,
            ),
            TextStep(
                "starts",
                "staff-create-starts",
                parse=lambda ctx, text: parse_date(text).isoformat(),
            ),
            TextStep("ends", "staff-create-ends", parse=_parse_end, then=_after_dates),
            ChoiceStep(
                "organization",
                "staff-create-organization",
                _organization_choices,
                key="organization_id",
                then="review",
            ),
            ChoiceStep(
                "review",
                "staff-create-review",
                [Choice("create", "staff-button-create-confirm")],
                args=_review_args,
                then=_create,
            ),
        ],
    )


# --- invite links opened ------------------------------------------------------------------------


def accepted(ctx: StepContext, result: AcceptResult, registry: DialogRegistry) -> Outcome:
    """What a person sees after opening an invite link."""
    if not result.ok:
        ctx.say(INVITE_FAILURES.get(result.status, "staff-invite-unknown"))
        return Stay()
    assert result.role is not None
    already = "yes" if result.status is AcceptStatus.ALREADY else "no"
    if result.role in (InvitationRole.MENTEE, InvitationRole.MENTOR):
        if result.participant_status is ParticipantStatus.REMOVED:
            ctx.say("staff-invite-removed", program=result.program)
            return Stay()
        if result.participant_status in UNFINISHED and ONBOARDING in registry:
            return Push(ONBOARDING, {"participant_id": result.participant_id})
        ctx.say(
            "staff-invite-joined",
            program=result.program,
            role=result.role.value,
            already=already,
        )
        return Stay()
    name = ctx.person.full_name or ""
    ctx.say(
        f"staff-invite-{result.role.value}",
        name=name,
        named="yes" if name else "no",
        program=result.program or "",
        organization=result.organization or "",
        already=already,
    )
    return Stay()


def register(registry: DialogRegistry) -> None:
    """Add this module's dialogs, menu entries and deep links."""
    registry.add(build_programs())
    registry.add(build_create())

    registry.menu.append(
        MenuEntry("menu-staff-programs", PROGRAMS, shown_to=curates_or_coordinates)
    )
    registry.menu.append(MenuEntry("menu-staff-create", CREATE, shown_to=may_create_programs))

    async def invite_link(ctx: StepContext, payload: str) -> Outcome | None:
        if not payload.startswith(INVITE_PREFIX):
            return None
        result = await ctx.services.invitations.accept(ctx.person.id, payload)
        return accepted(ctx, result, registry)

    registry.links.append(invite_link)
