"""«Мои программы» in chat: a coordinator and a curator, invite links, the access rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.messages import AttachmentKind
from bot.dialogs import build_registry
from bot.dialogs.engine import Choice, ChoiceStep, Dialog, Engine, Invalid
from bot.dialogs.staff import parse_date
from bot.services import InviteLinks, Services
from bot.services.invitations import InviteInfo, qr_png
from bot.services.programs import CLI, OrganizationInfo, ProgramDraft, ProgramInfo
from storage import (
    AuditLog,
    DialogState,
    Invitation,
    InvitationRole,
    MentorshipForm,
    MessengerAccount,
    Notification,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    RoleModel,
    StaffMember,
    StaffRole,
)
from tests.chat import Chat

PROGRAMS = "Мои программы"
CREATE = "Создать программу"
LINKS = "Ссылки-приглашения"
JOINED = "Кто присоединился"
TELEGRAM_LINK = re.compile(r"https://t\.me/nastavnik_bot\?start=(i_[A-Za-z0-9_-]+)")
VK_LINK = re.compile(r"https://vk\.me/club4242\?ref=(i_[A-Za-z0-9_-]+)")
A = "Наставничество 2026/27, ученик – ученик"
B = "Молодые педагоги"


@pytest.fixture(autouse=True)
def links(app: App) -> None:
    """The bot's Telegram username and VK community are known."""
    app.policy.links = InviteLinks("nastavnik_bot", 4242)


async def person_id(app: App, chat: Chat) -> int:
    async with app.database.transaction() as session:
        account = await session.scalar(
            select(MessengerAccount).where(MessengerAccount.external_user_id == chat.user_id)
        )
        assert account is not None
        return account.person_id


async def school(app: App, clock: FrozenClock) -> tuple[OrganizationInfo, ProgramInfo, ProgramInfo]:
    """An organisation with programs A and B."""
    async with app.database.transaction() as session:
        programs = Services(session, clock, app.policy).programs
        org = await programs.create_organization("Школа №5", "Europe/Moscow")
        assert isinstance(org, OrganizationInfo)
        a = await programs.create_program(
            CLI,
            org.id,
            ProgramDraft(A, MentorshipForm.STUDENT_STUDENT, RoleModel.ACHIEVER_UNDERACHIEVER),
        )
        b = await programs.create_program(
            CLI,
            org.id,
            ProgramDraft(B, MentorshipForm.TEACHER_TEACHER, RoleModel.EXPERIENCED_YOUNG_SPECIALIST),
        )
        assert isinstance(a, ProgramInfo)
        assert isinstance(b, ProgramInfo)
        return org, a, b


async def make_coordinator(app: App, clock: FrozenClock, chat: Chat, org_id: int) -> None:
    await chat.send("/start")
    who = await person_id(app, chat)
    async with app.database.transaction() as session:
        session.add(
            StaffMember(
                organization_id=org_id,
                person_id=who,
                role=StaffRole.COORDINATOR,
                created_at=clock.now(),
            )
        )


async def issue(
    app: App, clock: FrozenClock, program_id: int, role: InvitationRole, **limits: object
) -> InviteInfo:
    async with app.database.transaction() as session:
        invite = await Services(session, clock, app.policy).invitations.issue(
            CLI,
            program_id,
            role,
            **limits,  # type: ignore[arg-type]
        )
        assert isinstance(invite, InviteInfo)
        return invite


async def curator_of(app: App, clock: FrozenClock, chat: Chat, program: ProgramInfo) -> None:
    """`chat` opens a curator link of `program`."""
    invite = await issue(app, clock, program.id, InvitationRole.CURATOR, max_uses=1)
    await chat.start(invite.token)


async def count_invitations(app: App, program_id: int) -> int:
    async with app.database.transaction() as session:
        return int(
            await session.scalar(select(func.count()).where(Invitation.program_id == program_id))
            or 0
        )


