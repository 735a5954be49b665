"""Invite links: issue, revoke, accept.

A link carries an unguessable token starting with `i_` (so a deep-link handler can tell invites
from other payloads); Telegram allows only `A-Za-z0-9_-` in a start parameter, which is exactly
what `secrets.token_urlsafe` produces. Mentee and mentor links are shared (posters, class chats),
so by default they have no expiry and no use limit; staff links appoint curators and
coordinators, so callers give them one use (`default_max_uses`).
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

import segno
from sqlalchemy import select

from bot.services.base import Service
from bot.services.programs import Access, Actor, InvalidInputError, Refusal, System, acting
from storage import (
    Invitation,
    InvitationRole,
    Organization,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    StaffMember,
    StaffRole,
)

if TYPE_CHECKING:
    pass

INVITE_PREFIX = "i_"
# 24 random bytes: 32 characters, 34 with the prefix (Telegram allows 64).
TOKEN_BYTES = 24
# The roles a program's links may give; coordinator links belong to an organisation.
PROGRAM_ROLES = (InvitationRole.MENTEE, InvitationRole.MENTOR, InvitationRole.CURATOR)
STAFF_ROLES = (InvitationRole.CURATOR, InvitationRole.COORDINATOR)

ACTION_ISSUED = "invitations.issued"
ACTION_REVOKED = "invitations.revoked"
ACTION_ACCEPTED = "invitations.accepted"


def new_token() -> str:
    """A fresh invite token."""
    return INVITE_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def default_max_uses(role: InvitationRole) -> int | None:
    """Staff links appoint one person; participant links are shared without a limit."""
    return 1 if role in STAFF_ROLES else None


def qr_png(link: str, *, scale: int = 16) -> bytes:
    """A QR code of the link as a PNG, big enough to print on a poster."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


