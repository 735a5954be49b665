"""The VK channel: Bots Long Poll updates in, community messages with Callback keyboards out."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from collections import deque
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import ClientError, ClientResponseError, ClientTimeout
from vkbottle import (
    API,
    AiohttpClient,
    BotPolling,
    Callback,
    DocMessagesUploader,
    Keyboard,
    PhotoMessageUploader,
    VKAPIError,
)
from vkbottle.api import ABCAPI
from vkbottle.api.request_rescheduler import ABCRequestRescheduler

from bot.core.conversation import Conversation, KeyedLocks
from bot.core.messages import Attachment, AttachmentKind, Button, Channel, Incoming, Reply
from bot.core.ratelimit import Budget, RateLimiter
from bot.handlers.tasks import meanwhile
from bot.services.outbox import Failed, RetryLater, SendResult, Sent, Unreachable
from bot.services.positions import PollPositions

log = logging.getLogger(__name__)

Rows = list[list[Button]]

MAX_TEXT = 4096
# VK's limits for an inline keyboard.
MAX_BUTTONS = 10
MAX_ROWS = 6
MAX_PER_ROW = 5
MAX_LABEL = 40
# Options per page of a long keyboard; with « and » that makes the 10 buttons VK allows.
PAGE_SIZE = 8
PREVIOUS, NEXT = "«", "»"
# Peers from 2e9 up are group chats; the bot talks to people in private only.
FIRST_CHAT_PEER = 2_000_000_000
# client_info.lang_id of the person's VK interface; languages without texts are left to the core.
LANGUAGES = {0: "ru", 3: "en"}
ATTACHMENT_KINDS = {
    "photo": AttachmentKind.IMAGE,
    "graffiti": AttachmentKind.IMAGE,
    "doc": AttachmentKind.DOCUMENT,
    "sticker": AttachmentKind.STICKER,
    "audio": AttachmentKind.AUDIO,
    "audio_message": AttachmentKind.AUDIO,
    "video": AttachmentKind.VIDEO,
}
# What VK's own "Start" button of a new dialog sends.
START_PAYLOAD = {"command": "start"}
# Paged keyboards kept in memory: one per person, the oldest dropped first.
MAX_PAGED = 10_000
# API requests per second with a community token (VK allows 20).
RATE_LIMIT = 20.0
# A hung request must not outlive the outbox lease; the Long Poll request sets its own timeout.
REQUEST_TIMEOUT = ClientTimeout(total=60, sock_connect=10)

# random_id: VK takes a signed 32-bit integer and does not deliver a message again whose
# random_id the same person got within the last hour (it answers with the first message's id);
# 0 turns that check off. Two ranges that never meet, so a reply cannot swallow a notification:
# 1 … 2**30 for outbox notifications (see outbox_random_id), 2**30 + 1 … 2**31 - 1 for
# interactive replies (a per-process counter from a random start: never reused by one process).
OUTBOX_IDS = 2**30
INTERACTIVE_IDS = 2**31 - 1 - OUTBOX_IDS
# Messages one notification may take (text parts; the file rides on the last one).
MAX_PARTS = 64

# VK errors worth another try, with the wait each calls for (None: the worker's own backoff).
RETRY_AFTER: dict[int, timedelta | None] = {
    6: timedelta(seconds=1),  # too many requests per second
    9: timedelta(minutes=1),  # flood control
    # A method's quota is spent; 15 minutes keeps a resend within VK's one-hour duplicate
    # window, so parts delivered before the error are not delivered twice.
    29: timedelta(minutes=15),
    10: None,  # internal server error
}
# The person blocked the community or never allowed its messages; access denied.
UNREACHABLE = frozenset({7, 15, 901, 902})


def api_method_url(api_url: str) -> str:
    """`https://host` or `https://host/method` as the prefix vkbottle puts method names after."""
    base = api_url.rstrip("/")
    return base + "/" if base.endswith("/method") else base + "/method/"


def to_incoming(event: dict[str, Any]) -> Incoming | None:
    """A `message_new` object as an update, or None when it is not a private message."""
    message = event.get("message") or {}
    peer_id, from_id = message.get("peer_id"), message.get("from_id")
    if not isinstance(peer_id, int) or not isinstance(from_id, int):
        return None
    if not 0 < peer_id < FIRST_CHAT_PEER or from_id <= 0:
        return None
    text = message.get("text") or None
    if _json_object(message.get("payload")) == START_PAYLOAD:
        text = "/start"
    ref = message.get("ref")
    client_info = event.get("client_info") or {}
    kinds = [item.get("type") for item in message.get("attachments") or ()]
    attachments = [Attachment(ATTACHMENT_KINDS.get(kind, AttachmentKind.OTHER)) for kind in kinds]
    if message.get("geo"):
        attachments.append(Attachment(AttachmentKind.LOCATION))
    message_id = message.get("id")
    return Incoming(
        channel=Channel.VK,
        user_id=str(from_id),
        chat_id=str(peer_id),
        text=text,
        start_payload=ref if isinstance(ref, str) and ref else None,
        language=LANGUAGES.get(client_info.get("lang_id", -1)),
        attachments=tuple(attachments),
        # The community's message id: the same when VK repeats the event.
        update_key=f"vk:message:{message_id}"
        if isinstance(message_id, int) and message_id > 0
        else None,
    )


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` characters, cut at a line break where one is near the end."""
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", limit // 2, limit)
        cut = limit if cut == -1 else cut + 1
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text]


