"""Model constraints and column types on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import (
    AuditLog,
    Base,
    Channel,
    Consent,
    ConsentPurpose,
    ConsentRelation,
    ConsentStatus,
    Database,
    DialogState,
    MessengerAccount,
    Notification,
    Organization,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    QuestionnaireAnswer,
    UTCDateTime,
)
from tests.integration import factories as f

MOSCOW = timezone(timedelta(hours=3))


async def count_rows(session: AsyncSession, model: type[Base], **where: Any) -> int:
    query = select(func.count()).select_from(model).filter_by(**where)
    return int(await session.scalar(query) or 0)


async def test_timestamps_come_back_aware_utc(database: Database) -> None:
    async with database.sessions() as session:
        org = Organization(name="Школа", created_at=datetime(2025, 9, 1, 12, 30, tzinfo=MOSCOW))
        session.add(org)
        await session.commit()
        org_id = org.id

    async with database.sessions() as session:
        loaded = await session.get_one(Organization, org_id)
        assert loaded.created_at == datetime(2025, 9, 1, 9, 30, tzinfo=UTC)
        assert loaded.created_at.tzinfo is UTC
        # Ordering and comparison happen in UTC in the database too.
        later_count = await count_rows(session, Organization)
        found = await session.scalar(
            select(Organization.id).where(
                Organization.created_at > datetime(2025, 9, 1, 9, 29, tzinfo=UTC)
            )
        )
        assert (later_count, found) == (1, org_id)


async def test_naive_timestamps_are_refused(database: Database) -> None:
    async with database.sessions() as session:
        session.add(Organization(name="Школа", created_at=datetime(2025, 9, 1, 12, 30)))  # noqa: DTZ001
        with pytest.raises(StatementError) as caught:
            await session.flush()

    assert isinstance(caught.value.orig, ValueError)


def test_utc_datetime_refuses_naive_values_itself() -> None:
    column_type = UTCDateTime()
    dialect: Any = None
    with pytest.raises(ValueError, match="naive"):
        column_type.process_bind_param(datetime(2025, 1, 1), dialect)  # noqa: DTZ001

    aware = column_type.process_bind_param(datetime(2025, 1, 1, 3, tzinfo=MOSCOW), dialect)
    assert aware == datetime(2025, 1, 1, 0, tzinfo=UTC)
    assert aware is not None
    assert aware.tzinfo is UTC


async def test_enums_are_stored_as_their_values(database: Database) -> None:
    async with database.sessions() as session:
        who = await f.person(session)
        await f.account(session, who, channel=Channel.VK, external_user_id="id1")
        await session.commit()

        raw = await session.scalar(text("SELECT channel FROM messenger_accounts"))
        loaded = await session.scalar(select(MessengerAccount.channel))

    assert raw == "vk"
    assert loaded is Channel.VK


async def test_one_account_per_channel_and_external_id(database: Database) -> None:
    async with database.sessions() as session:
        first, second = await f.person(session), await f.person(session)
        await f.account(session, first, channel=Channel.TELEGRAM, external_user_id="777")
        # The same id in another messenger is another account.
        await f.account(session, second, channel=Channel.VK, external_user_id="777")
        await session.commit()

        with pytest.raises(IntegrityError):
            await f.account(session, second, channel=Channel.TELEGRAM, external_user_id="777")


async def test_foreign_keys_are_enforced(database: Database) -> None:
    async with database.sessions() as session:
        who = await f.person(session)
        await session.commit()

        session.add(
            Participant(
                program_id=9999,
                person_id=who.id,
                role=ParticipantRole.MENTEE,
                created_at=f.NOW,
                updated_at=f.NOW,
            )
        )
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_deleting_a_person_deletes_their_personal_data(database: Database) -> None:
    async with database.sessions() as session:
        org = await f.organization(session)
        program = await f.program(session, org)
        child, other = await f.person(session, org), await f.person(session, org)
        await f.account(session, child)
        await f.account(session, other)
        mentee = await f.participant(session, program, child)
        await f.participant(session, program, other, ParticipantRole.MENTOR)
        session.add_all(
            [
                QuestionnaireAnswer(
                    participant_id=mentee.id,
                    questionnaire_id="mentee_intake",
                    questionnaire_version=1,
                    question_id="goals",
                    value=["математика", "уверенность"],
                    answered_at=f.NOW,
                ),
                Consent(
                    subject_person_id=child.id,
                    program_id=program.id,
                    purpose=ConsentPurpose.PERSONAL_DATA,
                    status=ConsentStatus.GRANTED,
                    relation=ConsentRelation.PARENT,
                    given_by_person_id=other.id,
                    text_version="2025-09",
                    channel=Channel.TELEGRAM,
                    decided_at=f.NOW,
                    created_at=f.NOW,
                ),
                Notification(
                    key=f"welcome:{child.id}",
                    kind="welcome",
                    recipient_person_id=child.id,
                    payload={"name": "Маша"},
                    due_at=f.NOW,
                    created_at=f.NOW,
                ),
                DialogState(
                    channel=Channel.TELEGRAM,
                    external_user_id="dialog-of-child",
                    person_id=child.id,
                    state={"step": "menu"},
                    updated_at=f.NOW,
                ),
                AuditLog(
                    at=f.NOW,
                    actor_person_id=child.id,
                    actor=f"person:{child.id}",
                    action="delete_me",
                    entity="person",
                    entity_id=str(child.id),
                ),
            ]
        )
        await session.commit()
        child_id = child.id

    async with database.sessions() as session:
        # A plain SQL DELETE: the database itself, not the ORM, must remove the dependent rows.
        await session.execute(delete(Person).where(Person.id == child_id))
        await session.commit()

    async with database.sessions() as session:
        assert await count_rows(session, MessengerAccount, person_id=child_id) == 0
        assert await count_rows(session, Participant, person_id=child_id) == 0
        assert await count_rows(session, QuestionnaireAnswer) == 0
        assert await count_rows(session, Consent) == 0
        assert await count_rows(session, Notification) == 0
        assert await count_rows(session, DialogState) == 0
        # Everything of the other person stays.
        assert await count_rows(session, MessengerAccount) == 1
        assert await count_rows(session, Participant) == 1
        audit = (await session.scalars(select(AuditLog))).one()
        assert audit.actor_person_id is None
        assert audit.actor == f"person:{child_id}"


async def test_json_keeps_nested_cyrillic_text(database: Database) -> None:
    state = {
        "flow": "анкета_наставляемого",
        "step": 3,
        "answers": {"цели": ["подтянуть алгебру", "выступать на публике"], "класс": "6Б"},
        "flags": {"согласие": True, "родитель": None},
        "ratio": 0.75,
    }
    async with database.sessions() as session:
        session.add(
            DialogState(
                channel=Channel.VK,
                external_user_id="555",
                state=state,
                revision=1,
                updated_at=f.NOW,
            )
        )
        await session.commit()

    async with database.sessions() as session:
        loaded = (await session.scalars(select(DialogState))).one()

    assert loaded.state == state
    assert loaded.person_id is None


async def test_defaults_fill_statuses_and_counters(database: Database) -> None:
    async with database.sessions() as session:
        org = await f.organization(session)
        program = await f.program(session, org)
        part = await f.participant(session, program, await f.person(session, org))
        await session.commit()

    assert (program.stage, program.status.value) == (1, "active")
    assert part.status is ParticipantStatus.INVITED
    assert part.approved is False


async def test_program_stage_must_be_between_one_and_seven(database: Database) -> None:
    async with database.sessions() as session:
        org = await f.organization(session)
        program = await f.program(session, org)
        await session.commit()

        program.stage = 8
        with pytest.raises(IntegrityError):
            await session.flush()
