"""The Telegram channel: aiogram updates in, neutral replies rendered as Bot API messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import suppress
from datetime import timedelta

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatType, ContentType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    Response,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

from bot.core.conversation import Conversation
from bot.core.messages import Attachment, AttachmentKind, Button, Channel, Incoming, Reply
from bot.core.ratelimit import Budget, RateLimiter
from bot.handlers.tasks import meanwhile
from bot.services.outbox import Failed, RetryLater, SendResult, Sent, Unreachable

__all__ = [
    "TelegramSender",
    "build_router",
    "build_telegram",
    "run_telegram_polling",
    "send_replies",
    "split_text",
    "telegram_username",
]

log = logging.getLogger(__name__)

# Telegram counts message length in UTF-16 code units.
MESSAGE_LIMIT = 4096
# Messages a chat may get at once before its per-chat rate applies (an answer is often two).
CHAT_BURST = 3

_KINDS: dict[str, AttachmentKind] = {
    ContentType.STICKER: AttachmentKind.STICKER,
    ContentType.PHOTO: AttachmentKind.IMAGE,
    ContentType.DOCUMENT: AttachmentKind.DOCUMENT,
    ContentType.AUDIO: AttachmentKind.AUDIO,
    ContentType.VOICE: AttachmentKind.AUDIO,
    ContentType.VIDEO: AttachmentKind.VIDEO,
    ContentType.VIDEO_NOTE: AttachmentKind.VIDEO,
    ContentType.ANIMATION: AttachmentKind.VIDEO,
    ContentType.LOCATION: AttachmentKind.LOCATION,
    ContentType.VENUE: AttachmentKind.LOCATION,
}


def build_telegram(
    conversation: Conversation,
    token: str,
    api_url: str | None,
    *,
    rate_limit: float = 30.0,
    chat_rate_limit: float = 1.0,
    limiter: RateLimiter | None = None,
) -> tuple[Bot, Dispatcher]:
    """A bot talking to `api_url` (the official Bot API when None) and a dispatcher for it.

    Every message the bot sends, interactive or from the outbox, waits within `rate_limit`
    messages per second overall and `chat_rate_limit` per chat (or within `limiter`'s budgets).
    """
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else None
    bot = Bot(token, session=session)
    if limiter is None:
        limiter = RateLimiter(Budget(rate_limit), Budget(chat_rate_limit, burst=CHAT_BURST))
    bot.session.middleware(RateLimit(limiter))
    bot.session.middleware(KeepResponseTypes())
    dispatcher = Dispatcher(conversation=conversation)
    dispatcher.include_router(build_router())
    return bot, dispatcher


class RateLimit(BaseRequestMiddleware):
    """Holds each message back until Telegram's limits allow it; edits count overall only."""

    SENDS = (SendMessage, SendPhoto, SendDocument)
    EDITS = (EditMessageText, EditMessageReplyMarkup)

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, self.SENDS):
            await self.limiter.acquire(str(method.chat_id))
        elif isinstance(method, self.EDITS):
            await self.limiter.acquire()
        return await make_request(bot, method)


class KeepResponseTypes(BaseRequestMiddleware):
    """Keeps the answer model of every method the bot has called alive.

    aiogram parses each answer with `Response[method.__returning__]`, a pydantic generic class that
    pydantic caches only weakly: the garbage collector keeps dropping it, and every rebuild costs
    about 3 ms of schema building (150 rebuilds in 350 updates, a tenth of the bot's time under
    load). One strong reference per method type keeps each built once.
    """

    def __init__(self) -> None:
        self._kept: dict[type[object], object] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if type(method) not in self._kept:
            self._kept[type(method)] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)


def build_router() -> Router:
    """Every Telegram handler, registered in one place."""
    router = Router(name="telegram")
    router.message.register(on_message, F.chat.type == ChatType.PRIVATE, F.from_user)
    router.callback_query.register(on_callback)
    return router


async def run_telegram_polling(
    bot: Bot, dispatcher: Dispatcher, *, handle_signals: bool = True, polling_timeout: int = 10
) -> None:
    """Drop any webhook, then long-poll until stopped or cancelled; closes the bot's session."""
    try:
        # getUpdates is refused while a webhook is set.
        await bot.delete_webhook()
    except BaseException:
        await bot.session.close()
        raise
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=handle_signals, polling_timeout=polling_timeout
        )
    )
    try:
        await asyncio.shield(polling)
    except asyncio.CancelledError:
        # Cancelling aiogram's polling task would leave its getUpdates loop running on a closed
        # session; stop_polling ends it the way aiogram does (RuntimeError: not started yet).
        try:
            await dispatcher.stop_polling()
        except RuntimeError:
            polling.cancel()
        with suppress(asyncio.CancelledError):
            await polling
        raise


async def telegram_username(bot: Bot) -> str | None:
    """The bot's @username (for invite links), or None when Telegram cannot be asked now."""
    try:
        return (await bot.me()).username
    except TelegramAPIError as error:
        log.warning("bot username unknown, invite links show the token only: %s", error)
        return None


