"""Time for meetings: time zones, typed times, and the iCalendar (.ics) file of a meeting.

Meetings are stored in UTC; each person sees them in their own time zone (their own setting,
else their organisation's). The .ics file names the time in UTC (`DTSTART:...Z`), so every
calendar application shows it right wherever the reader is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/Moscow"
# The zones a person can pick, west to east: Russia's eleven, by a city people know.
ZONES: tuple[str, ...] = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
)
TIME_RE = re.compile(r"^\s*([01]?\d|2[0-3])\s*[:.\-h ]\s*([0-5]\d)\s*$")
ICS_LINE = 75  # octets per line before folding (RFC 5545, 3.1)


def zone(name: str | None) -> ZoneInfo:
    """The zone by its IANA name; Moscow when unknown or unset."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def parse_time(text: str) -> time | None:
    """A typed time of day: "18:30", "9.05", "18 30"; None if it is not one."""
    found = TIME_RE.match(text)
    if found is None:
        return None
    return time(int(found.group(1)), int(found.group(2)))


def to_utc(day: date, at: time, zone_name: str | None) -> datetime:
    """A local date and time in the zone, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=zone(zone_name)).astimezone(UTC)


def local(moment: datetime, zone_name: str | None) -> datetime:
    """An aware moment in the zone."""
    return moment.astimezone(zone(zone_name))


def utc_offset(zone_name: str | None, at: datetime) -> str:
    """ "UTC+3" for Moscow: how the zone is named next to a time."""
    offset = local(at, zone_name).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@dataclass(frozen=True, slots=True)
class Event:
    """What a calendar file says about a meeting."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        limit = ICS_LINE if not out else ICS_LINE - 1  # continuation lines start with a space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(event: Event, *, now: datetime) -> bytes:
    """The event as an iCalendar file (a REQUEST, or a CANCEL for a cancelled meeting)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Nastavnik//Meetings//RU",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if event.cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(event.ends_at)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    folded = [part for line in lines for part in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode()
