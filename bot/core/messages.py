"""The neutral message model every channel translates to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from storage.enums import Channel

__all__ = ["LINK_BUTTON", "Attachment", "AttachmentKind", "Button", "Channel", "Incoming", "Reply"]

# A button payload starting with this opens a deep link (`/start <rest>`) instead of answering
# the keyboard last shown: buttons in notifications stay valid whatever the reader did since.
LINK_BUTTON = "~"


class AttachmentKind(StrEnum):
    """What a non-text part of a message is."""

    IMAGE = "image"
    DOCUMENT = "document"
    STICKER = "sticker"
    AUDIO = "audio"
    VIDEO = "video"
    LOCATION = "location"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent by a user (kind only) or by the bot (with its bytes)."""

    kind: AttachmentKind
    filename: str | None = None
    content: bytes | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update from a person, whatever messenger it came from."""

    channel: Channel
    user_id: str
    chat_id: str
    text: str | None = None
    button: str | None = None
    start_payload: str | None = None
    language: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # The messenger's own id of the update, when it has one: a redelivery is ignored.
    update_key: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """A button: the label shown and the opaque payload sent back when tapped."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to show: rendered text, the id it came from, buttons in rows."""

    text: str
    text_id: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    accepts_text: bool = False
    attachment: Attachment | None = None
    args: dict[str, object] = field(default_factory=dict)
    # Redraw the message whose button was tapped instead of sending a new one (a step shown
    # again with a changed state, e.g. a toggled option). Channels that cannot edit send anew.
    edit: bool = False

    @property
    def flat_buttons(self) -> tuple[Button, ...]:
        """All buttons, row by row."""
        return tuple(button for row in self.buttons for button in row)