async def forge_state(app: App, chat: Chat, **data: object) -> None:
    """Change the data of the person's current dialog, as a tampered state would."""
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == chat.user_id)
        )
        assert row is not None
        state = dict(row.state)
        stack = [dict(frame) for frame in state["stack"]]
        stack[-1]["data"] = {**stack[-1]["data"], **data}
        row.state = {**state, "stack": stack}


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --- a coordinator -------------------------------------------------------------------------------


async def test_coordinator_creates_a_program_and_gets_its_links(
    app: App, clock: FrozenClock
) -> None:
    org, _, _ = await school(app, clock)
    coordinator = Chat(app.conversation, user_id="sergey")
    await make_coordinator(app, clock, coordinator, org.id)
    student = Chat(app.conversation, user_id="misha")
    await student.send("/start")
    assert PROGRAMS not in student.labels
    assert CREATE not in student.labels

    await coordinator.send("/menu")
    assert {PROGRAMS, CREATE} <= set(coordinator.labels)
    await coordinator.tap(CREATE)
    assert coordinator.ids == ["staff-create-name"]
    await coordinator.send("Наставничество   2026/27")
    assert coordinator.ids == ["staff-create-form"]
    await coordinator.tap("ученик – ученик")
    assert coordinator.labels[:3] == [
        "успевающий – неуспевающий",
        "лидер – пассивный",
        "равный – равному",
    ]
    assert "коллега – молодой коллега" not in coordinator.labels
    await coordinator.tap("успевающий – неуспевающий")
    assert coordinator.ids == ["staff-create-description"]
    await coordinator.tap("Пропустить")
    await coordinator.send("1 сентября")
    assert coordinator.ids == ["staff-date-invalid"]
    await coordinator.send("31.02.2026")
    assert coordinator.ids == ["staff-date-invalid"]
    await coordinator.send("01.09.2026")
    await coordinator.send("01.09.2026")
    assert coordinator.ids == ["staff-date-order"]
    await coordinator.send("31.05.2027")
    assert coordinator.ids == ["staff-create-review"]
    review = coordinator.last.text
    assert "Название: «Наставничество 2026/27»" in review
    assert "Организация: Школа №5" in review
    assert "Ролевая модель: успевающий – неуспевающий" in review
    assert "Описание: без описания" in review
    assert "Сроки: с 01.09.2026 по 31.05.2027" in review
    await coordinator.tap("Создать программу")
    assert coordinator.ids == ["staff-program-created", "menu-title"]
    assert "«Мои программы»" in coordinator.replies[0].text

    await coordinator.tap(PROGRAMS)
    assert coordinator.ids == ["staff-programs"]
    assert coordinator.labels[:3] == [B, "Наставничество 2026/27", A]
    await coordinator.tap("Наставничество 2026/27")
    assert coordinator.ids == ["staff-card"]
    card = coordinator.last.text
    assert "Форма: ученик – ученик, ролевая модель «успевающий – неуспевающий»" in card
    assert "Этап 1 из 7: подготовка" in card
    assert "Сроки: с 01.09.2026 по 31.05.2027" in card
    assert "Наставляемые: пока никого" in card

    await coordinator.tap(LINKS)
    assert coordinator.labels[:3] == [
        "Для наставляемых",
        "Для наставников",
        "Для куратора (на одного человека)",
    ]
    await coordinator.tap("Для наставляемых")
    assert coordinator.ids == ["staff-qr-telegram", "staff-qr-vk", "staff-links"]
    text = coordinator.last.text
    telegram, vk = TELEGRAM_LINK.search(text), VK_LINK.search(text)
    assert telegram is not None
    assert vk is not None
    assert telegram.group(1) == vk.group(1)
    for reply, link in zip(coordinator.replies, (telegram.group(0), vk.group(0)), strict=False):
        image = reply.attachment
        assert image is not None
        assert (image.kind, image.mime_type) == (AttachmentKind.IMAGE, "image/png")
        assert image.filename is not None
        assert image.filename.endswith(".png")
        assert image.content == qr_png(link), "the QR code of this very link"
        width, height = png_size(image.content)
        assert width == height >= 400

    await coordinator.tap("Заменить ссылку")
    assert coordinator.ids == ["staff-replace-confirm"]
    await coordinator.tap("Да, заменить")
    assert coordinator.ids == ["staff-replaced", "staff-qr-telegram", "staff-qr-vk", "staff-links"]
    fresh = TELEGRAM_LINK.search(coordinator.last.text)
    assert fresh is not None
    assert fresh.group(1) != telegram.group(1)
    assert coordinator.replies[1].attachment is not None
    assert coordinator.replies[1].attachment.content == qr_png(fresh.group(0))
    await coordinator.tap("Готово")
    await coordinator.tap(LINKS)
    await coordinator.tap("Для наставляемых")
    again = TELEGRAM_LINK.search(coordinator.last.text)
    assert again is not None
    assert again.group(1) == fresh.group(1), "the same link is shown again"
    await coordinator.tap("Готово")
    await coordinator.tap(LINKS)
    await coordinator.tap("Для куратора (на одного человека)")
    assert coordinator.ids == ["staff-links"], "a personal link needs no poster"
    assert "Ссылка сработает один раз" in coordinator.last.text
    curator_link = TELEGRAM_LINK.search(coordinator.last.text)
    assert curator_link is not None
    olga = Chat(app.conversation, user_id="olga")
    await olga.start(curator_link.group(1))
    assert "staff-invite-curator" in olga.ids
    await coordinator.send("/start")
    assert coordinator.ids == ["welcome-back", "staff-links"]
    assert "уже присоединились все, кому она предназначалась" in coordinator.last.text
    await coordinator.tap("Готово")
    assert coordinator.ids == ["staff-card"]
    await coordinator.tap("← Назад")
    assert coordinator.ids == ["staff-programs"]


