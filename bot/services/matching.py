"""Pair formation (stage 5): proposals from the whole program's assignment, the curator's
decisions, introductions, hand matching, the "never pair" list and change requests.

A run scores every ready mentee against every approved mentor with free places (the mentee
questionnaire's matching hints, `bot.services.assignment`), keeps the pairs a min-cost assignment
picks above the program's threshold, and stores them as proposals. Nothing reaches mentees or
mentors until the curator approves a proposal: then the pair (or the mentor's group) is created
and both sides get an introduction in their own messenger and language. Health answers count in
the score but are never named in a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, exists, func, select, update

from bot.services import assignment
from bot.services.base import Service
from bot.services.outbox import NotificationKind
from bot.services.programs import Access, Actor, Refusal, acting
from bot.services.questionnaires import (
    JSON,
    NoQuestionnaireError,
    Question,
    QuestionnaireDef,
    QuestionnaireService,
)
from storage import (
    ChangeRequestStatus,
    Channel,
    ExclusionKind,
    MatchExclusion,
    MatchProposal,
    MentorshipForm,
    MessengerAccount,
    Pair,
    PairChangeRequest,
    PairKind,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProposalStatus,
    QuestionnaireAnswer,
)
from storage.db import insert_or_skip

# How many named reasons a proposal keeps, and how many mentors "move to" offers.
REASONS_SHOWN = 4
ALTERNATIVES = 8
REASON_MAX = 1000
# Statuses in which a mentor may take mentees (the questionnaire is done).
MENTOR_ACTIVE = (ParticipantStatus.READY, ParticipantStatus.MATCHED)
GRADE_RE = re.compile(r"\d{1,2}")

ACTION_RUN = "matching.run"
ACTION_APPROVED = "matching.approved"
ACTION_REJECTED = "matching.rejected"
ACTION_MOVED = "matching.moved"
ACTION_SETTINGS = "matching.settings"
ACTION_CHANGE_REQUESTED = "pairs.change_requested"
ACTION_CHANGE_DECIDED = "pairs.change_decided"


class MatchError(StrEnum):
    """Why a matching call changed nothing (the dialogs show `matching-error-<value>`)."""

    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    DECIDED = "decided"  # the proposal or request was decided already (a second tap)
    NOT_READY = "not_ready"  # the mentee is no longer waiting, or the mentor not approved
    FULL = "full"  # the mentor has no free place
    EXCLUDED = "excluded"  # on the "never pair" list
    INVALID = "invalid"  # a value out of range, an empty reason


@dataclass(frozen=True, slots=True)
class Brief:
    """A participant as the curator and the partner see them."""

    participant_id: int
    name: str
    detail: str | None  # class, or subject and position, or occupation


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run proposed."""

    mentees: int
    mentors: int
    places: int
    proposals: int
    unmatched: int
    average: float
    threshold: int


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal on the curator's screen."""

    id: int
    program_id: int
    mentee: Brief
    mentor: Brief
    score: int
    reasons: str | None
    manual: bool


@dataclass(frozen=True, slots=True)
class Alternative:
    """A mentor a mentee could be moved to."""

    mentor: Brief
    score: int
    free: int


@dataclass(frozen=True, slots=True)
class Settings:
    """A program's matching settings and where it stands."""

    program_id: int
    program: str
    threshold: int
    pair_kind: PairKind
    ready_mentees: int
    approved_mentors: int
    open_proposals: int
    active_pairs: int
    open_requests: int


@dataclass(frozen=True, slots=True)
class MyPair:
    """One partner of a participant, for a change request."""

    pair_id: int
    mentee_participant_id: int
    program: str
    role: ParticipantRole  # the asker's role
    partner: str


@dataclass(frozen=True, slots=True)
class ChangeRequestView:
    """An open change request on the curator's screen."""

    id: int
    program_id: int
    requester: str
    requester_role: ParticipantRole
    mentee: Brief
    mentor: Brief
    reason: str


def grade_number(grade: str | None) -> int | None:
    """The year of a school class (its leading number), None when it has none."""
    found = GRADE_RE.search(grade or "")
    return int(found.group()) if found else None


def brief(participant: Participant, person: Person) -> Brief:
    """A participant's name and the one detail that places them."""
    if person.grade:
        detail: str | None = person.grade
    elif person.subject or person.position:
        detail = ", ".join(part for part in (person.subject, person.position) if part)
    else:
        detail = person.occupation or person.workplace
    return Brief(participant.id, person.full_name or "—", detail)


def _question_by_key(definition: QuestionnaireDef) -> dict[str, Question]:
    return {q.match.key: q for q in definition.questions if q.match is not None}


def reason_parts(
    criteria: Sequence[assignment.Criterion], mentee: Mapping[str, JSON], mentor: Mapping[str, JSON]
) -> list[dict[str, Any]]:
    """The parts of a pair's score worth naming, best first: shared options of public criteria."""
    parts = assignment.public_parts(assignment.explain(criteria, mentee, mentor))
    named = [
        {"key": part.key, "common": list(part.common)}
        for part in parts
        if part.similarity > 0 and part.common
    ]
    return named[:REASONS_SHOWN]