async def on_message(
    message: Message, bot: Bot, conversation: Conversation, event_update: Update
) -> None:
    """A private message: text, a command or any other content."""
    user = message.from_user
    assert user is not None  # the router's filter guarantees it
    replies = await conversation.handle(
        _incoming(
            user,
            message.chat.id,
            event_update,
            text=message.text or message.caption,
            message=message,
        )
    )
    await send_replies(bot, message.chat.id, replies)


async def on_callback(
    callback: CallbackQuery, bot: Bot, conversation: Conversation, event_update: Update
) -> None:
    """A tap on an inline button: stop the spinner, handle the payload, then either redraw the
    tapped message or retire its keyboard and answer below it.

    The spinner is stopped while the tap is handled: a round trip to Telegram that nothing
    after it waits for.
    """
    async with meanwhile(_answer(callback)):
        message = callback.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        replies = await conversation.handle(
            _incoming(callback.from_user, message.chat.id, event_update, button=callback.data or "")
        )
        if isinstance(message, Message):
            if await _edit_in_place(bot, message, replies):
                return
            await _retire_keyboard(bot, message)
        await send_replies(bot, message.chat.id, replies)


async def _answer(callback: CallbackQuery) -> None:
    try:
        await callback.answer()
    except TelegramAPIError as error:
        log.warning("callback %s not answered: %s", callback.id, error)


async def _retire_keyboard(bot: Bot, message: Message) -> None:
    """Take the buttons off a tapped message whose step is over."""
    if message.reply_markup is None:
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
        )
    except TelegramAPIError as error:
        # Too old to edit or already without buttons: the answer still goes out.
        log.info("keyboard of message %s kept: %s", message.message_id, error)


async def _edit_in_place(bot: Bot, message: Message, replies: list[Reply]) -> bool:
    """Redraw the tapped message when the answer is that one step shown again."""
    if len(replies) != 1 or not replies[0].edit:
        return False
    reply = replies[0]
    if reply.attachment is not None or len(split_text(reply.text)) > 1:
        return False
    try:
        await bot.edit_message_text(
            chat_id=message.chat.id,
            message_id=message.message_id,
            text=reply.text,
            reply_markup=_keyboard(reply.buttons),
        )
    except TelegramAPIError as error:
        log.info("message %s not redrawn, answering anew: %s", message.message_id, error)
        return False
    return True


def _incoming(
    user: User,
    chat_id: int,
    update: Update,
    *,
    text: str | None = None,
    button: str | None = None,
    message: Message | None = None,
) -> Incoming:
    attachments: tuple[Attachment, ...] = ()
    if message is not None and message.content_type != ContentType.TEXT:
        kind = _KINDS.get(message.content_type, AttachmentKind.OTHER)
        document = message.document
        attachments = (
            Attachment(
                kind,
                filename=document.file_name if document else None,
                mime_type=document.mime_type if document else None,
            ),
        )
    return Incoming(
        channel=Channel.TELEGRAM,
        user_id=str(user.id),
        chat_id=str(chat_id),
        text=text,
        button=button,
        language=user.language_code,
        attachments=attachments,
        update_key=f"telegram:{update.update_id}",
    )


async def send_replies(bot: Bot, chat_id: int | str, replies: list[Reply]) -> None:
    """Send replies as plain text (no parse mode), each keyboard on its reply's last message."""
    for reply in replies:
        markup = _keyboard(reply.buttons)
        chunks = split_text(reply.text) if reply.text else []
        attachment = reply.attachment if reply.attachment and reply.attachment.content else None
        for number, chunk in enumerate(chunks, start=1):
            last = number == len(chunks) and attachment is None
            await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)
        if attachment is not None:
            assert attachment.content is not None
            file = BufferedInputFile(attachment.content, filename=attachment.filename or "file")
            if attachment.kind is AttachmentKind.IMAGE:
                await bot.send_photo(chat_id, file, reply_markup=markup)
            else:
                await bot.send_document(chat_id, file, reply_markup=markup)


def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=button.label, callback_data=button.payload)
                for button in row
            ]
            for row in rows
        ]
    )


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most `limit` UTF-16 units, cut after a line break when one is near the end."""
    chunks: list[str] = []
    while (cut := _fitting_prefix(text, limit)) < len(text):
        newline = text.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline + 1
        chunks.append(text[:cut])
        text = text[cut:]
    chunks.append(text)
    return chunks


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


class TelegramSender:
    """Delivers outbox notifications, turning Bot API errors into outbox decisions."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        """Send; 429 → retry after the given time, 403 → unreachable, 5xx/network → retry."""
        try:
            await send_replies(self.bot, int(chat_id), list(replies))
        except TelegramRetryAfter as error:
            return RetryLater("telegram 429", timedelta(seconds=error.retry_after))
        except TelegramForbiddenError as error:
            return Unreachable(f"telegram 403: {error.message}")
        except (TelegramServerError, TelegramNetworkError) as error:
            return RetryLater(f"telegram: {error.message}")
        except TelegramAPIError as error:
            return Failed(f"telegram: {error.message}")
        return Sent()