async def test_creating_from_the_list_opens_the_new_card(app: App, clock: FrozenClock) -> None:
    org, _, _ = await school(app, clock)
    coordinator = Chat(app.conversation, user_id="sergey")
    await make_coordinator(app, clock, coordinator, org.id)
    await coordinator.send("/menu")
    await coordinator.tap(PROGRAMS)
    await coordinator.tap("＋ Создать программу")
    await coordinator.send("Учитель – ученик")
    await coordinator.tap("педагог – ученик")
    await coordinator.tap("коллега – молодой коллега")
    await coordinator.send("Учителя помогают ученикам выбрать профессию.")
    await coordinator.send("01.09.2026")
    await coordinator.send("31.05.2027")
    await coordinator.tap("Создать программу")
    assert coordinator.ids == ["staff-program-created", "staff-card"]
    assert "«Мои программы»" not in coordinator.replies[0].text
    assert coordinator.last.text.endswith("Учителя помогают ученикам выбрать профессию.")


async def fill_in_program(chat: Chat, name: str) -> None:
    """Answer the steps of «Создать программу» up to the organisation or the review."""
    await chat.tap(CREATE)
    assert chat.ids == ["staff-create-name"]
    await chat.send(name)
    await chat.tap("ученик – ученик")
    await chat.tap("лидер – пассивный")
    await chat.tap("Пропустить")
    await chat.send("01.09.2026")
    await chat.send("31.05.2027")


async def program_named(app: App, name: str) -> Program | None:
    async with app.database.transaction() as session:
        return await session.scalar(select(Program).where(Program.name == name))