def describe(
    definition: QuestionnaireDef | None, parts: Iterable[Mapping[str, Any]], locale: str
) -> str | None:
    """Reasons in the reader's language, each a question's label and the options both share:
    "Interests: sports, music; Help with subjects: maths"."""
    if definition is None:
        return None
    questions = _question_by_key(definition)
    pieces = []
    for part in parts:
        question = questions.get(str(part.get("key")))
        if question is None or (question.match is not None and question.match.private):
            continue
        labels = [
            option.text.get(locale)
            for option_id in part.get("common") or ()
            if (option := question.option(str(option_id))) is not None
        ]
        if labels:
            pieces.append(f"{question.label(locale)}: {', '.join(labels)}")
    return "; ".join(pieces) or None


class StaffService(Service):
    """A service for the staff of a program: access checks and the audit of their acts."""

    @cached_property
    def access(self) -> Access:
        """Who may see and change what."""
        return Access(self.session)

    async def _program(self, actor: Actor, program_id: int) -> Program | MatchError:
        program = await self.access.program(actor, program_id)
        if program is Refusal.NOT_FOUND:
            return MatchError.NOT_FOUND
        if program is Refusal.NOT_ALLOWED:
            return MatchError.NOT_ALLOWED
        assert isinstance(program, Program)
        return program

    async def _audit(
        self, actor: Actor, action: str, entity: str, entity_id: object, **details: object
    ) -> None:
        self.audit.record(await acting(self.session, actor), action, entity, entity_id, **details)

    async def _load(self, mentor_ids: Sequence[int]) -> dict[int, int]:
        """How many mentees each mentor has in active pairs."""
        rows = await self.session.execute(
            select(Pair.mentor_participant_id, func.count(PairMember.id))
            .join(PairMember, PairMember.pair_id == Pair.id)
            .where(
                Pair.mentor_participant_id.in_(mentor_ids),
                Pair.status == PairStatus.ACTIVE,
                PairMember.role == ParticipantRole.MENTEE,
            )
            .group_by(Pair.mentor_participant_id)
        )
        return dict(rows.all())


def in_active_pair(person: ColumnElement[int] | int) -> ColumnElement[bool]:
    """Whether the person is a member of an active pair or group."""
    return exists().where(
        PairMember.participant_id == Participant.id,
        Participant.person_id == person,
        Pair.id == PairMember.pair_id,
        Pair.status == PairStatus.ACTIVE,
    )


