"""The VK channel end to end: the real vkbottle client against a fake VK server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.messages import AttachmentKind, Button, Channel, Reply
from bot.dialogs.engine import JSON, Choice, ChoiceStep, Dialog, Goto, Outcome, StepContext
from bot.handlers.vk import (
    VkChannel,
    api_method_url,
    build_vk,
    keyboard_json,
    paginate,
    run_vk_polling,
    split_text,
    to_incoming,
)
from storage import DialogState, MessengerAccount, Person
from tests.chat import conversation_with
from tests.e2e.fake_vk import GROUP_ID, TOKEN, FakeVk, SentMessage, parse_keyboard

MISHA = 1001
MENU = ["Попробовать анкету (демо)", "Язык / Language", "Помощь"]


@asynccontextmanager
async def running(conversation: Conversation, fake: FakeVk) -> AsyncIterator[VkChannel]:
    """The VK channel polling the fake until the block ends."""
    channel = build_vk(conversation, TOKEN, GROUP_ID, fake.url)
    task = asyncio.create_task(run_vk_polling(channel))
    try:
        await fake.wait_for(lambda: fake.long_polls > 0)
        yield channel
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def vk_fake() -> AsyncIterator[FakeVk]:
    """A fake VK server; every API error it returned fails the test."""
    fake = FakeVk()
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.errors == []


@pytest.fixture
async def vk_bot(app: App, vk_fake: FakeVk) -> AsyncIterator[VkChannel]:
    """The bot connected to the fake VK over Bots Long Poll."""
    async with running(app.conversation, vk_fake) as channel:
        yield channel


class VkUser:
    """A person writing to the community; each action returns the messages it brought."""

    def __init__(self, fake: FakeVk, user_id: int = MISHA) -> None:
        self.fake = fake
        self.user_id = user_id
        self.seen = 0

    async def writes(self, text: str, replies: int, **fields: Any) -> list[SentMessage]:
        await self.fake.user_writes(self.user_id, text, **fields)
        return await self._replies(replies)

    async def taps(self, label: str, replies: int) -> list[SentMessage]:
        event_id = await self.fake.tap(self.user_id, label)
        return await self._answered(event_id, replies)

    async def presses(self, payload: Any, replies: int) -> list[SentMessage]:
        event_id = await self.fake.user_taps(self.user_id, payload)
        return await self._answered(event_id, replies)

    async def _answered(self, event_id: str, replies: int) -> list[SentMessage]:
        await self.fake.wait_for(lambda: event_id in self.fake.answered)
        return await self._replies(replies)

    async def _replies(self, count: int) -> list[SentMessage]:
        # Counting from the end of the previous turn: an unexpected extra message shows up here.
        start = self.seen
        await self.fake.wait_for(lambda: len(self.fake.to(self.user_id)) >= start + count)
        self.seen = start + count
        return self.fake.to(self.user_id)[start : start + count]


async def stored_step(app: App, user_id: int = MISHA) -> JSON:
    async with app.database.sessions() as session:
        row = await session.scalar(
            select(DialogState).where(
                DialogState.channel == Channel.VK, DialogState.external_user_id == str(user_id)
            )
        )
        assert row is not None
        return row.state["stack"][-1]["step"]


async def to_birth_date(misha: VkUser) -> None:
    await misha.writes("/start", 2)
    await misha.taps("Попробовать анкету (демо)", 1)
    await misha.writes("Миша Иванов", 1)
    [reply] = await misha.taps("Наставляемым", 1)
    assert reply.text.startswith("Шаг 3 из 4.")


async def test_demo_flow_end_to_end(app: App, vk_fake: FakeVk, vk_bot: VkChannel) -> None:
    misha = VkUser(vk_fake)
    welcome, menu = await misha.writes("Начать", 2, payload={"command": "start"})
    assert welcome.text.startswith("Здравствуйте! Я «Наставник»")
    assert welcome.buttons == []
    assert menu.text == "Главное меню. Что хотите сделать?"
    assert menu.labels == MENU
    assert all(set(button.payload) == {"p"} for button in menu.buttons)

    [ask_name] = await misha.taps("Попробовать анкету (демо)", 1)
    assert ask_name.text.startswith("Шаг 1 из 4. Как вас зовут?")
    assert ask_name.labels == ["Отмена"]
    [invalid] = await misha.writes("42", 1)
    assert invalid.text.startswith("Имя должно состоять из букв")
    [ask_role] = await misha.writes("Миша Иванов", 1)
    assert ask_role.text == "Шаг 2 из 4. Кем вы хотите быть в программе?"
    assert ask_role.labels == ["Наставляемым", "Наставником", "← Назад", "Отмена"]
    [ask_birth] = await misha.taps("Наставляемым", 1)
    assert ask_birth.text.startswith("Шаг 3 из 4. Дата рождения")
    [ask_grade] = await misha.writes("14.03.2013", 1)
    assert ask_grade.text.startswith("Шаг 4 из 4. В каком вы классе?")
    [review] = await misha.writes("6Б", 1)
    assert review.text.startswith("Проверьте ответы:")
    assert "Миша Иванов" in review.text
    assert "14.03.2013" in review.text
    done, menu = await misha.taps("Всё верно", 2)
    assert done.text.startswith("Спасибо, Миша Иванов! Анкета сохранена.")
    assert menu.labels == MENU

    assert len(vk_fake.answered) == 3, "every tap was answered"
    assert {message.peer_id for message in vk_fake.messages} == {MISHA}
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.full_name == "Миша Иванов"))
        assert person is not None
        assert person.grade == "6Б"
        account = await session.scalar(select(MessengerAccount))
        assert account is not None
        assert (account.channel, account.external_user_id, account.chat_id) == (
            Channel.VK,
            str(MISHA),
            str(MISHA),
        )
        assert account.person_id == person.id
        assert account.language_code == "ru"


async def test_ref_link_opens_demo_directly(vk_fake: FakeVk, vk_bot: VkChannel) -> None:
    misha = VkUser(vk_fake)
    welcome, ask_name = await misha.writes("Начать", 2, ref="demo")
    assert welcome.text.startswith("Здравствуйте!")
    assert ask_name.text.startswith("Шаг 1 из 4.")
    [invalid_link, menu] = await misha.writes("Начать", 2, ref="no-such-link")
    assert invalid_link.text.startswith("Эта ссылка не работает")
    assert menu.labels == MENU


async def test_language_comes_from_client_info(vk_fake: FakeVk, vk_bot: VkChannel) -> None:
    _, menu = await VkUser(vk_fake, 2002).writes("Hi", 2, lang_id=3)
    assert menu.text == "Main menu. What would you like to do?"
    _, menu = await VkUser(vk_fake, 2003).writes("Hallo", 2, lang_id=6)
    assert menu.text == "Главное меню. Что хотите сделать?"


async def test_group_chats_are_ignored(vk_fake: FakeVk, vk_bot: VkChannel) -> None:
    await vk_fake.user_writes(MISHA, "/start", peer_id=2_000_000_001)
    await VkUser(vk_fake).writes("/start", 2)
    assert vk_fake.to(2_000_000_001) == []


async def test_every_tap_is_answered_and_stale_ones_change_nothing(
    app: App, vk_fake: FakeVk, vk_bot: VkChannel
) -> None:
    misha = VkUser(vk_fake)
    await to_birth_date(misha)
    assert await stored_step(app) == "birth_date"

    stale = [await misha.taps("Наставником", 2)]  # on the role question, answered already
    for payload in ({"p": "zz:0"}, {"p": 7}, {"x": 1}, "{oops", None, {"page": 1, "k": "gone"}):
        stale.append(await misha.presses(payload, 2))
    for notice, step in stale:
        assert notice.text == "Эта кнопка уже неактуальна. Вот что сейчас на экране:"
        assert step.text.startswith("Шаг 3 из 4. Дата рождения")
    assert len(vk_fake.answered) == 2 + 7
    assert await stored_step(app) == "birth_date"
    [ask_grade] = await misha.writes("14.03.2013", 1)
    assert ask_grade.text.startswith("Шаг 4 из 4.")


async def pick_one(ctx: StepContext, value: JSON) -> Outcome:
    return Goto("show")


async def picked(ctx: StepContext) -> dict[str, JSON]:
    return {"name": ctx.data["pick"]}


LONG_LIST = Dialog(
    "long",
    [
        ChoiceStep(
            "pick",
            "demo-pick-field",
            [Choice(f"Вариант {n}", label=f"Вариант {n}") for n in range(1, 14)],
            then=pick_one,
        ),
        ChoiceStep("show", "demo-done", [Choice("ok", label="ok")], args=picked),
    ],
)


async def test_long_keyboard_pages_inside_the_channel(
    app: App, clock: FrozenClock, vk_fake: FakeVk
) -> None:
    misha = VkUser(vk_fake)
    async with running(conversation_with(app, clock, LONG_LIST), vk_fake):
        _, question = await misha.writes("Начать", 2, ref="long")
        assert question.text == "Что исправить?"
        first_page = [f"Вариант {n}" for n in range(1, 9)]
        assert question.labels == [*first_page, "»"]
        assert len(question.rows) <= 6

        edits = len(vk_fake.edits)
        for label, expected in (
            ("»", [*(f"Вариант {n}" for n in range(9, 14)), "Отмена", "«"]),
            ("«", [*first_page, "»"]),
            ("»", [*(f"Вариант {n}" for n in range(9, 14)), "Отмена", "«"]),
        ):
            assert await misha.taps(label, 0) == []
            edits += 1
            await vk_fake.wait_for(lambda: len(vk_fake.edits) >= edits)  # noqa: B023
            assert vk_fake.edits[-1] is question
            assert question.labels == expected
            assert question.text == "Что исправить?"

        [done] = await misha.taps("Вариант 12", 1)
        assert done.text.startswith("Спасибо, Вариант 12!")
        assert len(vk_fake.answered) == 4


async def test_long_text_is_split_with_keyboard_on_last_part(
    app: App, vk_fake: FakeVk, vk_bot: VkChannel
) -> None:
    text = ("Строка текста.\n" * 600).strip()
    reply = Reply(text, "test-long", buttons=((Button("Дальше", "n:0"),),))
    await vk_bot.render(MISHA, [reply])
    parts = vk_fake.to(MISHA)
    assert len(parts) == 3
    assert "\n".join(part.text.strip("\n") for part in parts) == text
    assert [part.labels for part in parts] == [[], [], ["Дальше"]]


@pytest.mark.parametrize("count", [1, 5, 6, 7, 10, 11, 13, 16, 17, 40])
def test_keyboard_pages_stay_within_vk_limits(count: int) -> None:
    options = tuple((Button(f"o{n}", f"n:{n}"),) for n in range(count))
    rows = (*options, (Button("Назад", "n:back"), Button("Отмена", "n:cancel")))
    pages = paginate(rows)
    seen: list[str] = []
    for number in range(len(pages)):
        keyboard = parse_keyboard(keyboard_json(pages, number, "k"))  # checks VK's limits
        labels = [button.label for row in keyboard for button in row]
        seen += [label for label in labels if label not in ("«", "»")]
        if len(pages) > 1:
            assert ("«" in labels) == (number > 0)
            assert ("»" in labels) == (number < len(pages) - 1)
            assert len(labels) - ("«" in labels) - ("»" in labels) <= 8
    assert seen == [button.label for row in rows for button in row]


def test_split_text_keeps_every_character() -> None:
    assert split_text("short") == ["short"]
    text = "x" * 10_000
    parts = split_text(text)
    assert [len(part) for part in parts] == [4096, 4096, 1808]


def test_api_url_forms() -> None:
    assert api_method_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/method/"
    assert api_method_url("https://api.vk.com/method/") == "https://api.vk.com/method/"


def test_message_new_translation() -> None:
    incoming = to_incoming(
        {
            "message": {
                "from_id": 5,
                "peer_id": 5,
                "text": "",
                "attachments": [{"type": "sticker"}, {"type": "photo"}, {"type": "poll"}],
                "geo": {"type": "point"},
            },
            "client_info": {"lang_id": 3},
        }
    )
    assert incoming is not None
    assert incoming.text is None
    assert incoming.language == "en"
    assert [a.kind for a in incoming.attachments] == [
        AttachmentKind.STICKER,
        AttachmentKind.IMAGE,
        AttachmentKind.OTHER,
        AttachmentKind.LOCATION,
    ]
    assert to_incoming({"message": {"from_id": -7, "peer_id": 5}}) is None
    assert to_incoming({}) is None