async def test_a_curator_creates_a_program_and_becomes_its_curator(
    app: App, clock: FrozenClock
) -> None:
    org, a, _ = await school(app, clock)
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    await fill_in_program(olga, "Лидеры седьмых классов")
    assert olga.ids == ["staff-create-review"], "one organisation: nothing to choose"
    assert "Организация: Школа №5" in olga.last.text
    await olga.tap("Создать программу")
    assert olga.ids == ["staff-program-created", "menu-title"]

    created = await program_named(app, "Лидеры седьмых классов")
    assert created is not None
    assert created.organization_id == org.id
    who = await person_id(app, olga)
    async with app.database.transaction() as session:
        assert await session.get(ProgramCurator, (created.id, who)) is not None
    await olga.tap(PROGRAMS)
    assert olga.labels == ["Лидеры седьмых классов", A, "＋ Создать программу", "Отмена"]
    await olga.tap("Лидеры седьмых классов")
    assert "Форма: ученик – ученик, ролевая модель «лидер – пассивный»" in olga.last.text
    await olga.tap(LINKS)
    assert olga.labels[:2] == ["Для наставляемых", "Для наставников"]
    assert "Для куратора (на одного человека)" not in olga.labels, "staff links need a coordinator"
    await olga.tap("Для наставников")
    assert olga.ids == ["staff-qr-telegram", "staff-qr-vk", "staff-links"]


async def test_a_curator_of_two_organisations_picks_where_to_create(
    app: App, clock: FrozenClock
) -> None:
    _, a, _ = await school(app, clock)
    async with app.database.transaction() as session:
        programs = Services(session, clock, app.policy).programs
        other_org = await programs.create_organization("Гимназия №2", "Asia/Yekaterinburg")
        assert isinstance(other_org, OrganizationInfo)
        other = await programs.create_program(
            CLI,
            other_org.id,
            ProgramDraft("Равный — равному", MentorshipForm.STUDENT_STUDENT, RoleModel.PEER_PEER),
        )
        assert isinstance(other, ProgramInfo)
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    await curator_of(app, clock, olga, other)
    await olga.send("/menu")
    await fill_in_program(olga, "Лидеры седьмых классов")
    assert olga.ids == ["staff-create-organization"]
    assert olga.labels == ["Школа №5", "Гимназия №2", "← Назад", "Отмена"]
    await olga.tap("Гимназия №2")
    assert "Организация: Гимназия №2" in olga.last.text
    await olga.tap("Создать программу")
    created = await program_named(app, "Лидеры седьмых классов")
    assert created is not None
    assert created.organization_id == other_org.id


async def test_nobody_else_creates_a_program(app: App, clock: FrozenClock) -> None:
    _, a, _ = await school(app, clock)
    async with app.database.transaction() as session:
        other_org = await Services(session, clock, app.policy).programs.create_organization(
            "Гимназия №2", "Europe/Moscow"
        )
        assert isinstance(other_org, OrganizationInfo)
    mentee_link = await issue(app, clock, a.id, InvitationRole.MENTEE)
    misha = Chat(conversation(app, clock, onboarding=False), user_id="misha")
    await misha.start(mentee_link.token)
    assert CREATE not in misha.labels, "a participant is not offered it"
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    await fill_in_program(olga, "Чужая программа")
    assert olga.ids == ["staff-create-review"]
    create = olga.button("Создать программу").payload
    before = await rows_snapshot(app)

    # A participant who replays the curator's screen is refused.
    await replay(app, olga, misha)
    await misha.press(create)
    assert misha.ids == ["staff-create-not-allowed", "menu-title"]
    assert await rows_snapshot(app) == before

    # The curator cannot point the review at an organisation she has no role in.
    await forge_state(app, olga, organization_id=other_org.id)
    await olga.press(create)
    assert olga.ids == ["staff-create-not-allowed", "menu-title"]
    assert await rows_snapshot(app) == before
    assert await program_named(app, "Чужая программа") is None

    # A curator who lost the role while the menu was on the screen is told at once.
    await olga.send("/menu")
    who = await person_id(app, olga)
    async with app.database.transaction() as session:
        await session.delete(await session.get_one(ProgramCurator, (a.id, who)))
        staff = await session.scalar(select(StaffMember).where(StaffMember.person_id == who))
        assert staff is not None
        await session.delete(staff)
    await olga.tap(CREATE)
    assert olga.ids == ["staff-create-not-allowed"]
    assert olga.labels == ["В меню", "Отмена"]
    await olga.tap("В меню")
    assert olga.ids == ["menu-title"]
    assert CREATE not in olga.labels
    assert PROGRAMS not in olga.labels


