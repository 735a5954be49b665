"""The VK channel end to end: the real vkbottle client against a fake VK server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.messages import Attachment, AttachmentKind, Button, Channel, Reply
from bot.core.ratelimit import Budget, RateLimiter
from bot.dialogs.engine import JSON, Choice, ChoiceStep, Dialog, Goto, Outcome, StepContext
from bot.handlers.vk import (
    MAX_PARTS,
    OUTBOX_IDS,
    VkApi,
    VkChannel,
    VkSender,
    api_method_url,
    build_vk,
    keyboard_json,
    outbox_random_id,
    paginate,
    run_vk_polling,
    split_text,
    to_incoming,
)
from bot.services.outbox import (
    DeliveryReport,
    DeliveryWorker,
    Failed,
    OutboxService,
    RetryLater,
    Sent,
    Unreachable,
)
from storage import DialogState, MessengerAccount, Notification, NotificationStatus, Person
from tests.chat import conversation_with, toggle_dialog
from tests.e2e.fake_vk import (
    GROUP_ID,
    TOKEN,
    FakeVk,
    HttpAnswer,
    SentFile,
    SentMessage,
    parse_keyboard,
)
from tests.integration import factories

MISHA = 1001
MENU = ["Попробовать анкету (демо)", "Мои мессенджеры", "Язык / Language", "Помощь"]
WELCOME_BACK = "С возвращением! Продолжим с того места, где остановились."
# The limiter's spacing has its own test with a fake clock; the others need not wait on it.
FAST = 1000.0


def vk_channel(conversation: Conversation, url: str) -> VkChannel:
    """The channel pointed at a fake server, not polling."""
    return build_vk(conversation, TOKEN, GROUP_ID, url, rate_limit=FAST)


@asynccontextmanager
async def running(conversation: Conversation, fake: FakeVk) -> AsyncIterator[VkChannel]:
    """The channel polling the fake until the block ends."""
    channel = vk_channel(conversation, fake.url)
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
    """A fake VK server; an API error it returned or a message it swallowed as a duplicate
    fails the test, unless the test expected it and cleared the list."""
    fake = FakeVk()
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.errors == []
    assert fake.duplicates == []


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

    async def presses(
        self, payload: Any, replies: int, *, conversation_message_id: int | None = None
    ) -> list[SentMessage]:
        event_id = await self.fake.user_taps(
            self.user_id, payload, conversation_message_id=conversation_message_id
        )
        return await self._answered(event_id, replies)

    async def receives(self, count: int) -> list[SentMessage]:
        """Wait for `count` messages the person did not ask for (notifications)."""
        return await self._replies(count)

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


async def test_a_slow_event_answer_does_not_hold_up_the_reply(
    vk_fake: FakeVk, vk_bot: VkChannel
) -> None:
    misha = VkUser(vk_fake)
    await misha.writes("/start", 2)
    vk_fake.answers_flow.clear()  # messages.sendMessageEventAnswer hangs, as on a slow network
    event_id = await vk_fake.tap(MISHA, "Попробовать анкету (демо)")
    [ask_name] = await misha.receives(1)
    assert ask_name.text.startswith("Шаг 1 из 4. Как вас зовут?")
    assert vk_fake.answered == []

    vk_fake.answers_flow.set()
    await vk_fake.wait_for(lambda: vk_fake.answered == [event_id])


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


def test_outbox_random_ids_are_stable_distinct_and_int32() -> None:
    assert outbox_random_id(7, 0) == outbox_random_id(7, 0) == 7 * MAX_PARTS + 1
    ids = {outbox_random_id(n, part) for n in range(1, 200) for part in range(MAX_PARTS)}
    assert len(ids) == 199 * MAX_PARTS
    huge = [outbox_random_id(2**40 + n, part) for n in range(3) for part in (0, MAX_PARTS - 1)]
    assert all(1 <= value <= OUTBOX_IDS < 2**31 for value in [*ids, *huge])
    with pytest.raises(ValueError):
        outbox_random_id(7, MAX_PARTS)


async def test_interactive_random_ids_never_meet_the_outbox_range(
    vk_fake: FakeVk, vk_bot: VkChannel
) -> None:
    await VkUser(vk_fake).writes("/start", 2)
    await vk_bot.render(MISHA, [Reply(f"n{n}", "test") for n in range(5)])
    random_ids = [message.random_id for message in vk_fake.to(MISHA)]
    assert len(set(random_ids)) == 7
    assert all(OUTBOX_IDS < value < 2**31 for value in random_ids)


# --- the rate limit ---------------------------------------------------------------------------


async def test_every_api_request_waits_on_the_shared_limiter(app: App, vk_fake: FakeVk) -> None:
    now = 0.0
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        nonlocal now
        waits.append(seconds)
        now += seconds

    limiter = RateLimiter(Budget(20.0), clock=lambda: now, sleep=sleep)
    channel = build_vk(app.conversation, TOKEN, GROUP_ID, vk_fake.url, limiter=limiter)
    try:
        await asyncio.gather(*(channel.send(MISHA, f"n{n}") for n in range(5)))
        photo = Attachment(AttachmentKind.IMAGE, "p.png", PNG)
        await channel.render(MISHA, [Reply("Фото", "test", attachment=photo)])
    finally:
        await channel.close()
    # 5 sends, then photos.getMessagesUploadServer, photos.saveMessagesPhoto and a send: the
    # first request goes at once, each next one an interval later (the upload POST is not counted).
    assert len(vk_fake.calls) == 8
    assert waits == pytest.approx([Budget(20.0).interval] * 7)  # 1/20 s and the safety margin
    assert [len(message.files) for message in vk_fake.to(MISHA)] == [0] * 5 + [1]


async def test_the_rate_limit_comes_from_the_setting(app: App, vk_fake: FakeVk) -> None:
    channel = build_vk(app.conversation, TOKEN, GROUP_ID, vk_fake.url, rate_limit=7.5)
    await channel.close()
    assert isinstance(channel.api, VkApi)
    assert channel.api.limiter.overall == Budget(7.5)


# --- editing in place -------------------------------------------------------------------------


async def test_a_redrawn_step_edits_the_tapped_message(
    app: App, clock: FrozenClock, vk_fake: FakeVk
) -> None:
    misha = VkUser(vk_fake)
    async with running(conversation_with(app, clock, toggle_dialog()), vk_fake):
        _, question = await misha.writes("Начать", 2, ref="toggle")
        assert question.labels[:4] == ["a", "b", "c", "done"]

        assert await misha.taps("b", 0) == []
        await vk_fake.wait_for(lambda: len(vk_fake.edits) == 1)
        assert vk_fake.edits == [question]
        assert question.labels[:4] == ["a", "✓ b", "c", "done"]
        assert question.text == "Что исправить?"

        assert await misha.taps("✓ b", 0) == []
        await vk_fake.wait_for(lambda: len(vk_fake.edits) == 2)
        assert question.labels[:4] == ["a", "b", "c", "done"]
        assert len(vk_fake.to(MISHA)) == 2, "no new message"
        assert len(vk_fake.answered) == 2


async def test_a_redraw_is_sent_anew_when_the_message_cannot_be_edited(
    app: App, clock: FrozenClock, vk_fake: FakeVk
) -> None:
    misha = VkUser(vk_fake)
    async with running(conversation_with(app, clock, toggle_dialog()), vk_fake):
        _, question = await misha.writes("Начать", 2, ref="toggle")
        b = question.buttons[1].payload
        [redrawn] = await misha.presses(b, 1, conversation_message_id=999_999)
        assert redrawn.labels[:4] == ["a", "✓ b", "c", "done"]
        assert question.labels[:4] == ["a", "b", "c", "done"], "the old message is untouched"
        [refused] = vk_fake.errors
        assert refused.startswith("messages.edit: 909")
        vk_fake.errors.clear()
        [again] = await misha.presses(redrawn.buttons[1].payload, 1)  # an event without the id
        assert again.labels[:4] == ["a", "b", "c", "done"]


# --- files ------------------------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
CSV = "Наставник;Наставляемый\nАнна;Миша\n".encode()
XLSX = b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256))
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = [
    Reply("График", "t", attachment=Attachment(AttachmentKind.IMAGE, "chart.png", PNG)),
    Reply(
        "Пары:\n" + "Анна — Миша\n" * 500,
        "t",
        buttons=((Button("Понятно", "n:0"),),),
        attachment=Attachment(AttachmentKind.DOCUMENT, "pairs.csv", CSV, "text/csv"),
    ),
    Reply("Отчёт", "t", attachment=Attachment(AttachmentKind.DOCUMENT, "report.xlsx", XLSX)),
    Reply("Встреча", "t", attachment=Attachment(AttachmentKind.DOCUMENT, "meeting.ics", ICS)),
]


@pytest.mark.parametrize("through", ["reply", "outbox"])
async def test_files_arrive_as_photos_and_documents(
    app: App, vk_fake: FakeVk, through: str
) -> None:
    channel = vk_channel(app.conversation, vk_fake.url)
    try:
        if through == "reply":
            await channel.render(MISHA, FILES)
        else:
            assert await VkSender(channel).send(str(MISHA), FILES, notification_id=3) == Sent()
    finally:
        await channel.close()
    photo, pairs_text, pairs, report, meeting = vk_fake.to(MISHA)
    assert (photo.text, photo.files) == ("График", [SentFile("photo", "chart.png", PNG)])
    assert (pairs_text.files, pairs_text.labels) == ([], [])
    assert pairs_text.text.startswith("Пары:\n")
    assert pairs.files == [SentFile("doc", "pairs.csv", CSV, "pairs.csv")]
    assert pairs.labels == ["Понятно"], "the keyboard rides on the message with the file"
    assert pairs_text.text + pairs.text == FILES[1].text
    assert (report.text, report.files) == (
        "Отчёт",
        [SentFile("doc", "report.xlsx", XLSX, "report.xlsx")],
    )
    assert meeting.files == [SentFile("doc", "meeting.ics", ICS, "meeting.ics")]
    random_ids = [message.random_id for message in vk_fake.to(MISHA)]
    if through == "outbox":
        assert random_ids == [outbox_random_id(3, part) for part in range(5)]
    else:
        assert all(value > OUTBOX_IDS for value in random_ids)


# --- the outbox -------------------------------------------------------------------------------


@pytest.fixture
async def vk_sender(app: App, vk_fake: FakeVk) -> AsyncIterator[VkSender]:
    """A sender through a channel that is not polling."""
    channel = vk_channel(app.conversation, vk_fake.url)
    yield VkSender(channel)
    await channel.close()


async def notify(app: App, clock: FrozenClock, user_id: int) -> None:
    """A person with a VK account and a `welcome-back` notification due for them."""
    async with app.database.transaction() as session:
        person = await factories.person(session, locale="ru")
        await factories.account(session, person, channel=Channel.VK, external_user_id=str(user_id))
        await OutboxService(session, clock).plan(
            key=f"hello-{user_id}", kind="test", recipient_id=person.id, text_id="welcome-back"
        )


async def the_notification(app: App) -> Notification:
    async with app.database.sessions() as session:
        [row] = await session.scalars(select(Notification))
        return row


def vk_worker(app: App, clock: FrozenClock, sender: VkSender) -> DeliveryWorker:
    return DeliveryWorker(app.database, app.translator, {Channel.VK: sender}, clock)


async def test_outbox_retries_after_too_many_requests(
    app: App, clock: FrozenClock, vk_fake: FakeVk, vk_sender: VkSender
) -> None:
    await notify(app, clock, 501)
    worker = vk_worker(app, clock, vk_sender)
    vk_fake.send_failures = [6]
    assert (await worker.run_once()) == DeliveryReport(retried=1)
    row = await the_notification(app)
    assert row.status == NotificationStatus.PENDING
    assert row.next_attempt_at == clock.now() + timedelta(seconds=1)
    assert await worker.run_once() == DeliveryReport(), "not due yet"
    clock.advance(timedelta(seconds=1))
    assert await worker.run_once() == DeliveryReport(sent=1)
    assert [message.text for message in vk_fake.to(501)] == [WELCOME_BACK]
    assert (await the_notification(app)).status == NotificationStatus.SENT


async def test_outbox_marks_a_blocked_account_unreachable(
    app: App, clock: FrozenClock, vk_fake: FakeVk, vk_sender: VkSender
) -> None:
    await notify(app, clock, 502)
    worker = vk_worker(app, clock, vk_sender)
    vk_fake.send_failures = [901]
    assert await worker.run_once() == DeliveryReport(unreachable=1)
    async with app.database.sessions() as session:
        [account] = await session.scalars(select(MessengerAccount))
        assert account.reachable is False
    await worker.run_once()  # no other account: given up, not retried for ever
    row = await the_notification(app)
    assert (row.status, row.last_error) == (
        NotificationStatus.FAILED,
        "no reachable messenger account",
    )
    assert vk_fake.to(502) == []
    assert vk_fake.calls.count("messages.send") == 1


async def test_outbox_retries_after_a_server_error_with_its_own_backoff(
    app: App, clock: FrozenClock, vk_fake: FakeVk, vk_sender: VkSender
) -> None:
    await notify(app, clock, 503)
    worker = vk_worker(app, clock, vk_sender)
    vk_fake.send_failures = [HttpAnswer(500)]
    assert await worker.run_once() == DeliveryReport(retried=1)
    row = await the_notification(app)
    assert row.last_error == "vk: HTTP 500"
    assert row.next_attempt_at == clock.now() + worker.backoff
    clock.advance(worker.backoff)
    assert await worker.run_once() == DeliveryReport(sent=1)
    assert [message.text for message in vk_fake.to(503)] == [WELCOME_BACK]


async def test_a_notification_sent_twice_is_seen_once(vk_fake: FakeVk, vk_sender: VkSender) -> None:
    # The worker crashed after sending and before recording it: the lease lapses, it resends.
    reply = Reply(WELCOME_BACK, "welcome-back")
    assert await vk_sender.send("504", [reply], notification_id=41) == Sent()
    assert await vk_sender.send("504", [reply], notification_id=41) == Sent()
    [message] = vk_fake.to(504)
    assert message.random_id == outbox_random_id(41, 0)
    assert vk_fake.duplicates == [message]
    vk_fake.duplicates.clear()


async def test_a_long_notification_goes_in_parts_with_distinct_random_ids(
    vk_fake: FakeVk, vk_sender: VkSender
) -> None:
    text = ("Строка уведомления.\n" * 500).strip()
    reply = Reply(text, "test-long", buttons=((Button("Ок", "n:0"),),))
    vk_fake.send_failures = [None, 6]  # the first part goes, the second is refused
    result = await vk_sender.send("505", [reply], notification_id=12)
    assert result == RetryLater("vk 6: Too many requests per second", timedelta(seconds=1))
    assert len(vk_fake.to(505)) == 1
    assert await vk_sender.send("505", [reply], notification_id=12) == Sent()
    parts = vk_fake.to(505)
    assert [part.random_id for part in parts] == [outbox_random_id(12, n) for n in range(3)]
    assert len({part.random_id for part in parts}) == 3
    assert "".join(part.text for part in parts) == text
    assert [part.labels for part in parts] == [[], [], ["Ок"]]
    assert vk_fake.duplicates == [parts[0]], "the part sent before the error was not repeated"
    vk_fake.duplicates.clear()


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (6, RetryLater("vk 6: Too many requests per second", timedelta(seconds=1))),
        (9, RetryLater("vk 9: Flood control", timedelta(minutes=1))),
        (29, RetryLater("vk 29: Rate limit reached", timedelta(minutes=15))),
        (10, RetryLater("vk 10: Internal server error")),
        (901, Unreachable("vk 901: Can't send messages for users without permission")),
        (
            902,
            Unreachable("vk 902: Can't send messages to this user due to their privacy settings"),
        ),
        (7, Unreachable("vk 7: Permission to perform this action is denied")),
        (15, Unreachable("vk 15: Access denied")),
        (914, Failed("vk 914: Injected")),
        (HttpAnswer(502), RetryLater("vk: HTTP 502")),
        (HttpAnswer(404), Failed("vk: HTTP 404")),
    ],
)
async def test_vk_errors_become_outbox_decisions(
    vk_fake: FakeVk, vk_sender: VkSender, failure: int | HttpAnswer, expected: object
) -> None:
    vk_fake.send_failures = [failure]
    result = await vk_sender.send("506", [Reply("Привет", "t")], notification_id=1)
    assert result == expected
    assert vk_fake.to(506) == []


async def test_a_non_json_answer_is_retried_without_blocking(
    vk_fake: FakeVk, vk_sender: VkSender
) -> None:
    # vkbottle's own rescheduler would sleep and retry for ever.
    vk_fake.send_failures = [HttpAnswer(200, "<html>maintenance</html>")]
    result = await vk_sender.send("507", [Reply("Привет", "t")], notification_id=1)
    assert isinstance(result, RetryLater)
    assert result.after is None
    assert "not JSON" in result.reason


async def test_network_errors_are_retried(app: App) -> None:
    gone = FakeVk()
    url = await gone.start()
    await gone.stop()
    channel = vk_channel(app.conversation, url)
    try:
        result = await VkSender(channel).send("508", [Reply("Привет", "t")], notification_id=1)
    finally:
        await channel.close()
    assert isinstance(result, RetryLater)
    assert result.after is None
