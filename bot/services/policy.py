"""The knobs of the program's rules, read from the settings once, and the invite link builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

# The questionnaire files shipped with the bot.
QUESTIONNAIRES_DIR = Path(__file__).resolve().parents[2] / "questionnaires"
# The texts, for what a service renders itself (the words of a chart in a notification).
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


@dataclass(slots=True)
class InviteLinks:
    """Deep links into the bot. The Telegram username is learnt from getMe when the bot starts
    (or set in TELEGRAM__USERNAME); VK links work with the community id alone."""

    telegram_username: str | None = None
    vk_group_id: int | None = None

    def telegram(self, token: str) -> str | None:
        """`https://t.me/<bot>?start=<token>`, if the bot's username is known."""
        if not self.telegram_username:
            return None
        return f"https://t.me/{self.telegram_username}?start={token}"

    def vk(self, token: str) -> str | None:
        """`https://vk.me/club<id>?ref=<token>`, if the community is known."""
        if not self.vk_group_id:
            return None
        return f"https://vk.me/club{self.vk_group_id}?ref={token}"


@dataclass(slots=True)
class Policy:
    """Ages, deadlines and reminders the services apply; defaults follow DOMAIN.md."""

    # Under `adult_age` a parent must consent; from `self_consent_age` the student consents too.
    adult_age: int = 18
    self_consent_age: int = 14
    consent_link_ttl: timedelta = timedelta(days=7)
    # After how long an unfinished questionnaire is reminded of, counted from its first opening.
    questionnaire_reminders: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=7))
    questionnaires_dir: Path = QUESTIONNAIRES_DIR
    locales_dir: Path = LOCALES_DIR
    links: InviteLinks = field(default_factory=InviteLinks)