async def test_people_who_joined_are_listed_by_pages(app: App, clock: FrozenClock) -> None:
    org, a, _ = await school(app, clock)
    coordinator = Chat(app.conversation, user_id="sergey")
    await make_coordinator(app, clock, coordinator, org.id)
    async with app.database.transaction() as session:
        for index in range(12):
            person = Person(
                full_name=f"Ученик {index:02}", created_at=clock.now(), updated_at=clock.now()
            )
            session.add(person)
            await session.flush()
            session.add(
                Participant(
                    program_id=a.id,
                    person_id=person.id,
                    role=ParticipantRole.MENTEE,
                    status=ParticipantStatus.READY if index < 4 else ParticipantStatus.ONBOARDING,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
    await coordinator.send("/menu")
    await coordinator.tap(PROGRAMS)
    await coordinator.tap(A)
    assert (
        "Наставляемые: 12 (регистрируются и заполняют анкету: 8, готовы к подбору пары: 4)"
        in coordinator.last.text
    )
    await coordinator.tap(JOINED)
    assert coordinator.ids == ["staff-joined"]
    text = coordinator.last.text
    assert "Присоединились к программе «" + A + "»: 12. Показаны 1–10:" in text
    assert "• Ученик 00 — наставляемый, анкета заполнена, ждёт пару" in text
    assert "• Ученик 09 — наставляемый, регистрируется, анкета не закончена" in text
    assert "Ученик 10" not in text
    assert "← Предыдущие" not in coordinator.labels
    await coordinator.tap("Следующие →")
    assert coordinator.last.edit
    assert "Показаны 11–12:" in coordinator.last.text
    assert "Следующие →" not in coordinator.labels
    await coordinator.tap("← Предыдущие")
    assert "Показаны 1–10:" in coordinator.last.text


# --- a curator and the access rule ---------------------------------------------------------------


async def test_curator_joins_by_link_and_sees_only_their_program(
    app: App, clock: FrozenClock
) -> None:
    _, a, _ = await school(app, clock)
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    assert olga.ids == ["welcome", "staff-invite-curator", "menu-title"]
    assert f"Теперь вы куратор программы «{A}» (Школа №5)" in olga.replies[1].text
    assert "«Создать программу»" in olga.replies[1].text
    assert PROGRAMS in olga.labels
    assert CREATE in olga.labels, "curators create programs too"
    await olga.tap(PROGRAMS)
    assert olga.labels == [A, "＋ Создать программу", "Отмена"]
    await olga.tap(A)
    await olga.tap(LINKS)
    assert olga.labels[:2] == ["Для наставляемых", "Для наставников"]
    assert "Для куратора (на одного человека)" not in olga.labels
    await olga.tap("Для наставников")
    assert olga.ids == ["staff-qr-telegram", "staff-qr-vk", "staff-links"]
    assert "Ссылка для наставников программы" in olga.last.text

    app.policy.links = InviteLinks()
    await olga.tap("← Назад")
    await olga.tap("Для наставников")
    assert olga.ids == ["staff-links"], "no link, no QR code"
    token = re.search(r"Код приглашения: (i_\S+)", olga.last.text)
    assert token is not None
    assert f"отправить ему: /start {token.group(1)}" in olga.last.text


# Every staff screen and button that works on a program id, an invitation or a page, tried by the
# curator of A (and by a mentee of A who replays her screen) with program B's ids put in the
# stored dialog state or behind a button: a refusal, nothing changed, nothing of B shown.


@dataclass(frozen=True)
class Forgery:
    """Reach a screen of program A by `path`, put B's ids into the state, tap `tap`."""

    path: tuple[str, ...]
    tap: str
    refused: tuple[str, ...]
    # Dialog data to replace: values "b" (B's program id) and "b_token" (B's mentee link).
    data: dict[str, str] = field(default_factory=dict)
    # Button values to replace: A's program id by B's on the keyboard shown.
    swap_button: bool = False


REFUSED = ("staff-not-allowed",)
REFUSED_TO_MENU = ("staff-not-allowed", "menu-title")
ROLE = (PROGRAMS, A, LINKS)
MENTEE_LINKS = (*ROLE, "Для наставляемых")
REPLACE = (*MENTEE_LINKS, "Заменить ссылку")
B_LINK = {"program_id": "b", "token": "b_token"}
FORGERIES = {
    "list: a program's button": Forgery((PROGRAMS,), A, REFUSED, swap_button=True),
    "card: invite links": Forgery((PROGRAMS, A), LINKS, REFUSED, {"program_id": "b"}),
    "card: who joined": Forgery((PROGRAMS, A), JOINED, REFUSED, {"program_id": "b"}),
    "links for mentees, QR": Forgery(
        ROLE, "Для наставляемых", REFUSED_TO_MENU, {"program_id": "b"}
    ),
    "links for mentors, QR": Forgery(ROLE, "Для наставников", REFUSED_TO_MENU, {"program_id": "b"}),
    "links: back to the card": Forgery(ROLE, "← Назад", REFUSED, {"program_id": "b"}),
    "link: replace": Forgery(MENTEE_LINKS, "Заменить ссылку", REFUSED, B_LINK),
    "link: done": Forgery(MENTEE_LINKS, "Готово", REFUSED, B_LINK),
    "revoke: B's link": Forgery(REPLACE, "Да, заменить", REFUSED_TO_MENU, B_LINK),
    "revoke: B's link in A": Forgery(
        REPLACE, "Да, заменить", REFUSED_TO_MENU, {"token": "b_token"}
    ),
    "revoke: A's link into B": Forgery(
        REPLACE, "Да, заменить", REFUSED_TO_MENU, {"program_id": "b"}
    ),
    "revoke: keep": Forgery(REPLACE, "Нет, оставить", REFUSED_TO_MENU, B_LINK),
    "joined: next page": Forgery(
        (PROGRAMS, A, JOINED), "Следующие →", REFUSED, {"program_id": "b"}
    ),
    "joined: previous page": Forgery(
        (PROGRAMS, A, JOINED, "Следующие →"), "← Предыдущие", REFUSED, {"program_id": "b"}
    ),
    "joined: back to the card": Forgery(
        (PROGRAMS, A, JOINED), "← Назад", REFUSED, {"program_id": "b"}
    ),
}


async def rows_snapshot(app: App) -> dict[str, list[Any]]:
    """What a refused tap must leave as it was."""
    async with app.database.transaction() as session:

        async def rows(*columns: Any) -> list[Any]:
            return [tuple(row) for row in (await session.execute(select(*columns))).all()]

        return {
            "programs": await rows(Program.id, Program.name, Program.organization_id),
            "curators": await rows(ProgramCurator.program_id, ProgramCurator.person_id),
            "staff": await rows(StaffMember.person_id, StaffMember.organization_id),
            "invitations": await rows(Invitation.id, Invitation.revoked_at, Invitation.uses),
            "participants": await rows(Participant.id, Participant.status),
            "audit": await rows(AuditLog.id),
            "notifications": await rows(Notification.id),
        }


async def swap_button(app: App, chat: Chat, old: object, new: object) -> None:
    """Change the value behind a button of the person's current keyboard."""
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == chat.user_id)
        )
        assert row is not None
        keyboard = dict(row.state["keyboard"])
        assert old in keyboard["values"]
        keyboard["values"] = [new if value == old else value for value in keyboard["values"]]
        row.state = {**row.state, "keyboard": keyboard}


