"""The VK channel: Bots Long Poll updates in, community messages with Callback keyboards out."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from vkbottle import API, AiohttpClient, BotPolling, Callback, Keyboard, VKAPIError

from bot.core.conversation import Conversation, KeyedLocks
from bot.core.messages import Attachment, AttachmentKind, Button, Channel, Incoming, Reply

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
    return Incoming(
        channel=Channel.VK,
        user_id=str(from_id),
        chat_id=str(peer_id),
        text=text,
        start_payload=ref if isinstance(ref, str) and ref else None,
        language=LANGUAGES.get(client_info.get("lang_id", -1)),
        attachments=tuple(attachments),
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


@dataclass(frozen=True, slots=True)
class Paged:
    """A long keyboard sent to a person: its pages and the text of the message it hangs on."""

    key: str
    text: str
    pages: list[Rows]


class VkChannel:
    """One VK community's private chats, connected to the conversation core."""

    def __init__(self, conversation: Conversation, api: API, polling: BotPolling) -> None:
        self.conversation = conversation
        self.api = api
        self.polling = polling
        # Lost on restart: « » on an older keyboard then gets the stale-button answer and
        # page 1 of a fresh keyboard from the core, which is acceptable.
        self._paged: dict[int, Paged] = {}
        # Replies to one person go out in the order of their updates.
        self._locks = KeyedLocks()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Handle updates until cancelled, then stop the updates in flight and the HTTP session."""
        try:
            async with aclosing(self.polling.listen()) as events:
                async for event in events:
                    for update in event.get("updates", ()):
                        task = asyncio.create_task(self.on_update(update))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
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
        async with self._locks.hold((Channel.VK, str(peer_id))):
            # Answered first, so the spinner stops whatever happens next.
            try:
                await self.api.messages.send_message_event_answer(
                    event_id=event_id, user_id=user_id, peer_id=peer_id
                )
            except VKAPIError:
                log.warning("VK: event %s not answered", event_id, exc_info=True)
            if not 0 < peer_id < FIRST_CHAT_PEER:
                return
            payload = _json_object(event.get("payload")) or {}
            if await self.turn_page(peer_id, payload, event.get("conversation_message_id")):
                return
            button = payload.get("p")
            incoming = Incoming(
                channel=Channel.VK,
                user_id=str(user_id),
                chat_id=str(peer_id),
                # Anything but an option's payload is a stale button for the core.
                button=button if isinstance(button, str) else "",
            )
            await self.render(peer_id, await self.conversation.handle(incoming))

    async def turn_page(self, peer_id: int, payload: dict[str, Any], message_id: object) -> bool:
        """Show another page of the person's long keyboard; False when it is not a known page."""
        paged = self._paged.get(peer_id)
        page = payload.get("page")
        if paged is None or payload.get("k") != paged.key or not isinstance(page, int):
            return False
        if not 0 <= page < len(paged.pages):
            return False
        keyboard = keyboard_json(paged.pages, page, paged.key)
        if isinstance(message_id, int):
            await self.api.messages.edit(
                peer_id=peer_id,
                conversation_message_id=message_id,
                message=paged.text,
                keyboard=keyboard,
            )
        else:
            await self.send(peer_id, paged.text, keyboard)
        return True

    async def render(self, peer_id: int, replies: list[Reply]) -> None:
        """Send the replies in order; long texts in parts with the keyboard on the last one."""
        for reply in replies:
            if reply.attachment is not None:
                log.warning("VK files are not sent yet; %s goes without its file", reply.text_id)
            *parts, last = split_text(reply.text)
            for part in parts:
                await self.send(peer_id, part, None)
            keyboard = None
            if reply.buttons:
                pages = paginate(reply.buttons)
                key = secrets.token_urlsafe(4)
                keyboard = keyboard_json(pages, 0, key)
                self._paged.pop(peer_id, None)
                if len(pages) > 1:
                    self._paged[peer_id] = Paged(key, last, pages)
                    if len(self._paged) > MAX_PAGED:
                        del self._paged[next(iter(self._paged))]
            await self.send(peer_id, last, keyboard)

    async def send(self, peer_id: int, text: str, keyboard: str | None) -> None:
        """One messages.send call."""
        await self.api.messages.send(
            peer_id=peer_id,
            message=text,
            # Any unique number for now; retries after a failure will need a stable one.
            random_id=secrets.randbelow(2**31 - 1) + 1,
            keyboard=keyboard,
        )


class _Polling(BotPolling):
    """Bots Long Poll without vkbottle's `.vkbottle/` file in the working directory.

    vkbottle writes the last `ts` there after every event, but reads it back only when old
    events are not skipped; they are skipped (its default), so the file is never needed.
    """

    def save_server_ts(self, server: dict[str, Any]) -> None:
        return None


def build_vk(
    conversation: Conversation, token: str, group_id: int, api_url: str | None
) -> VkChannel:
    """The VK channel; `api_url` points the API, and so the Long Poll server, elsewhere."""
    api = API(token, http_client=AiohttpClient())
    if api_url:
        # An instance attribute shadows vkbottle's class-level API_URL for this client only;
        # the Long Poll server then comes from groups.getLongPollServer of that server too.
        api.API_URL = api_method_url(api_url)
    return VkChannel(conversation, api, _Polling(api, group_id=group_id))


async def run_vk_polling(channel: VkChannel) -> None:
    """Run the channel over Bots Long Poll until cancelled."""
    log.info("VK: Bots Long Poll at %s", channel.api.API_URL)
    await channel.run()