class InviteState(StrEnum):
    """Whether a link still lets people in."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"


@dataclass(frozen=True, slots=True)
class InviteInfo:
    """An invite link as it is shown and shared."""

    id: int
    token: str
    role: InvitationRole
    organization_id: int
    program_id: int | None
    # The program's name, or the organisation's for a coordinator link.
    target: str
    state: InviteState
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    created_at: datetime
    telegram: str | None  # https://t.me/<bot>?start=<token>, if the bot's username is known
    vk: str | None  # https://vk.me/club<id>?ref=<token>, if the community is known


class AcceptStatus(StrEnum):
    """What opening an invite link led to."""

    JOINED = "joined"  # a new participant, curator or coordinator
    ALREADY = "already"  # the person already had this role here: nothing changed
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"
    UNKNOWN = "unknown"  # no such token (a typo, or deleted with its program)


@dataclass(frozen=True, slots=True)
class AcceptResult:
    """The outcome of opening an invite link, with what the person needs to be told.

    JOINED and ALREADY carry the role, the organisation and (except for coordinators) the
    program; for mentees and mentors also the participant, whose status is ONBOARDING when
    they just joined and whatever it was otherwise.
    """

    status: AcceptStatus
    role: InvitationRole | None = None
    organization_id: int | None = None
    organization: str | None = None
    program_id: int | None = None
    program: str | None = None
    participant_id: int | None = None
    participant_status: ParticipantStatus | None = None

    @property
    def ok(self) -> bool:
        """Whether the person now has the role."""
        return self.status in (AcceptStatus.JOINED, AcceptStatus.ALREADY)


class InvitationService(Service):
    """Invite links: issue, revoke, accept."""

    @cached_property
    def access(self) -> Access:
        """Who may see and change what."""
        return Access(self.session)

    # --- issuing ---------------------------------------------------------------------------------

    async def issue(
        self,
        actor: Actor,
        program_id: int,
        role: InvitationRole,
        *,
        expires_in: timedelta | None = None,
        max_uses: int | None = None,
    ) -> InviteInfo | Refusal:
        """A new link into a program as a mentee, mentor or curator. Curators of the program
        may issue mentee and mentor links; curator links need its organisation's coordinator."""
        if role not in PROGRAM_ROLES:
            raise InvalidInputError(
                f"a program link gives one of: {', '.join(r.value for r in PROGRAM_ROLES)}"
            )
        _check_limits(expires_in, max_uses)
        program = await self._program(actor, program_id, role)
        if isinstance(program, Refusal):
            return program
        return await self._issue(
            actor,
            program.organization_id,
            program,
            role,
            expires_in=expires_in,
            max_uses=max_uses,
        )

    async def invite_coordinator(
        self,
        actor: Actor,
        organization_id: int,
        *,
        expires_in: timedelta | None = None,
        max_uses: int | None = 1,
    ) -> InviteInfo | Refusal:
        """A link that makes its opener a coordinator of the organisation."""
        _check_limits(expires_in, max_uses)
        organization = await self.access.organization(actor, organization_id)
        if isinstance(organization, Refusal):
            return organization
        return await self._issue(
            actor,
            organization.id,
            None,
            InvitationRole.COORDINATOR,
            expires_in=expires_in,
            max_uses=max_uses,
        )

    async def shared(
        self, actor: Actor, program_id: int, role: InvitationRole
    ) -> InviteInfo | Refusal:
        """The link to post for a role: the newest active one without limits, or a new one.
        Curator links are personal, so each call makes a new one-use link."""
        program = await self._program(actor, program_id, role)
        if isinstance(program, Refusal):
            return program
        if role not in STAFF_ROLES:
            existing = await self.session.scalar(
                select(Invitation)
                .where(
                    Invitation.program_id == program.id,
                    Invitation.role == role,
                    Invitation.revoked_at.is_(None),
                    Invitation.expires_at.is_(None),
                    Invitation.max_uses.is_(None),
                )
                .order_by(Invitation.id.desc())
                .limit(1)
            )
            if existing is not None:
                return await self._info(existing)
        return await self._issue(
            actor,
            program.organization_id,
            program,
            role,
            expires_in=None,
            max_uses=default_max_uses(role),
        )

    async def replace(
        self, actor: Actor, program_id: int, role: InvitationRole
    ) -> InviteInfo | Refusal:
        """Revoke the program's active links of a role (a leaked poster) and issue a new one."""
        program = await self._program(actor, program_id, role)
        if isinstance(program, Refusal):
            return program
        now = self.clock.now()
        active = await self.session.scalars(
            select(Invitation).where(
                Invitation.program_id == program.id,
                Invitation.role == role,
                Invitation.revoked_at.is_(None),
            )
        )
        for invitation in active:
            if _state(invitation, now) is InviteState.ACTIVE:
                await self._revoke(actor, invitation, now)
        return await self._issue(
            actor,
            program.organization_id,
            program,
            role,
            expires_in=None,
            max_uses=default_max_uses(role),
        )

    # --- listing and revoking --------------------------------------------------------------------

    async def for_program(self, actor: Actor, program_id: int) -> list[InviteInfo] | Refusal:
        """The program's links, newest first; curators do not see curator links."""
        program = await self.access.program(actor, program_id)
        if isinstance(program, Refusal):
            return program
        query = select(Invitation).where(Invitation.program_id == program.id)
        if not await self.access.manages_organization(actor, program.organization_id):
            query = query.where(Invitation.role.not_in(STAFF_ROLES))
        rows = await self.session.scalars(query.order_by(Invitation.id.desc()))
        return [await self._info(invitation) for invitation in rows]

    async def find(self, actor: Actor, token: str) -> InviteInfo | Refusal:
        """A link, if the actor may hand it out."""
        invitation = await self._visible(actor, token)
        if isinstance(invitation, Refusal):
            return invitation
        return await self._info(invitation)

    async def revoke(self, actor: Actor, token: str) -> InviteInfo | Refusal:
        """Stop a link from letting anybody in (revoking twice changes nothing)."""
        invitation = await self._visible(actor, token)
        if isinstance(invitation, Refusal):
            return invitation
        if invitation.revoked_at is None:
            await self._revoke(actor, invitation, self.clock.now())
        return await self._info(invitation)

    # --- accepting -------------------------------------------------------------------------------

    async def accept(self, person_id: int, token: str) -> AcceptResult:
        """Open a link as `person_id`: join as a participant (status ONBOARDING), curator or
        coordinator, or learn why the link does not work. A person who already has the role
        (a participant in any status but LEFT) gets ALREADY, whatever the link's state, and
        uses nothing up."""
        invitation = await self.session.scalar(
            select(Invitation).where(Invitation.token == token).with_for_update()
        )
        if invitation is None:
            return AcceptResult(AcceptStatus.UNKNOWN)
        person = await self.session.get_one(Person, person_id)
        organization = await self.session.get_one(Organization, invitation.organization_id)
        program = (
            await self.session.get_one(Program, invitation.program_id)
            if invitation.program_id is not None
            else None
        )
        base = AcceptResult(
            AcceptStatus.JOINED,
            role=invitation.role,
            organization_id=organization.id,
            organization=organization.name,
            program_id=program.id if program else None,
            program=program.name if program else None,
        )
        participant = None
        if invitation.role in (InvitationRole.MENTEE, InvitationRole.MENTOR):
            assert program is not None
            participant = await self.session.scalar(
                select(Participant).where(
                    Participant.program_id == program.id,
                    Participant.person_id == person.id,
                    Participant.role == ParticipantRole(invitation.role.value),
                )
            )
            # Someone who left joins anew; anybody else keeps their participation as it is (one
            # who declined comes back through onboarding, one removed by the curator stays so).
            if participant is not None and participant.status is not ParticipantStatus.LEFT:
                return _with(base, AcceptStatus.ALREADY, participant)
        elif await self._has_staff_role(person.id, invitation, program):
            return _with(base, AcceptStatus.ALREADY)
        now = self.clock.now()
        state = _state(invitation, now)
        if state is not InviteState.ACTIVE:
            return AcceptResult(AcceptStatus(state.value))
        invitation.uses += 1
        if person.organization_id is None:
            person.organization_id = organization.id
            person.updated_at = now
        details: dict[str, object] = {"role": invitation.role.value}
        match invitation.role:
            case InvitationRole.MENTEE | InvitationRole.MENTOR:
                assert program is not None
                participant = await self._join(person, program, invitation.role, participant, now)
                details["participant"] = participant.id
            case InvitationRole.CURATOR:
                assert program is not None
                self.session.add(
                    ProgramCurator(program_id=program.id, person_id=person.id, created_at=now)
                )
                await self._ensure_staff(person.id, organization.id, StaffRole.CURATOR, now)
            case InvitationRole.COORDINATOR:
                await self._ensure_staff(person.id, organization.id, StaffRole.COORDINATOR, now)
        await self.session.flush()
        details["program"] = program.id if program else None
        self.audit.record(person, ACTION_ACCEPTED, "invitations", invitation.id, **details)
        return _with(base, AcceptStatus.JOINED, participant)

    # --- helpers ---------------------------------------------------------------------------------

    async def _program(
        self, actor: Actor, program_id: int, role: InvitationRole
    ) -> Program | Refusal:
        """The program if the actor may hand out links of this role into it."""
        return await self.access.program(actor, program_id, manage_staff=role in STAFF_ROLES)

    async def _visible(self, actor: Actor, token: str) -> Invitation | Refusal:
        """The link with this token, if the actor may hand out links of its role and place."""
        invitation = await self.session.scalar(select(Invitation).where(Invitation.token == token))
        if invitation is None:
            return Refusal.NOT_FOUND
        if invitation.program_id is None:
            allowed = await self.access.manages_organization(actor, invitation.organization_id)
        else:
            program = await self._program(actor, invitation.program_id, invitation.role)
            allowed = not isinstance(program, Refusal)
        return invitation if allowed else Refusal.NOT_ALLOWED

    async def _issue(
        self,
        actor: Actor,
        organization_id: int,
        program: Program | None,
        role: InvitationRole,
        *,
        expires_in: timedelta | None,
        max_uses: int | None,
    ) -> InviteInfo:
        now = self.clock.now()
        invitation = Invitation(
            token=new_token(),
            organization_id=organization_id,
            program_id=program.id if program else None,
            role=role,
            created_by_person_id=None if isinstance(actor, System) else actor,
            expires_at=now + expires_in if expires_in is not None else None,
            max_uses=max_uses,
            uses=0,
            created_at=now,
        )
        self.session.add(invitation)
        await self.session.flush()
        self.audit.record(
            await acting(self.session, actor),
            ACTION_ISSUED,
            "invitations",
            invitation.id,
            role=role.value,
            organization=organization_id,
            program=invitation.program_id,
            expires_at=invitation.expires_at.isoformat() if invitation.expires_at else None,
            max_uses=max_uses,
        )
        return await self._info(invitation)

    async def _revoke(self, actor: Actor, invitation: Invitation, now: datetime) -> None:
        invitation.revoked_at = now
        self.audit.record(
            await acting(self.session, actor),
            ACTION_REVOKED,
            "invitations",
            invitation.id,
            role=invitation.role.value,
            program=invitation.program_id,
        )

    async def _info(self, invitation: Invitation) -> InviteInfo:
        if invitation.program_id is not None:
            program = await self.session.get_one(Program, invitation.program_id)
            target = program.name
        else:
            target = (await self.session.get_one(Organization, invitation.organization_id)).name
        links = self.policy.links
        return InviteInfo(
            id=invitation.id,
            token=invitation.token,
            role=invitation.role,
            organization_id=invitation.organization_id,
            program_id=invitation.program_id,
            target=target,
            state=_state(invitation, self.clock.now()),
            expires_at=invitation.expires_at,
            max_uses=invitation.max_uses,
            uses=invitation.uses,
            created_at=invitation.created_at,
            telegram=links.telegram(invitation.token),
            vk=links.vk(invitation.token),
        )

    async def _has_staff_role(
        self, person_id: int, invitation: Invitation, program: Program | None
    ) -> bool:
        if invitation.role is InvitationRole.CURATOR:
            assert program is not None
            return await self.session.get(ProgramCurator, (program.id, person_id)) is not None
        return invitation.organization_id in await self.access.coordinated(person_id)

    async def _join(
        self,
        person: Person,
        program: Program,
        role: InvitationRole,
        participant: Participant | None,
        now: datetime,
    ) -> Participant:
        if participant is None:
            participant = Participant(
                program_id=program.id,
                person_id=person.id,
                role=ParticipantRole(role.value),
                created_at=now,
            )
            self.session.add(participant)
        participant.status = ParticipantStatus.ONBOARDING
        participant.updated_at = now
        await self.session.flush()
        return participant

    async def _ensure_staff(
        self, person_id: int, organization_id: int, role: StaffRole, now: datetime
    ) -> None:
        existing = await self.session.scalar(
            select(StaffMember).where(
                StaffMember.organization_id == organization_id,
                StaffMember.person_id == person_id,
                StaffMember.role == role,
            )
        )
        if existing is None:
            self.session.add(
                StaffMember(
                    organization_id=organization_id, person_id=person_id, role=role, created_at=now
                )
            )


def _check_limits(expires_in: timedelta | None, max_uses: int | None) -> None:
    if expires_in is not None and expires_in <= timedelta(0):
        raise InvalidInputError("a link must expire in the future")
    if max_uses is not None and max_uses < 1:
        raise InvalidInputError("a use limit must be at least 1")


def _state(invitation: Invitation, now: datetime) -> InviteState:
    if invitation.revoked_at is not None:
        return InviteState.REVOKED
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return InviteState.EXPIRED
    if invitation.max_uses is not None and invitation.uses >= invitation.max_uses:
        return InviteState.USED_UP
    return InviteState.ACTIVE


def _with(
    base: AcceptResult, status: AcceptStatus, participant: Participant | None = None
) -> AcceptResult:
    return AcceptResult(
        status,
        role=base.role,
        organization_id=base.organization_id,
        organization=base.organization,
        program_id=base.program_id,
        program=base.program,
        participant_id=participant.id if participant else None,
        participant_status=participant.status if participant else None,
    )