async def replay(app: App, source: Chat, target: Chat) -> None:
    """`target` gets `source`'s whole dialog state: the screens and the keyboard."""
    async with app.database.transaction() as session:
        states = {
            row.external_user_id: row
            for row in await session.scalars(
                select(DialogState).where(
                    DialogState.external_user_id.in_([source.user_id, target.user_id])
                )
            )
        }
        states[target.user_id].state = dict(states[source.user_id].state)


@pytest.mark.parametrize("who", ["curator of A", "mentee of A"])
@pytest.mark.parametrize("case", list(FORGERIES))
async def test_nobody_reaches_another_program_by_any_screen_or_button(
    app: App, clock: FrozenClock, who: str, case: str
) -> None:
    forgery = FORGERIES[case]
    _, a, b = await school(app, clock)
    async with app.database.transaction() as session:
        for index in range(11):
            person = Person(full_name=f"Ученик {index:02}", created_at=clock.now())
            session.add(person)
            await session.flush()
            session.add(
                Participant(program_id=a.id, person_id=person.id, role=ParticipantRole.MENTEE)
            )
        secret = Person(full_name="Тайный Ученик", created_at=clock.now())
        session.add(secret)
        await session.flush()
        session.add(Participant(program_id=b.id, person_id=secret.id, role=ParticipantRole.MENTEE))
    b_link = await issue(app, clock, b.id, InvitationRole.MENTEE)
    a_link = await issue(app, clock, a.id, InvitationRole.MENTEE)
    misha = Chat(conversation(app, clock, onboarding=False), user_id="misha")
    await misha.start(a_link.token)
    assert "staff-invite-joined" in misha.ids
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)

    await olga.send("/menu")
    for label in forgery.path:
        await olga.tap(label)
    payload = olga.button(forgery.tap).payload
    ids = {"b": b.id, "b_token": b_link.token}
    await forge_state(app, olga, **{key: ids[value] for key, value in forgery.data.items()})
    if forgery.swap_button:
        await swap_button(app, olga, a.id, b.id)
    chat = olga
    if who == "mentee of A":
        await replay(app, olga, misha)
        chat = misha
    before = await rows_snapshot(app)

    await chat.press(payload)
    assert tuple(chat.ids) == forgery.refused
    shown = "\n".join(reply.text for reply in chat.replies)
    for secret_text in (B, b_link.token, "Тайный Ученик"):
        assert secret_text not in shown
    assert all(reply.attachment is None for reply in chat.replies), "no QR code"
    assert await rows_snapshot(app) == before


