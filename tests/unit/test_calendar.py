"""Time zones, typed times and the calendar file of a meeting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from bot.services import calendar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", time(18, 30)),
        (" 9.05 ", time(9, 5)),
        ("18 30", time(18, 30)),
        ("07-00", time(7, 0)),
        ("24:00", None),
        ("18:60", None),
        ("1830", None),
        ("вечером", None),
        ("", None),
    ],
)
def test_typed_times(text: str, expected: time | None) -> None:
    assert calendar.parse_time(text) == expected


def test_local_times_round_trip_through_utc() -> None:
    moment = calendar.to_utc(date(2026, 12, 3), time(18, 0), "Asia/Vladivostok")
    assert moment == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert calendar.local(moment, "Europe/Kaliningrad").hour == 10
    assert calendar.utc_offset("Asia/Vladivostok", moment) == "UTC+10"
    assert calendar.utc_offset("Europe/Kaliningrad", moment) == "UTC+2"
    assert calendar.utc_offset("Asia/Kolkata", moment) == "UTC+5:30"
    # An unknown zone falls back to Moscow rather than failing.
    assert calendar.utc_offset("Mars/Olympus", moment) == "UTC+3"


def test_the_calendar_file_is_utc_escaped_and_folded() -> None:
    event = calendar.Event(
        uid="meeting-7@nastavnik",
        starts_at=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        summary="Равный — равному: Дарья, Миша",
        description="Знакомство; план на год, цели" + " и ещё" * 20,
        location="Библиотека, 2 этаж",
    )
    text = calendar.ics(event, now=datetime(2026, 12, 1, 6, 0, tzinfo=UTC)).decode()
    lines = text.split("\r\n")
    assert text.endswith("\r\n")
    assert "DTSTART:20261203T080000Z" in lines
    assert "DTEND:20261203T090000Z" in lines
    assert "LOCATION:Библиотека\\, 2 этаж" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:Знакомство\\; план на год\\, цели и ещё" in unfolded
    assert "METHOD:PUBLISH" in lines
    cancelled = calendar.ics(
        replace(event, cancelled=True), now=datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    ).decode()
    assert "METHOD:CANCEL" in cancelled
    assert "STATUS:CANCELLED" in cancelled