def paginate(rows: Sequence[Sequence[Button]]) -> list[Rows]:
    """The buttons as pages: one page when VK can show them all, else pages of PAGE_SIZE."""
    if sum(len(row) for row in rows) <= MAX_BUTTONS:
        return [[list(row) for row in rows]]
    pages: list[Rows] = []
    index = 0
    for row in rows:
        page_of_row = -1
        for button in row:
            page = index // PAGE_SIZE
            if page == len(pages):
                pages.append([])
            if page != page_of_row:
                pages[page].append([])
                page_of_row = page
            pages[page][-1].append(button)
            index += 1
    return pages


def fit(rows: Rows, max_rows: int) -> Rows:
    """Rows within VK's width, reflowed into wider rows when there are too many."""
    rows = [row[i : i + MAX_PER_ROW] for row in rows for i in range(0, len(row), MAX_PER_ROW)]
    if len(rows) <= max_rows:
        return rows
    flat = [button for row in rows for button in row]
    width = -(-len(flat) // max_rows)
    return [flat[i : i + width] for i in range(0, len(flat), width)]


def keyboard_json(pages: list[Rows], page: int = 0, key: str = "") -> str:
    """One page as an inline keyboard of Callback buttons; « and » turn pages of `key`."""
    keyboard = Keyboard(inline=True)
    paged = len(pages) > 1
    rows = fit(pages[page], MAX_ROWS - 1 if paged else MAX_ROWS)
    for row in rows:
        keyboard.row()
        for button in row:
            keyboard.add(Callback(_label(button.label), json.dumps({"p": button.payload})))
    if paged:
        keyboard.row()
        for label, target in ((PREVIOUS, page - 1), (NEXT, page + 1)):
            if 0 <= target < len(pages):
                keyboard.add(Callback(label, json.dumps({"page": target, "k": key})))
    return keyboard.get_json()


def _label(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _json_object(raw: object) -> dict[str, Any] | None:
    """A payload as VK sends it (an object, or an object as a JSON string), else None."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None


def outbox_random_id(notification_id: int, part: int) -> int:
    """`random_id` of a notification's message number `part`: 1 + (id · 64 + part) mod 2**30.

    The same on every retry and distinct per part, so VK drops a resend after a crash. Values
    lie in 1 … 2**30 (within int32) and repeat only every 2**24 (16.7 million) notifications,
    far beyond VK's one-hour duplicate window.
    """
    if not 0 <= part < MAX_PARTS:
        raise ValueError(f"a notification takes at most {MAX_PARTS} messages, not {part + 1}")
    return 1 + (notification_id * MAX_PARTS + part) % OUTBOX_IDS


def message_count(reply: Reply) -> int:
    """How many messages a reply takes: its text parts (the file rides on the last one)."""
    return len(split_text(reply.text))


def send_result(error: Exception) -> SendResult:
    """What the outbox does after a VK API, HTTP or network error."""
    match error:
        case VKAPIError(code=code) if code in RETRY_AFTER:
            return RetryLater(f"vk {code}: {error}", RETRY_AFTER[code])
        case VKAPIError(code=code) if code in UNREACHABLE:
            return Unreachable(f"vk {code}: {error}")
        case VKAPIError(code=code):
            return Failed(f"vk {code}: {error}")
        case ClientResponseError(status=status) if status >= 500 or status == 429:
            return RetryLater(f"vk: HTTP {status}")
        case ClientResponseError(status=status):
            return Failed(f"vk: HTTP {status}")
        case ClientError() | TimeoutError() | BadResponseError():
            return RetryLater(f"vk: {error!r}")
    raise error


class BadResponseError(Exception):
    """VK or its upload server answered with something other than the expected JSON."""


class _NoRescheduling(ABCRequestRescheduler):
    """Raise on a non-JSON answer: vkbottle's default retries it for ever, sleeping in between,
    which would hold a reply or the outbox worker; the caller decides whether to try again."""

    async def reschedule(
        self, ctx_api: ABCAPI | API, method: str, data: dict[str, Any], recent_response: Any
    ) -> dict[str, Any]:
        raise BadResponseError(f"{method}: not JSON: {str(recent_response)[:200]!r}")


class VkApi(API):
    """vkbottle's API with every method call waiting on the community token's rate limiter.

    Uploads' API calls come here too; the Long Poll request goes to `http_client` directly
    (it is not an API method and is not counted), and so do the file uploads themselves.
    """

    def __init__(self, token: str, limiter: RateLimiter) -> None:
        super().__init__(
            token,
            # An HTTP error status raises (VK answers API errors with 200 and an error body).
            http_client=AiohttpClient(raise_for_status=True, timeout=REQUEST_TIMEOUT),
            request_rescheduler=_NoRescheduling(),
        )
        self.limiter = limiter

    async def request(
        self, method: str, data: dict[str, Any], version: str | None = None
    ) -> dict[str, Any]:
        """One API method call, once the limiter lets it go."""
        await self.limiter.acquire()
        return await super().request(method, data, version)


class _DocUploader(DocMessagesUploader):
    """A document for a message; vkbottle leaves docs.getMessagesUploadServer's type unset."""

    async def get_server(self, **kwargs: Any) -> dict[str, Any]:
        response = await self.api.request("docs.getMessagesUploadServer", {"type": "doc", **kwargs})
        server: dict[str, Any] = response["response"]
        return server


@dataclass(frozen=True, slots=True)
class Paged:
    """A long keyboard sent to a person: its pages and the message it hangs on."""

    key: str
    text: str
    pages: list[Rows]
    attachment: str | None = None


class VkChannel:
    """One VK community's private chats, connected to the conversation core."""

    def __init__(self, conversation: Conversation, api: API, polling: _Polling) -> None:
        self.conversation = conversation
        self.api = api
        self.polling = polling
        # Lost on restart: « » on an older keyboard then gets the stale-button answer and
        # page 1 of a fresh keyboard from the core, which is acceptable.
        self._paged: dict[int, Paged] = {}
        # Replies to one person go out in the order of their updates.
        self._locks = KeyedLocks()
        self._tasks: set[asyncio.Task[None]] = set()
        self._interactive_ids = itertools.count(secrets.randbelow(INTERACTIVE_IDS))

    async def run(self) -> None:
        """Handle updates until cancelled, then stop the updates in flight and the HTTP session.

        Polling starts where the last run had handled everything (kept in the database), so
        what people wrote while the bot was down is read too; an update handled already before
        a crash and handed out again is recognised by the conversation and ignored.
        """
        position = _Position(PollPositions(self.conversation.database), self.polling)
        try:
            await position.restore()
            keeper = asyncio.create_task(position.keep())
            self._tasks.add(keeper)
            async with aclosing(self.polling.listen()) as events:
                async for event in events:
                    batch = []
                    for update in event.get("updates", ()):
                        task = asyncio.create_task(self.on_update(update))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                        batch.append(task)
                    position.handed_out(str(event["ts"]), batch)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop the updates in flight and close the HTTP session."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.api.http_client.close()

    async def on_update(self, update: dict[str, Any]) -> None:
        """Route one Long Poll update; a failure is logged and the next update goes on."""
        try:
            match update.get("type"):
                case "message_new":
                    await self.on_message(update.get("object") or {})
                case "message_event":
                    await self.on_button(update.get("object") or {})
        except Exception:
            log.exception("VK update %s failed", update.get("type"))

    async def on_message(self, event: dict[str, Any]) -> None:
        """A person wrote: the conversation answers."""
        incoming = to_incoming(event)
        if incoming is None:
            return
        async with self._locks.hold((Channel.VK, incoming.chat_id)):
            await self.render(int(incoming.chat_id), await self.conversation.handle(incoming))

    async def on_button(self, event: dict[str, Any]) -> None:
        """A Callback button was tapped: always answer it, turn a page or ask the conversation."""
        event_id, user_id, peer_id = (
            event.get("event_id"),
            event.get("user_id"),
            event.get("peer_id"),
        )
        if not (
            isinstance(event_id, str) and isinstance(user_id, int) and isinstance(peer_id, int)
        ):
            log.warning("VK message_event without ids: %r", event)
            return
        # Answered whatever happens next, so the spinner stops; meanwhile the tap is handled
        # (the answer is a round trip to VK that nothing waits for).
        async with (
            meanwhile(self.answer_event(event_id, user_id, peer_id)),
            self._locks.hold((Channel.VK, str(peer_id))),
        ):
            if not 0 < peer_id < FIRST_CHAT_PEER:
                return
            payload = _json_object(event.get("payload")) or {}
            message_id = event.get("conversation_message_id")
            if await self.turn_page(peer_id, payload, message_id):
                return
            button = payload.get("p")
            incoming = Incoming(
                channel=Channel.VK,
                user_id=str(user_id),
                chat_id=str(peer_id),
                # Anything but an option's payload is a stale button for the core.
                button=button if isinstance(button, str) else "",
                update_key=f"vk:event:{event_id}",
            )
            replies = await self.conversation.handle(incoming)
            if not await self.redraw(peer_id, replies, message_id):
                await self.render(peer_id, replies)

    async def answer_event(self, event_id: str, user_id: int, peer_id: int) -> None:
        """Stop the spinner of a tapped Callback button."""
        try:
            await self.api.messages.send_message_event_answer(
                event_id=event_id, user_id=user_id, peer_id=peer_id
            )
        except (VKAPIError, ClientError, TimeoutError, BadResponseError):
            log.warning("VK: event %s not answered", event_id, exc_info=True)

    async def turn_page(self, peer_id: int, payload: dict[str, Any], message_id: object) -> bool:
        """Show another page of the person's long keyboard; False when it is not a known page."""
        paged = self._paged.get(peer_id)
        page = payload.get("page")
        if paged is None or payload.get("k") != paged.key or not isinstance(page, int):
            return False
        if not 0 <= page < len(paged.pages):
            return False
        keyboard = keyboard_json(paged.pages, page, paged.key)
        if not await self.edit(peer_id, message_id, paged.text, keyboard, paged.attachment):
            await self.send(peer_id, paged.text, keyboard, attachment=paged.attachment)
        return True

    async def redraw(self, peer_id: int, replies: Sequence[Reply], message_id: object) -> bool:
        """Show a step redrawn after a tap in the tapped message; False when it must be sent."""
        if len(replies) != 1:
            return False
        [reply] = replies
        if not reply.edit or reply.attachment is not None or message_count(reply) > 1:
            return False
        keyboard = self.keyboard(peer_id, reply, reply.text, None)
        return await self.edit(peer_id, message_id, reply.text, keyboard)

    async def edit(
        self,
        peer_id: int,
        message_id: object,
        text: str,
        keyboard: str | None,
        attachment: str | None = None,
    ) -> bool:
        """Replace a message's text and keyboard; False when VK refuses (too old, deleted ...)."""
        if not isinstance(message_id, int):
            return False
        try:
            await self.api.messages.edit(
                peer_id=peer_id,
                conversation_message_id=message_id,
                message=text,
                keyboard=keyboard,
                attachment=attachment,
            )
        except VKAPIError as error:
            # Only a refusal: after a timeout the edit may have been made, and a new message
            # would show the step twice.
            log.info("VK: message %s not edited, sending anew: %s", message_id, error)
            return False
        return True

    async def deliver(
        self, peer_id: int, replies: Sequence[Reply], *, notification_id: int
    ) -> None:
        """Send a notification's replies, in turn with the person's interactive replies."""
        async with self._locks.hold((Channel.VK, str(peer_id))):
            await self.render(peer_id, replies, notification_id=notification_id)

    async def render(
        self, peer_id: int, replies: Sequence[Reply], *, notification_id: int | None = None
    ) -> None:
        """Send the replies in order: long texts in parts, the file and keyboard on the last.

        With a `notification_id` every message gets its deterministic outbox random_id.
        """
        index = itertools.count()
        for reply in replies:
            *parts, last = split_text(reply.text)
            for part in parts:
                await self.send(peer_id, part, random_id=self._random_id(notification_id, index))
            attachment = await self.upload(peer_id, reply.attachment)
            keyboard = self.keyboard(peer_id, reply, last, attachment)
            await self.send(
                peer_id,
                last,
                keyboard,
                attachment=attachment,
                random_id=self._random_id(notification_id, index),
            )

    def keyboard(self, peer_id: int, reply: Reply, text: str, attachment: str | None) -> str | None:
        """The reply's first keyboard page; a long one is remembered for « and »."""
        if not reply.buttons:
            return None
        pages = paginate(reply.buttons)
        key = secrets.token_urlsafe(4)
        self._paged.pop(peer_id, None)
        if len(pages) > 1:
            self._paged[peer_id] = Paged(key, text, pages, attachment)
            if len(self._paged) > MAX_PAGED:
                del self._paged[next(iter(self._paged))]
        return keyboard_json(pages, 0, key)

    async def upload(self, peer_id: int, attachment: Attachment | None) -> str | None:
        """Upload a file for a message to the person: `photo…` for an image, else `doc…`."""
        if attachment is None:
            return None
        if attachment.content is None:
            log.warning("VK: a %s attachment without content is skipped", attachment.kind)
            return None
        try:
            if attachment.kind is AttachmentKind.IMAGE:
                photos = PhotoMessageUploader(self.api, attachment_name=attachment.filename)
                return await photos.upload(attachment.content, peer_id=peer_id)
            docs = _DocUploader(self.api)
            title = attachment.filename or "file"
            return await docs.upload(attachment.content, peer_id=peer_id, title=title)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            # vkbottle parses the upload server's answer without checking it.
            raise BadResponseError(f"upload of {attachment.filename!r}: {error!r}") from error

    async def send(
        self,
        peer_id: int,
        text: str,
        keyboard: str | None = None,
        *,
        attachment: str | None = None,
        random_id: int | None = None,
    ) -> None:
        """One messages.send; a fresh interactive random_id unless one is given."""
        await self.api.messages.send(
            peer_id=peer_id,
            message=text or None,
            attachment=attachment,
            random_id=random_id if random_id is not None else self.interactive_random_id(),
            keyboard=keyboard,
        )

    def interactive_random_id(self) -> int:
        """The next random_id of an interactive reply, in 2**30 + 1 … 2**31 - 1."""
        return OUTBOX_IDS + 1 + next(self._interactive_ids) % INTERACTIVE_IDS

    def _random_id(self, notification_id: int | None, index: itertools.count[int]) -> int:
        part = next(index)
        if notification_id is None:
            return self.interactive_random_id()
        return outbox_random_id(notification_id, part)


class VkSender:
    """Delivers outbox notifications through a VK channel, turning VK errors into decisions."""

    def __init__(self, channel: VkChannel) -> None:
        self.channel = channel

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, notification_id: int
    ) -> SendResult:
        """Send; 6/9/29/10, HTTP 5xx and network errors → retry, 901/902/7/15 → unreachable."""
        try:
            peer_id = int(chat_id)
        except ValueError:
            return Failed(f"vk: not a peer id: {chat_id!r}")
        parts = sum(message_count(reply) for reply in replies)
        if parts > MAX_PARTS:
            return Failed(f"vk: {parts} messages, more than {MAX_PARTS}")
        try:
            await self.channel.deliver(peer_id, replies, notification_id=notification_id)
        except (VKAPIError, ClientError, TimeoutError, BadResponseError) as error:
            return send_result(error)
        return Sent()


class _Polling(BotPolling):
    """Bots Long Poll that starts at `resume_at` when set, else where VK says is now.

    vkbottle can keep the last `ts` itself, in a `.vkbottle/` file in the working directory,
    written as soon as an event is handed out; `_Position` keeps it in the database instead,
    once the event's updates are handled, so an update still being handled when the process
    dies is asked for again.
    """

    resume_at: str | None = None

    def restore_server_ts(self, server: dict[str, Any]) -> dict[str, Any]:
        if self.resume_at is not None:
            server["ts"] = self.resume_at
        return server

    def save_server_ts(self, server: dict[str, Any]) -> None:
        return None


class _Position:
    """The Long Poll `ts` before which every update has been handled, kept after each batch.

    Batches are handled concurrently (one person's updates in order); the position moves past
    a batch only when it and every batch before it are done. A failure to keep it (the
    database is away) is logged; the next batch keeps a later one.
    """

    def __init__(self, positions: PollPositions, polling: _Polling) -> None:
        self._positions = positions
        self._polling = polling
        self._batches: deque[tuple[str, list[asyncio.Task[None]]]] = deque()
        self._arrived = asyncio.Event()

    @property
    def _source(self) -> str:
        return f"vk:{self._polling.group_id}"

    async def restore(self) -> None:
        """Point polling at the kept position, if any."""
        self._polling.resume_at = await self._positions.get(self._source)

    def handed_out(self, ts: str, batch: list[asyncio.Task[None]]) -> None:
        """The updates before `ts` are being handled by these tasks."""
        self._batches.append((ts, batch))
        self._arrived.set()

    async def keep(self) -> None:
        """Keep the position as batches finish, until cancelled."""
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while self._batches:
                await self.advance()

    async def advance(self) -> str:
        """Wait for the oldest batch, move past it and every finished batch right behind it, and
        keep that position; the position."""
        ts, oldest = self._batches[0]
        if oldest:
            await asyncio.wait(oldest)
        while self._batches and all(task.done() for task in self._batches[0][1]):
            ts, _ = self._batches.popleft()
        try:
            await self._positions.keep(self._source, ts)
        except Exception:
            log.exception("VK: could not keep the Long Poll position %s", ts)
        return ts


def build_vk(
    conversation: Conversation,
    token: str,
    group_id: int,
    api_url: str | None,
    *,
    rate_limit: float = RATE_LIMIT,
    limiter: RateLimiter | None = None,
) -> VkChannel:
    """The VK channel; `api_url` points the API, and so the Long Poll server, elsewhere.

    Every API request waits on `limiter` (by default a new one of `rate_limit` requests per
    second): pass the same limiter to everything that uses this community's token.
    """
    api = VkApi(token, limiter or RateLimiter(Budget(rate_limit)))
    if api_url:
        # An instance attribute shadows vkbottle's class-level API_URL for this client only;
        # the Long Poll server then comes from groups.getLongPollServer of that server too.
        api.API_URL = api_method_url(api_url)
    return VkChannel(conversation, api, _Polling(api, group_id=group_id))


async def run_vk_polling(channel: VkChannel) -> None:
    """Run the channel over Bots Long Poll until cancelled."""
    log.info("VK: Bots Long Poll at %s", channel.api.API_URL)
    await channel.run()
