"""Column types shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, Enum
from sqlalchemy.types import TypeDecorator

ENUM_LENGTH = 32


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp: refuses naive values, stores UTC, always reads back aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Check the value is aware and convert it to UTC."""
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware UTC value")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to what SQLite returns naive; normalise what PostgreSQL returns."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_class: type[enum.Enum]) -> Enum:
    """Store an enum as its string value in a plain VARCHAR: no native type, no CHECK.

    New members therefore need no migration; the Python attribute stays typed as the enum.
    """
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=ENUM_LENGTH,
        values_callable=_enum_values,
        validate_strings=True,
    )


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


def utcnow() -> datetime:
    """The current time, aware UTC; the default for timestamps no caller passed explicitly."""
    return datetime.now(UTC)


__all__ = ["ENUM_LENGTH", "UTCDateTime", "enum_type", "utcnow"]