class MatchingService(StaffService):
    """Runs the matching and carries out the curator's decisions."""

    def __init__(self, *common: Any, questionnaires: QuestionnaireService) -> None:
        super().__init__(*common)
        self.questionnaires = questionnaires

    # --- settings --------------------------------------------------------------------------------

    async def settings(self, actor: Actor, program_id: int) -> Settings | MatchError:
        """The program's threshold, pair kind and counts."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        mentees = await self._ready_mentees(program.id)
        mentors = await self._approved_mentors(program.id)
        open_proposals = await self.session.scalar(
            select(func.count()).where(
                MatchProposal.program_id == program.id,
                MatchProposal.status == ProposalStatus.PROPOSED,
            )
        )
        active = await self.session.scalar(
            select(func.count()).where(
                Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE
            )
        )
        requests = await self.session.scalar(
            select(func.count())
            .select_from(PairChangeRequest)
            .join(Pair, Pair.id == PairChangeRequest.pair_id)
            .where(
                Pair.program_id == program.id,
                PairChangeRequest.status == ChangeRequestStatus.REQUESTED,
            )
        )
        return Settings(
            program.id,
            program.name,
            program.match_threshold,
            program.pair_kind,
            len(mentees),
            len(mentors),
            open_proposals or 0,
            active or 0,
            requests or 0,
        )

    async def set_threshold(
        self, actor: Actor, program_id: int, threshold: int
    ) -> MatchError | None:
        """Proposals below `threshold` (0–100) are not made."""
        if not 0 <= threshold <= 100:
            return MatchError.INVALID
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        program.match_threshold = threshold
        await self._audit(actor, ACTION_SETTINGS, "programs", program.id, threshold=threshold)
        return None

    async def set_pair_kind(
        self, actor: Actor, program_id: int, kind: PairKind
    ) -> MatchError | None:
        """Pairs (a mentor with each mentee apart) or groups (a mentor with all their mentees)."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        program.pair_kind = kind
        await self._audit(actor, ACTION_SETTINGS, "programs", program.id, pair_kind=kind.value)
        return None

    # --- running ---------------------------------------------------------------------------------

    async def run(self, actor: Actor, program_id: int) -> RunSummary | MatchError:
        """Replace the open proposals by the best assignment of the whole program."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        now = self.clock.now()
        await self.session.execute(
            update(MatchProposal)
            .where(
                MatchProposal.program_id == program.id,
                MatchProposal.status == ProposalStatus.PROPOSED,
            )
            .values(status=ProposalStatus.SUPERSEDED, decided_at=now)
        )
        mentees = await self._ready_mentees(program.id)
        mentors = await self._approved_mentors(program.id)
        free = await self._free_places(mentors, count_proposals=False)
        candidates = [m for m in mentors if free[m[0].id] > 0]
        features = await self._features(program, [p for p, _ in mentees + candidates])
        criteria = await self._criteria(program, [p for p, _ in mentees])
        scores = self._scores(criteria, features, mentees, candidates)
        allowed = await self._allowed(program, mentees, candidates)
        capacities = [free[p.id] for p, _ in candidates]
        chosen = assignment.assign(scores, capacities, program.match_threshold, allowed)
        total = 0.0
        for i, j in chosen:
            mentee, mentor = mentees[i][0], candidates[j][0]
            score = float(scores[i, j])
            total += score
            self.session.add(
                MatchProposal(
                    program_id=program.id,
                    mentee_participant_id=mentee.id,
                    mentor_participant_id=mentor.id,
                    score=score,
                    reasons=reason_parts(
                        criteria[mentee.id][1], features[mentee.id], features[mentor.id]
                    ),
                    status=ProposalStatus.PROPOSED,
                    manual=False,
                    created_at=now,
                )
            )
        await self.session.flush()
        summary = RunSummary(
            mentees=len(mentees),
            mentors=len(candidates),
            places=sum(capacities),
            proposals=len(chosen),
            unmatched=len(mentees) - len(chosen),
            average=total / len(chosen) if chosen else 0.0,
            threshold=program.match_threshold,
        )
        await self._audit(
            actor,
            ACTION_RUN,
            "programs",
            program.id,
            proposals=summary.proposals,
            unmatched=summary.unmatched,
            threshold=summary.threshold,
        )
        return summary

    async def proposals(
        self, actor: Actor, program_id: int, locale: str
    ) -> list[ProposalView] | MatchError:
        """The open proposals, best score first."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        rows = await self.session.scalars(
            select(MatchProposal)
            .where(
                MatchProposal.program_id == program.id,
                MatchProposal.status == ProposalStatus.PROPOSED,
            )
            .order_by(MatchProposal.score.desc(), MatchProposal.id)
        )
        return [await self._view(row, locale) for row in rows]

    async def proposal(
        self, actor: Actor, proposal_id: int, locale: str
    ) -> ProposalView | MatchError:
        """One open proposal."""
        row = await self._open_proposal(actor, proposal_id)
        if isinstance(row, MatchError):
            return row
        return await self._view(row, locale)

    async def unmatched(self, actor: Actor, program_id: int) -> list[Brief] | MatchError:
        """Ready mentees with neither a pair nor an open proposal (for follow-up and hand
        matching)."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        proposed = set(
            await self.session.scalars(
                select(MatchProposal.mentee_participant_id).where(
                    MatchProposal.program_id == program.id,
                    MatchProposal.status == ProposalStatus.PROPOSED,
                )
            )
        )
        return [
            brief(participant, person)
            for participant, person in await self._ready_mentees(program.id)
            if participant.id not in proposed
        ]

    # --- decisions -------------------------------------------------------------------------------

    async def approve(self, actor: Actor, proposal_id: int) -> MatchError | None:
        """Create the pair (or add to the mentor's group) and introduce both sides."""
        row = await self._open_proposal(actor, proposal_id)
        if isinstance(row, MatchError):
            return row
        return await self._approve(actor, row)

    async def approve_all(self, actor: Actor, program_id: int) -> tuple[int, int] | MatchError:
        """Approve every open proposal, best first; (approved, skipped)."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        rows = list(
            await self.session.scalars(
                select(MatchProposal)
                .where(
                    MatchProposal.program_id == program.id,
                    MatchProposal.status == ProposalStatus.PROPOSED,
                )
                .order_by(MatchProposal.score.desc(), MatchProposal.id)
            )
        )
        approved = 0
        for row in rows:
            if await self._approve(actor, row) is None:
                approved += 1
        return approved, len(rows) - approved

    async def reject(
        self, actor: Actor, proposal_id: int, *, never: bool = False
    ) -> MatchError | None:
        """Drop a proposal; the two are not proposed to each other again (`never`: not even by
        hand)."""
        row = await self._open_proposal(actor, proposal_id)
        if isinstance(row, MatchError):
            return row
        row.status = ProposalStatus.REJECTED
        row.decided_at = self.clock.now()
        row.decided_by_person_id = actor if isinstance(actor, int) else None
        kind = ExclusionKind.NEVER if never else ExclusionKind.REJECTED
        await self._exclude(
            actor, row.program_id, row.mentee_participant_id, row.mentor_participant_id, kind
        )
        await self._audit(actor, ACTION_REJECTED, "match_proposals", row.id, never=never)
        return None

    async def alternatives(
        self, actor: Actor, mentee_participant_id: int
    ) -> list[Alternative] | MatchError:
        """Approved mentors with a free place the mentee may be moved to, best score first."""
        mentee = await self._mentee(actor, mentee_participant_id)
        if isinstance(mentee, MatchError):
            return mentee
        program = await self.session.get_one(Program, mentee.program_id)
        mentors = await self._approved_mentors(program.id)
        free = await self._free_places(mentors, count_proposals=True, except_mentee=mentee.id)
        never = await self._never(mentee.id)
        candidates = [
            m
            for m in mentors
            if free[m[0].id] > 0 and m[0].id not in never and m[0].person_id != mentee.person_id
        ]
        if not candidates:
            return []
        person = await self.session.get_one(Person, mentee.person_id)
        features = await self._features(program, [mentee, *(p for p, _ in candidates)])
        criteria = await self._criteria(program, [mentee])
        scores = self._scores(criteria, features, [(mentee, person)], candidates)
        ranked = sorted(range(len(candidates)), key=lambda j: (-scores[0, j], candidates[j][0].id))
        return [
            Alternative(
                brief(*candidates[j]), round(float(scores[0, j])), free[candidates[j][0].id]
            )
            for j in ranked[:ALTERNATIVES]
        ]

    async def move(
        self, actor: Actor, mentee_participant_id: int, mentor_participant_id: int
    ) -> int | MatchError:
        """Propose the mentee to this mentor by hand (replacing their open proposal); the new
        proposal's id."""
        mentee = await self._mentee(actor, mentee_participant_id)
        if isinstance(mentee, MatchError):
            return mentee
        mentor = await self.session.get(Participant, mentor_participant_id)
        if (
            mentor is None
            or mentor.program_id != mentee.program_id
            or mentor.role is not ParticipantRole.MENTOR
        ):
            return MatchError.NOT_FOUND
        if (
            not mentor.approved
            or mentor.status not in MENTOR_ACTIVE
            or mentor.person_id == mentee.person_id
        ):
            return MatchError.NOT_READY
        if mentor.id in await self._never(mentee.id):
            return MatchError.EXCLUDED
        mentor_person = await self.session.get_one(Person, mentor.person_id)
        free = await self._free_places(
            [(mentor, mentor_person)], count_proposals=True, except_mentee=mentee.id
        )
        if free[mentor.id] <= 0:
            return MatchError.FULL
        program = await self.session.get_one(Program, mentee.program_id)
        now = self.clock.now()
        await self.session.execute(
            update(MatchProposal)
            .where(
                MatchProposal.mentee_participant_id == mentee.id,
                MatchProposal.status == ProposalStatus.PROPOSED,
            )
            .values(status=ProposalStatus.SUPERSEDED, decided_at=now)
        )
        features = await self._features(program, [mentee, mentor])
        criteria = await self._criteria(program, [mentee])
        mentee_person = await self.session.get_one(Person, mentee.person_id)
        scores = self._scores(
            criteria, features, [(mentee, mentee_person)], [(mentor, mentor_person)]
        )
        row = MatchProposal(
            program_id=program.id,
            mentee_participant_id=mentee.id,
            mentor_participant_id=mentor.id,
            score=float(scores[0, 0]),
            reasons=reason_parts(criteria[mentee.id][1], features[mentee.id], features[mentor.id]),
            status=ProposalStatus.PROPOSED,
            manual=True,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        await self._audit(
            actor, ACTION_MOVED, "match_proposals", row.id, mentee=mentee.id, mentor=mentor.id
        )
        return row.id

    # --- change requests -------------------------------------------------------------------------

    async def my_pairs(self, person_id: int) -> list[MyPair]:
        """The person's active partners (a mentor sees each mentee of a group apart)."""
        mine = (
            select(PairMember.pair_id, Participant.role)
            .join(Participant, Participant.id == PairMember.participant_id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(Participant.person_id == person_id, Pair.status == PairStatus.ACTIVE)
        )
        result = []
        for pair_id, role in (await self.session.execute(mine)).all():
            pair = await self.session.get_one(Pair, pair_id)
            program = await self.session.get_one(Program, pair.program_id)
            members = await self._members(pair.id)
            mentor = next((m for m in members if m[0].role is ParticipantRole.MENTOR), None)
            for participant, person in members:
                if participant.role is not ParticipantRole.MENTEE:
                    continue
                if role is ParticipantRole.MENTEE and participant.person_id != person_id:
                    continue
                partner = (
                    person if role is ParticipantRole.MENTOR else (mentor[1] if mentor else None)
                )
                result.append(
                    MyPair(
                        pair.id,
                        participant.id,
                        program.name,
                        role,
                        (partner.full_name if partner else None) or "—",
                    )
                )
        return result

    async def request_change(
        self, person_id: int, pair_id: int, mentee_participant_id: int, reason: str
    ) -> int | MatchError:
        """Ask the curators for another partner; they are told. The request's id."""
        reason = " ".join(reason.split())
        if not reason or len(reason) > REASON_MAX:
            return MatchError.INVALID
        mine = next(
            (
                p
                for p in await self.my_pairs(person_id)
                if (p.pair_id, p.mentee_participant_id) == (pair_id, mentee_participant_id)
            ),
            None,
        )
        if mine is None:
            return MatchError.NOT_FOUND
        open_request = await self.session.scalar(
            select(PairChangeRequest.id).where(
                PairChangeRequest.pair_id == pair_id,
                PairChangeRequest.mentee_participant_id == mentee_participant_id,
                PairChangeRequest.status == ChangeRequestStatus.REQUESTED,
            )
        )
        if open_request is not None:
            return MatchError.DECIDED
        pair = await self.session.get_one(Pair, pair_id)
        asker = await self.session.scalar(
            select(Participant).where(
                Participant.program_id == pair.program_id,
                Participant.person_id == person_id,
                Participant.role == mine.role,
            )
        )
        assert asker is not None
        request = PairChangeRequest(
            pair_id=pair_id,
            mentee_participant_id=mentee_participant_id,
            requested_by_participant_id=asker.id,
            reason=reason,
            status=ChangeRequestStatus.REQUESTED,
            created_at=self.clock.now(),
        )
        self.session.add(request)
        await self.session.flush()
        person = await self.session.get_one(Person, person_id)
        await self.tell_curators(
            pair.program_id,
            f"change-request:{request.id}",
            NotificationKind.PAIR,
            "change-requested-curator",
            {
                "program": mine.program,
                "name": person.full_name or "—",
                "role": mine.role.value,
                "partner": mine.partner,
                "reason": reason,
            },
        )
        self.audit.record(
            person, ACTION_CHANGE_REQUESTED, "pair_change_requests", request.id, pair=pair_id
        )
        return request.id

    async def change_requests(
        self, actor: Actor, program_id: int
    ) -> list[ChangeRequestView] | MatchError:
        """The program's open change requests, oldest first."""
        program = await self._program(actor, program_id)
        if isinstance(program, MatchError):
            return program
        rows = await self.session.scalars(
            select(PairChangeRequest)
            .join(Pair, Pair.id == PairChangeRequest.pair_id)
            .where(
                Pair.program_id == program.id,
                PairChangeRequest.status == ChangeRequestStatus.REQUESTED,
            )
            .order_by(PairChangeRequest.id)
        )
        return [await self._request_view(row, program.id) for row in rows]

    async def decide_change(
        self, actor: Actor, request_id: int, *, approve: bool
    ) -> MatchError | None:
        """Approve (the mentee leaves the pair and goes back to matching, the two are not
        proposed to each other again) or decline; both sides are told."""
        request = await self.session.get(PairChangeRequest, request_id)
        if request is None:
            return MatchError.NOT_FOUND
        pair = await self.session.get_one(Pair, request.pair_id)
        program = await self._program(actor, pair.program_id)
        if isinstance(program, MatchError):
            return program
        if request.status is not ChangeRequestStatus.REQUESTED:
            return MatchError.DECIDED
        now = self.clock.now()
        request.status = ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.DECLINED
        request.decided_at = now
        request.decided_by_person_id = actor if isinstance(actor, int) else None
        mentee = await self.session.get_one(Participant, request.mentee_participant_id)
        mentor = await self.session.get_one(Participant, pair.mentor_participant_id)
        asker = await self.session.get_one(Participant, request.requested_by_participant_id)
        if approve:
            await self._split(pair, mentee, mentor)
            await self._exclude(actor, program.id, mentee.id, mentor.id, ExclusionKind.CHANGE)
            for side in (mentee, mentor):
                other = mentor if side is mentee else mentee
                other_person = await self.session.get_one(Person, other.person_id)
                await self.outbox.plan(
                    key=f"change-approved:{request.id}:{side.id}",
                    kind=NotificationKind.PAIR,
                    recipient_id=side.person_id,
                    text_id="change-approved",
                    args={
                        "program": program.name,
                        "partner": other_person.full_name or "—",
                        "role": side.role.value,
                        "asked": "yes" if side.id == asker.id else "no",
                    },
                )
        else:
            await self.outbox.plan(
                key=f"change-declined:{request.id}",
                kind=NotificationKind.PAIR,
                recipient_id=asker.person_id,
                text_id="change-declined",
                args={"program": program.name},
            )
        await self._audit(
            actor, ACTION_CHANGE_DECIDED, "pair_change_requests", request.id, approved=approve
        )
        return None

    # --- internals -------------------------------------------------------------------------------

    async def _open_proposal(self, actor: Actor, proposal_id: int) -> MatchProposal | MatchError:
        row = await self.session.get(MatchProposal, proposal_id)
        if row is None:
            return MatchError.NOT_FOUND
        program = await self._program(actor, row.program_id)
        if isinstance(program, MatchError):
            return program
        if row.status is not ProposalStatus.PROPOSED:
            return MatchError.DECIDED
        return row

    async def _mentee(self, actor: Actor, participant_id: int) -> Participant | MatchError:
        """A ready mentee of a program the actor may see."""
        mentee = await self.session.get(Participant, participant_id)
        if mentee is None or mentee.role is not ParticipantRole.MENTEE:
            return MatchError.NOT_FOUND
        program = await self._program(actor, mentee.program_id)
        if isinstance(program, MatchError):
            return program
        if mentee.status is not ParticipantStatus.READY:
            return MatchError.NOT_READY
        return mentee

    async def _ready_mentees(self, program_id: int) -> list[tuple[Participant, Person]]:
        rows = await self.session.execute(
            select(Participant, Person)
            .join(Person, Person.id == Participant.person_id)
            .where(
                Participant.program_id == program_id,
                Participant.role == ParticipantRole.MENTEE,
                Participant.status == ParticipantStatus.READY,
            )
            .order_by(Participant.id)
        )
        return [(p, person) for p, person in rows]

    async def _approved_mentors(self, program_id: int) -> list[tuple[Participant, Person]]:
        rows = await self.session.execute(
            select(Participant, Person)
            .join(Person, Person.id == Participant.person_id)
            .where(
                Participant.program_id == program_id,
                Participant.role == ParticipantRole.MENTOR,
                Participant.status.in_(MENTOR_ACTIVE),
                Participant.approved.is_(True),
            )
            .order_by(Participant.id)
        )
        return [(p, person) for p, person in rows]

    async def _free_places(
        self,
        mentors: Sequence[tuple[Participant, Person]],
        *,
        count_proposals: bool,
        except_mentee: int | None = None,
    ) -> dict[int, int]:
        ids = [p.id for p, _ in mentors]
        load = await self._load(ids)
        if count_proposals:
            rows = await self.session.execute(
                select(MatchProposal.mentor_participant_id, func.count())
                .where(
                    MatchProposal.mentor_participant_id.in_(ids),
                    MatchProposal.status == ProposalStatus.PROPOSED,
                    MatchProposal.mentee_participant_id != (except_mentee or -1),
                )
                .group_by(MatchProposal.mentor_participant_id)
            )
            for mentor_id, count in rows:
                load[mentor_id] = load.get(mentor_id, 0) + count
        return {p.id: max(0, _capacity(p) - load.get(p.id, 0)) for p, _ in mentors}

    async def _features(
        self, program: Program, participants: Sequence[Participant]
    ) -> dict[int, dict[str, JSON]]:
        """Each participant's answers by matching key (one query for all answers)."""
        ids = [p.id for p in participants]
        stored: dict[int, dict[str, JSON]] = {pid: {} for pid in ids}
        for chunk in _chunks(ids, 500):
            rows = await self.session.execute(
                select(
                    QuestionnaireAnswer.participant_id,
                    QuestionnaireAnswer.questionnaire_id,
                    QuestionnaireAnswer.question_id,
                    QuestionnaireAnswer.value,
                ).where(QuestionnaireAnswer.participant_id.in_(chunk))
            )
            for row in rows.all():
                stored[row.participant_id][f"{row.questionnaire_id}\0{row.question_id}"] = row.value
        result: dict[int, dict[str, JSON]] = {}
        for participant in participants:
            definition = await self._definition(participant)
            if definition is None:
                result[participant.id] = {}
                continue
            prefix = f"{definition.id}\0"
            answers = {
                key.removeprefix(prefix): value
                for key, value in stored[participant.id].items()
                if key.startswith(prefix)
            }
            result[participant.id] = definition.features(
                definition.valid_answers(answers), program.form
            )
        return result

    async def _definition(self, participant: Participant) -> QuestionnaireDef | None:
        cache = self._definitions
        marker = (
            participant.program_id,
            participant.role,
            participant.questionnaire_key,
            participant.questionnaire_version,
        )
        if marker not in cache:
            try:
                cache[marker] = await self.questionnaires.for_participant(participant)
            except NoQuestionnaireError:
                cache[marker] = None
        return cache[marker]

    @cached_property
    def _definitions(self) -> dict[tuple[object, ...], QuestionnaireDef | None]:
        return {}

    async def _criteria(
        self, program: Program, mentees: Sequence[Participant]
    ) -> dict[int, tuple[QuestionnaireDef | None, list[assignment.Criterion]]]:
        """Each mentee's questionnaire and its matching criteria."""
        result = {}
        by_definition: dict[tuple[str, int], list[assignment.Criterion]] = {}
        for mentee in mentees:
            definition = await self._definition(mentee)
            criteria: list[assignment.Criterion] = []
            if definition is not None:
                marker = (definition.id, definition.version)
                if marker not in by_definition:
                    by_definition[marker] = assignment.criteria_of(definition)
                criteria = by_definition[marker]
            result[mentee.id] = (definition, criteria)
        return result

    @staticmethod
    def _scores(
        criteria: Mapping[int, tuple[QuestionnaireDef | None, list[assignment.Criterion]]],
        features: Mapping[int, Mapping[str, JSON]],
        mentees: Sequence[tuple[Participant, Person]],
        mentors: Sequence[tuple[Participant, Person]],
    ) -> np.ndarray:
        """Scores 0–100, mentees × mentors; mentees of one questionnaire are scored together."""
        scores = np.zeros((len(mentees), len(mentors)))
        if not mentors:
            return scores
        mentor_features = [features[p.id] for p, _ in mentors]
        groups: dict[tuple[assignment.Criterion, ...], list[int]] = {}
        for i, (mentee, _) in enumerate(mentees):
            groups.setdefault(tuple(criteria[mentee.id][1]), []).append(i)
        for rows in groups.values():
            group_criteria = criteria[mentees[rows[0]][0].id][1]
            scores[rows, :] = assignment.score_matrix(
                group_criteria, [features[mentees[i][0].id] for i in rows], mentor_features
            )
        return scores

    async def _allowed(
        self,
        program: Program,
        mentees: Sequence[tuple[Participant, Person]],
        mentors: Sequence[tuple[Participant, Person]],
    ) -> np.ndarray:
        """Pairs the rules allow: not excluded, not the same person, and between students an
        older mentor (when both classes are known)."""
        allowed = np.ones((len(mentees), len(mentors)), dtype=bool)
        row = {p.id: i for i, (p, _) in enumerate(mentees)}
        column = {p.id: j for j, (p, _) in enumerate(mentors)}
        excluded = await self.session.execute(
            select(
                MatchExclusion.mentee_participant_id, MatchExclusion.mentor_participant_id
            ).where(MatchExclusion.program_id == program.id)
        )
        for mentee_id, mentor_id in excluded:
            if mentee_id in row and mentor_id in column:
                allowed[row[mentee_id], column[mentor_id]] = False
        mentee_people = np.array([p.person_id for p, _ in mentees], dtype=np.int64)
        mentor_people = np.array([p.person_id for p, _ in mentors], dtype=np.int64)
        allowed &= mentee_people[:, None] != mentor_people[None, :]
        if program.form is MentorshipForm.STUDENT_STUDENT:
            mentee_grades = np.array([grade_number(p.grade) or 0 for _, p in mentees])
            mentor_grades = np.array([grade_number(p.grade) or 99 for _, p in mentors])
            allowed &= mentor_grades[None, :] > mentee_grades[:, None]
        return allowed

    async def _never(self, mentee_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(MatchExclusion.mentor_participant_id).where(
                MatchExclusion.mentee_participant_id == mentee_id,
                MatchExclusion.kind == ExclusionKind.NEVER,
            )
        )
        return set(rows)

    async def _exclude(
        self, actor: Actor, program_id: int, mentee_id: int, mentor_id: int, kind: ExclusionKind
    ) -> None:
        existing = await self.session.scalar(
            select(MatchExclusion).where(
                MatchExclusion.mentee_participant_id == mentee_id,
                MatchExclusion.mentor_participant_id == mentor_id,
            )
        )
        if existing is not None:
            if kind is ExclusionKind.NEVER:
                existing.kind = kind
            return
        await self.session.execute(
            insert_or_skip(
                self.session, MatchExclusion, ["mentee_participant_id", "mentor_participant_id"]
            ).values(
                program_id=program_id,
                mentee_participant_id=mentee_id,
                mentor_participant_id=mentor_id,
                kind=kind,
                created_by_person_id=actor if isinstance(actor, int) else None,
                created_at=self.clock.now(),
            )
        )

    async def _approve(self, actor: Actor, row: MatchProposal) -> MatchError | None:
        mentee = await self._locked(row.mentee_participant_id)
        mentor = await self._locked(row.mentor_participant_id)
        now = self.clock.now()
        if (
            mentee.status is not ParticipantStatus.READY
            or not mentor.approved
            or mentor.status not in MENTOR_ACTIVE
        ):
            row.status = ProposalStatus.SUPERSEDED
            row.decided_at = now
            return MatchError.NOT_READY
        if (await self._load([mentor.id])).get(mentor.id, 0) >= _capacity(mentor):
            return MatchError.FULL
        program = await self.session.get_one(Program, row.program_id)
        pair = await self._pair_for(program, mentor, row)
        self.session.add(
            PairMember(
                pair_id=pair.id,
                participant_id=mentee.id,
                role=ParticipantRole.MENTEE,
                joined_at=now,
                score=row.score,
                reasons=row.reasons,
            )
        )
        mentee.status = ParticipantStatus.MATCHED
        mentor.status = ParticipantStatus.MATCHED
        mentee.updated_at = mentor.updated_at = now
        row.status = ProposalStatus.APPROVED
        row.decided_at = now
        row.decided_by_person_id = actor if isinstance(actor, int) else None
        await self.session.flush()
        await self._introduce(program, pair, mentee, mentor, row.reasons)
        await self._audit(
            actor,
            ACTION_APPROVED,
            "pairs",
            pair.id,
            mentee=mentee.id,
            mentor=mentor.id,
            score=round(row.score),
        )
        return None

    async def _locked(self, participant_id: int) -> Participant:
        """The participant's row, locked until the transaction ends (PostgreSQL)."""
        participant = await self.session.scalar(
            select(Participant).where(Participant.id == participant_id).with_for_update()
        )
        assert participant is not None
        return participant

    async def _pair_for(self, program: Program, mentor: Participant, row: MatchProposal) -> Pair:
        """The mentor's active group in group mode, else a new pair."""
        now = self.clock.now()
        if program.pair_kind is PairKind.GROUP:
            group = await self.session.scalar(
                select(Pair).where(
                    Pair.program_id == program.id,
                    Pair.mentor_participant_id == mentor.id,
                    Pair.status == PairStatus.ACTIVE,
                    Pair.kind == PairKind.GROUP,
                )
            )
            if group is not None:
                return group
        pair = Pair(
            program_id=program.id,
            kind=program.pair_kind,
            status=PairStatus.ACTIVE,
            mentor_participant_id=mentor.id,
            score=row.score,
            created_at=now,
            approved_at=now,
            approved_by_person_id=row.decided_by_person_id,
        )
        self.session.add(pair)
        await self.session.flush()
        self.session.add(
            PairMember(
                pair_id=pair.id,
                participant_id=mentor.id,
                role=ParticipantRole.MENTOR,
                joined_at=now,
            )
        )
        return pair

    async def _introduce(
        self,
        program: Program,
        pair: Pair,
        mentee: Participant,
        mentor: Participant,
        reasons: Sequence[Mapping[str, Any]],
    ) -> None:
        """Tell each side who the other is and why they were paired, in their own language;
        a messenger link only to a partner who allowed sharing it."""
        definition = await self._definition(mentee)
        people = {p.id: await self.session.get_one(Person, p.person_id) for p in (mentee, mentor)}
        for side, other in ((mentee, mentor), (mentor, mentee)):
            reader, partner = people[side.id], people[other.id]
            about = brief(other, partner)
            await self.outbox.plan(
                key=f"pair-intro:{pair.id}:{mentee.id}:{side.id}",
                kind=NotificationKind.PAIR,
                recipient_id=reader.id,
                text_id=f"pair-intro-{side.role.value}",
                args={
                    "program": program.name,
                    "partner": about.name,
                    "detail": about.detail or "none",
                    "reasons": describe(definition, reasons, reader.locale) or "none",
                    "contact": await self._contact(partner, reader) or "none",
                    "group": "yes" if pair.kind is PairKind.GROUP else "no",
                },
            )

    async def _contact(self, person: Person, reader: Person) -> str | None:
        """A link to the person's messenger profile, if they allowed sharing it: in a messenger
        the reader uses when possible (a Telegram link does not open from VK)."""
        if not person.share_contact:
            return None
        accounts = list(
            await self.session.scalars(
                select(MessengerAccount)
                .where(
                    MessengerAccount.person_id.in_((person.id, reader.id)),
                    MessengerAccount.reachable.is_(True),
                )
                .order_by(MessengerAccount.id)
            )
        )
        read_in = {a.channel for a in accounts if a.person_id == reader.id}
        theirs = [a for a in accounts if a.person_id == person.id]
        theirs.sort(key=lambda a: (a.channel not in read_in, a.channel != person.notify_channel))
        for account in theirs:
            if account.channel is Channel.VK:
                return f"https://vk.com/id{account.external_user_id}"
            if account.channel is Channel.TELEGRAM:
                return f"tg://user?id={account.external_user_id}"
        return None

    async def _members(self, pair_id: int) -> list[tuple[Participant, Person]]:
        rows = await self.session.execute(
            select(Participant, Person)
            .join(PairMember, PairMember.participant_id == Participant.id)
            .join(Person, Person.id == Participant.person_id)
            .where(PairMember.pair_id == pair_id)
            .order_by(PairMember.id)
        )
        return [(p, person) for p, person in rows]

    async def _split(self, pair: Pair, mentee: Participant, mentor: Participant) -> None:
        """The mentee leaves the pair; an emptied pair is dissolved; both may be matched again."""
        now = self.clock.now()
        member = await self.session.scalar(
            select(PairMember).where(
                PairMember.pair_id == pair.id, PairMember.participant_id == mentee.id
            )
        )
        if member is not None:
            await self.session.delete(member)
            await self.session.flush()
        if mentee.status is ParticipantStatus.MATCHED:
            mentee.status = ParticipantStatus.READY
            mentee.updated_at = now
        remaining = (await self._load([mentor.id])).get(mentor.id, 0)
        if remaining == 0:
            pair.status = PairStatus.DISSOLVED
            pair.ended_at = now
            if mentor.status is ParticipantStatus.MATCHED:
                mentor.status = ParticipantStatus.READY
                mentor.updated_at = now

    async def _view(self, row: MatchProposal, locale: str) -> ProposalView:
        mentee = await self.session.get_one(Participant, row.mentee_participant_id)
        mentor = await self.session.get_one(Participant, row.mentor_participant_id)
        mentee_person = await self.session.get_one(Person, mentee.person_id)
        mentor_person = await self.session.get_one(Person, mentor.person_id)
        return ProposalView(
            row.id,
            row.program_id,
            brief(mentee, mentee_person),
            brief(mentor, mentor_person),
            round(row.score),
            describe(await self._definition(mentee), row.reasons, locale),
            row.manual,
        )

    async def _request_view(self, row: PairChangeRequest, program_id: int) -> ChangeRequestView:
        pair = await self.session.get_one(Pair, row.pair_id)
        people = {}
        for participant_id in (
            row.mentee_participant_id,
            pair.mentor_participant_id,
            row.requested_by_participant_id,
        ):
            participant = await self.session.get_one(Participant, participant_id)
            people[participant_id] = (
                participant,
                await self.session.get_one(Person, participant.person_id),
            )
        asker, asker_person = people[row.requested_by_participant_id]
        return ChangeRequestView(
            row.id,
            program_id,
            asker_person.full_name or "—",
            asker.role,
            brief(*people[row.mentee_participant_id]),
            brief(*people[pair.mentor_participant_id]),
            row.reason,
        )


def _capacity(mentor: Participant) -> int:
    """How many mentees a mentor takes; one when they did not say."""
    return 1 if mentor.capacity is None else mentor.capacity


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