async def test_a_curator_who_lost_the_role_is_refused(app: App, clock: FrozenClock) -> None:
    _, a, _ = await school(app, clock)
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    await olga.tap(PROGRAMS)
    await olga.tap(A)
    await olga.tap(LINKS)
    await olga.tap("Для наставляемых")
    before = await count_invitations(app, a.id)
    who = await person_id(app, olga)
    async with app.database.transaction() as session:
        await session.delete(await session.get_one(ProgramCurator, (a.id, who)))
    await olga.tap("Заменить ссылку")
    assert olga.ids == ["staff-not-allowed"]
    assert await count_invitations(app, a.id) == before
    await olga.send("/menu")
    assert PROGRAMS not in olga.labels


# --- opening invite links ------------------------------------------------------------------------


def conversation(app: App, clock: FrozenClock, *, onboarding: bool) -> Conversation:
    """The bot's conversation with or without an onboarding dialog (a stand-in if needed)."""
    registry = build_registry(app.translator.locales)
    if onboarding and "onboarding" not in registry:
        registry.add(
            Dialog(
                "onboarding",
                [ChoiceStep("show", "menu-title", [Choice("x", "button-to-menu")])],
            )
        )
    if not onboarding:
        registry._dialogs.pop("onboarding", None)
    return Conversation(
        app.database, Engine(registry, app.translator), app.translator, clock, policy=app.policy
    )


async def stack_top(app: App, chat: Chat) -> dict[str, object]:
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == chat.user_id)
        )
        assert row is not None
        return dict(row.state["stack"][-1])


async def test_a_mentee_link_leads_to_onboarding(app: App, clock: FrozenClock) -> None:
    _, a, _ = await school(app, clock)
    invite = await issue(app, clock, a.id, InvitationRole.MENTEE)
    misha = Chat(conversation(app, clock, onboarding=True), user_id="misha")
    await misha.start(invite.token)
    top = await stack_top(app, misha)
    assert top["dialog"] == "onboarding"
    args = top["args"]
    assert isinstance(args, dict)
    async with app.database.transaction() as session:
        participant = await session.get_one(Participant, args["participant_id"])
        assert (participant.role, participant.status) == (
            ParticipantRole.MENTEE,
            ParticipantStatus.ONBOARDING,
        )


async def test_without_onboarding_a_participant_is_told_where_they_joined(
    app: App, clock: FrozenClock
) -> None:
    _, a, _ = await school(app, clock)
    invite = await issue(app, clock, a.id, InvitationRole.MENTOR)
    darya = Chat(conversation(app, clock, onboarding=False), user_id="darya")
    await darya.start(invite.token)
    assert darya.ids == ["welcome", "staff-invite-joined", "menu-title"]
    assert darya.replies[1].text == f"Вы присоединились к программе «{A}» как наставник."
    await darya.start(invite.token)
    assert darya.replies[0].text == f"Вы уже участвуете в программе «{A}» как наставник."


async def test_a_coordinator_link_welcomes_the_coordinator(app: App, clock: FrozenClock) -> None:
    org, _, _ = await school(app, clock)
    async with app.database.transaction() as session:
        invite = await Services(session, clock, app.policy).invitations.invite_coordinator(
            CLI, org.id
        )
        assert isinstance(invite, InviteInfo)
    sergey = Chat(app.conversation, user_id="sergey")
    await sergey.start(invite.token)
    assert sergey.ids == ["welcome", "staff-invite-coordinator", "menu-title"]
    assert "Теперь вы координатор наставничества в организации «Школа №5»" in sergey.replies[1].text
    assert {PROGRAMS, CREATE} <= set(sergey.labels)


@pytest.mark.parametrize(
    ("case", "text_id"),
    [
        ("unknown", "staff-invite-unknown"),
        ("expired", "staff-invite-expired"),
        ("revoked", "staff-invite-revoked"),
        ("used_up", "staff-invite-used-up"),
    ],
)
async def test_a_link_that_does_not_work_says_why(
    app: App, clock: FrozenClock, case: str, text_id: str
) -> None:
    _, a, _ = await school(app, clock)
    token = "i_unknown-token"
    if case != "unknown":
        invite = await issue(
            app, clock, a.id, InvitationRole.MENTEE, expires_in=timedelta(days=1), max_uses=1
        )
        token = invite.token
    if case == "expired":
        clock.advance(timedelta(days=2))
    if case == "revoked":
        async with app.database.transaction() as session:
            await Services(session, clock, app.policy).invitations.revoke(CLI, token)
    if case == "used_up":
        first = Chat(app.conversation, user_id="first")
        await first.start(token)
    someone = Chat(app.conversation, user_id="someone")
    await someone.send("/start")
    await someone.start(token)
    assert someone.ids == [text_id, "menu-title"]
    who = await person_id(app, someone)
    async with app.database.transaction() as session:
        assert not list(
            await session.scalars(select(Participant).where(Participant.person_id == who))
        )


async def test_a_removed_participant_is_told_so(app: App, clock: FrozenClock) -> None:
    _, a, _ = await school(app, clock)
    invite = await issue(app, clock, a.id, InvitationRole.MENTEE)
    misha = Chat(conversation(app, clock, onboarding=False), user_id="misha")
    await misha.start(invite.token)
    async with app.database.transaction() as session:
        participant = await session.scalar(select(Participant))
        assert participant is not None
        participant.status = ParticipantStatus.REMOVED
    await misha.start(invite.token)
    assert misha.ids == ["staff-invite-removed", "menu-title"]


def test_dates_are_read_as_russians_write_them() -> None:
    assert parse_date("01.09.2026") == date(2026, 9, 1)
    assert parse_date("1.9.2026") == date(2026, 9, 1)
    assert parse_date("01/09/2026") == date(2026, 9, 1)
    for bad in ("2026-09-01", "32.01.2026", "01.09.1900", "вчера"):
        with pytest.raises(Invalid):
            parse_date(bad)
