"""The digest: its chart is a real PNG with the figures' series; the weekly job plans it at the
organisation's local day and hour, once per ISO week; the /digest screens and the notification's
buttons show only what the reader may see."""

from __future__ import annotations

import base64
import io
import math
import struct
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.i18n import Translator
from bot.core.messages import LINK_BUTTON, AttachmentKind, Channel
from bot.services import Services
from bot.services.chart import ChartLabels, chart_figure, render_chart
from bot.services.digests import week_key
from bot.services.figures import WeekPoint
from storage import (
    CycleStage,
    Feedback,
    FeedbackKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MessengerAccount,
    Notification,
    Organization,
    Pair,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    StaffMember,
    StaffRole,
)
from tests.chat import Chat
from tests.integration import factories as f
from tests.unit.test_i18n import LOCALES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZONE = "Asia/Vladivostok"  # UTC+10: Monday 09:00 there is Sunday 23:00 UTC
SUNDAY = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 23 November, 09:00 in Vladivostok
OLGA, IVAN, SERGEY, STRANGER = "501", "502", "503", "504"


@pytest.fixture
def clock() -> FrozenClock:
    """Sunday noon UTC, the evening before the digest is due in Vladivostok."""
    return FrozenClock(SUNDAY)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG must start with."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- the chart -----------------------------------------------------------------------------------


WEEKS = [
    WeekPoint(date(2026, 10, 5) + timedelta(weeks=i), held, planned, rating)
    for i, (held, planned, rating) in enumerate(
        [(0, 0, None), (1, 2, 4.0), (2, 2, 4.5), (0, 1, None), (3, 4, 3.5), (1, 1, 2.0)]
    )
]


def test_chart_is_a_png_with_the_figures_series() -> None:
    ru = Translator(LOCALES, strict=True)
    labels = ChartLabels.of(lambda text_id: ru("ru", text_id))
    figure = chart_figure(WEEKS, labels=labels)
    bars, line = figure.axes
    planned, held = bars.containers
    assert [patch.get_height() for patch in planned] == [w.planned for w in WEEKS]
    assert [patch.get_height() for patch in held] == [w.held for w in WEEKS]
    assert planned.get_label() == ru("ru", "digest-chart-planned")
    assert held.get_label() == ru("ru", "digest-chart-held")
    (rating,) = line.get_lines()
    assert rating.get_label() == ru("ru", "digest-chart-rating")
    ys: list[float] = list(rating.get_ydata())  # type: ignore[arg-type]
    for y, week in zip(ys, WEEKS, strict=True):
        assert math.isnan(y) if week.rating is None else y == week.rating
    low, high = line.get_ylim()
    assert low <= 1
    assert high >= 5
    assert [tick.get_text() for tick in bars.get_xticklabels()] == [
        w.week_start.strftime("%d.%m") for w in WEEKS
    ]
    assert bars.get_title() == ru("ru", "digest-chart-title")

    data = render_chart(WEEKS, labels=labels)
    assert png_size(data) == (800, 400)
    assert len(data) < 60_000
    with Image.open(io.BytesIO(data)) as image:
        image.verify()


# --- the weekly job ------------------------------------------------------------------------------


async def person_of(session: AsyncSession, chat: Chat) -> Person:
    who = await session.scalar(
        select(Person)
        .join(MessengerAccount, MessengerAccount.person_id == Person.id)
        .where(MessengerAccount.external_user_id == chat.user_id)
    )
    assert who is not None
    return who


async def participant(
    session: Any, program: Program, org: Organization, name: str, role: ParticipantRole, **kw: Any
) -> Participant:
    who = await f.person(session, org, full_name=name)
    await f.account(session, who)
    part = await f.participant(session, program, who, role)
    part.created_at = SUNDAY - timedelta(days=60)
    for key, value in kw.items():
        setattr(part, key, value)
    await session.flush()
    return part


async def seed(app: App, *chats: Chat) -> dict[str, int]:
    """Olga curates Alpha (a pair at work, one mentee unmatched), Ivan curates Beta (nothing
    yet), Sergey coordinates their school in Vladivostok; a stranger is nobody's staff."""
    for chat in chats:
        await chat.send("/start")
    async with app.database.transaction() as session:
        org = await f.add(session, Organization(name="School 7", timezone=ZONE))
        alpha = await f.program(session, org)
        alpha.name, alpha.stage = "Alpha", int(CycleStage.PAIRS_AT_WORK)
        beta = await f.program(session, org)
        beta.name, beta.stage = "Beta", int(CycleStage.MENTEE_BASE)
        people = {chat.user_id: await person_of(session, chat) for chat in chats}
        for who in people.values():
            who.organization_id = org.id
        for user_id, prog in ((OLGA, alpha), (IVAN, beta)):
            session.add(ProgramCurator(program_id=prog.id, person_id=people[user_id].id))
        session.add(
            StaffMember(
                organization_id=org.id, person_id=people[SERGEY].id, role=StaffRole.COORDINATOR
            )
        )
        matched = {"status": ParticipantStatus.MATCHED}
        mentor = await participant(
            session, alpha, org, "Dasha", ParticipantRole.MENTOR, approved=True, **matched
        )
        mentee = await participant(session, alpha, org, "Misha", ParticipantRole.MENTEE, **matched)
        await participant(
            session, alpha, org, "Petya", ParticipantRole.MENTEE, status=ParticipantStatus.READY
        )
        await participant(session, beta, org, "Zoya", ParticipantRole.MENTEE)
        pair = await f.add(
            session,
            Pair(
                program_id=alpha.id,
                status=PairStatus.ACTIVE,
                mentor_participant_id=mentor.id,
                created_at=SUNDAY - timedelta(days=30),
                approved_at=SUNDAY - timedelta(days=30),
            ),
        )
        for part in (mentor, mentee):
            session.add(PairMember(pair_id=pair.id, participant_id=part.id, role=part.role))
        # Last week in Vladivostok: two held (rated 5 and 3); this week: one agreed on.
        for starts_at, status, rating in (
            (datetime(2026, 11, 18, 8, 0, tzinfo=UTC), MeetingStatus.HELD, 5),
            (datetime(2026, 11, 20, 8, 0, tzinfo=UTC), MeetingStatus.HELD, 3),
            (datetime(2026, 11, 25, 8, 0, tzinfo=UTC), MeetingStatus.CONFIRMED, None),
        ):
            meeting = await f.add(
                session,
                Meeting(
                    pair_id=pair.id,
                    kind=MeetingKind.REGULAR,
                    status=status,
                    starts_at=starts_at,
                    duration_minutes=60,
                ),
            )
            if rating is not None:
                session.add(
                    Feedback(
                        participant_id=mentee.id,
                        meeting_id=meeting.id,
                        kind=FeedbackKind.MEETING,
                        rating=rating,
                        created_at=starts_at + timedelta(hours=2),
                    )
                )
        # The coordinator of another school in the same zone, with no program yet.
        empty = await f.add(session, Organization(name="School 9", timezone=ZONE))
        nina = await f.person(session, empty, full_name="Nina")
        session.add(
            StaffMember(organization_id=empty.id, person_id=nina.id, role=StaffRole.COORDINATOR)
        )
        ids = {user_id: who.id for user_id, who in people.items()}
        ids.update(alpha=alpha.id, beta=beta.id, org=org.id, nina=nina.id)
        return ids


@pytest.fixture
def olga(app: App) -> Chat:
    return Chat(app.conversation, user_id=OLGA, channel=Channel.TELEGRAM)


@pytest.fixture
def ivan(app: App) -> Chat:
    return Chat(app.conversation, user_id=IVAN, channel=Channel.TELEGRAM)


@pytest.fixture
def sergey(app: App) -> Chat:
    return Chat(app.conversation, user_id=SERGEY, channel=Channel.VK)


@pytest.fixture
def stranger(app: App) -> Chat:
    return Chat(app.conversation, user_id=STRANGER, channel=Channel.TELEGRAM)


@pytest.fixture
async def school(app: App, olga: Chat, ivan: Chat, sergey: Chat, stranger: Chat) -> dict[str, int]:
    return await seed(app, olga, ivan, sergey, stranger)


async def plan_due(app: App, clock: FrozenClock) -> int:
    async with app.database.transaction() as session:
        return await Services(session, clock).digests.plan_due()


async def digests(app: App) -> dict[int, list[Notification]]:
    async with app.database.transaction() as session:
        rows = await session.scalars(
            select(Notification).where(Notification.kind == "digest").order_by(Notification.id)
        )
        found: dict[int, list[Notification]] = {}
        for row in rows:
            found.setdefault(row.recipient_person_id, []).append(row)
        return found


async def test_weekly_digest_goes_at_nine_on_monday_local_time_once_a_week(
    app: App, clock: FrozenClock, school: dict[str, int]
) -> None:
    clock.set(DUE - timedelta(minutes=1))  # Monday 08:59 in Vladivostok
    assert await plan_due(app, clock) == 0
    assert await digests(app) == {}

    clock.set(DUE)
    assert await plan_due(app, clock) == 4
    planned = await digests(app)
    assert set(planned) == {school[OLGA], school[IVAN], school[SERGEY], school["nina"]}

    # Olga: Alpha's figures with its chart and a button to see who is unmatched.
    (alpha,) = planned[school[OLGA]]
    assert alpha.key == f"digest:{school[OLGA]}:2026-W48"
    assert alpha.key == week_key(school[OLGA], DUE, ZONE)
    assert alpha.payload["text_id"] == "digest-program"
    args = alpha.payload["args"]
    assert args["program"] == "Alpha"
    assert (args["held_week"], args["planned_week"]) == (0, 1)
    assert (args["held_last"], args["planned_last"]) == (2, 2)
    assert args["rating"] == 4.0
    assert args["unmatched"] == 1
    assert args["quiet"] == "none"
    assert alpha.payload["links"] == [["digest-button-unmatched", f"dg{school['alpha']}_unmatched"]]
    chart = alpha.payload["file"]
    assert (chart["kind"], chart["type"]) == (AttachmentKind.IMAGE.value, "image/png")
    assert png_size(base64.b64decode(chart["data"])) == (800, 400)

    # Ivan: Beta has nothing to report, so one line.
    (empty,) = planned[school[IVAN]]
    assert empty.payload["text_id"] == "digest-empty"
    assert empty.key == f"digest:{school[IVAN]}:2026-W48"

    # Nina: her school has no program yet.
    (nothing,) = planned[school["nina"]]
    assert nothing.payload["text_id"] == "digest-empty"
    assert nothing.payload["args"] == {"programs": "none"}

    # Sergey: a header for the school, then Alpha only (Beta is quiet).
    header, program = planned[school[SERGEY]]
    assert header.payload["text_id"] == "digest-organization"
    assert header.payload["args"]["programs"] == 2
    assert header.payload["args"]["quiet"] == 1
    assert header.key == f"digest:{school[SERGEY]}:2026-W48"
    assert program.payload["text_id"] == "digest-program"
    assert program.payload["args"]["program"] == "Alpha"
    assert program.key.startswith(header.key + ":")

    # Every text renders in both languages with the arguments it was given.
    strict = Translator(LOCALES, strict=True)
    for rows in planned.values():
        for row in rows:
            for locale in ("ru", "en"):
                assert strict(locale, row.payload["text_id"], row.payload["args"])

    # Later the same week: nothing new is planned.
    for hours in (0.25, 24, 6 * 24 + 14):
        clock.set(DUE + timedelta(hours=hours))
        assert await plan_due(app, clock) == 0
    assert sum(len(rows) for rows in (await digests(app)).values()) == 5

    # The next Monday at nine, the next week's digest.
    clock.set(DUE + timedelta(weeks=1))
    assert await plan_due(app, clock) == 4
    week49 = await digests(app)
    assert [row.key for row in week49[school[IVAN]]] == [
        f"digest:{school[IVAN]}:2026-W48",
        f"digest:{school[IVAN]}:2026-W49",
    ]


async def test_the_day_and_hour_are_the_organisations(
    app: App, clock: FrozenClock, school: dict[str, int]
) -> None:
    async with app.database.transaction() as session:
        org = await session.get(Organization, school["org"])
        assert org is not None
        org.digest_weekday, org.digest_hour = 3, 18  # Wednesday 18:00 in Vladivostok
    clock.set(DUE)
    assert await plan_due(app, clock) == 1  # only Nina, whose school keeps Monday at nine
    clock.set(datetime(2026, 11, 25, 7, 59, tzinfo=UTC))  # Wednesday 17:59 there
    assert await plan_due(app, clock) == 0
    clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    assert await plan_due(app, clock) == 3
    assert set(await digests(app)) == {school[OLGA], school[IVAN], school[SERGEY], school["nina"]}


# --- /digest and the notification's buttons ------------------------------------------------------


def t(app: App, text_id: str, **args: Any) -> str:
    return app.translator("ru", text_id, args)


async def test_curator_reads_the_digest_and_who_is_flagged(
    app: App, clock: FrozenClock, school: dict[str, int], olga: Chat
) -> None:
    clock.set(DUE)
    await olga.send("/digest")
    assert olga.ids == ["digest-chart", "digest-program"]
    chart = olga.replies[0].attachment
    assert chart is not None
    assert chart.kind is AttachmentKind.IMAGE
    assert png_size(chart.content or b"") == (800, 400)
    assert "Alpha" in olga.last.text
    assert olga.labels == [
        t(app, "digest-button-unmatched"),
        t(app, "digest-button-close"),
        t(app, "button-cancel"),
    ]
    await olga.tap(t(app, "digest-button-unmatched"))
    assert olga.ids == ["digest-flagged"]
    assert "Petya" in olga.last.text
    assert "Misha" not in olga.last.text
    # Back to the figures, without the chart again; then close.
    await olga.tap(t(app, "button-back"))
    assert olga.ids == ["digest-program"]
    await olga.tap(t(app, "digest-button-close"))
    assert olga.ids == ["menu-title"]


async def test_the_notification_button_opens_who_is_flagged(
    app: App, clock: FrozenClock, school: dict[str, int], olga: Chat
) -> None:
    clock.set(DUE)
    await plan_due(app, clock)
    (note,) = (await digests(app))[school[OLGA]]
    ((_, link),) = note.payload["links"]
    await olga.press(LINK_BUTTON + link)
    assert olga.ids == ["digest-flagged"]
    assert "Petya" in olga.last.text
    await olga.tap(t(app, "button-back"))
    assert olga.ids == ["digest-program"]
    assert "Alpha" in olga.last.text


async def test_a_forged_link_of_another_program_shows_nothing(
    app: App, school: dict[str, int], olga: Chat, stranger: Chat
) -> None:
    await olga.start(f"dg{school['beta']}_unmatched")
    assert olga.ids == ["digest-refused"]
    await olga.start(f"dg{school['beta']}")
    assert olga.ids == ["digest-refused"]
    assert all("Beta" not in reply.text and "Zoya" not in reply.text for reply in olga.replies)
    assert olga.labels == [t(app, "digest-button-close"), t(app, "button-cancel")]
    await olga.start(f"dg{school['alpha']}_nonsense")
    assert olga.ids == ["link-invalid", "menu-title"]
    await olga.start("dg999999_unmatched")
    assert olga.ids == ["digest-refused"]
    # Somebody who runs no program is told what the digest is for, whatever the link.
    await stranger.send("/digest")
    assert stranger.ids == ["digest-not-staff"]
    await stranger.start(f"dg{school['alpha']}_unmatched")
    assert stranger.ids == ["digest-not-staff"]
    assert "Petya" not in stranger.last.text
    assert "Alpha" not in stranger.last.text


async def test_coordinator_picks_a_program_of_the_school(
    app: App, clock: FrozenClock, school: dict[str, int], sergey: Chat
) -> None:
    clock.set(DUE)
    await sergey.send("/digest")
    assert sergey.ids == ["digest-overview"]
    assert "School 7" in sergey.last.text
    alpha = t(app, "digest-button-program", program="Alpha", flags=1)
    beta = t(app, "digest-button-program", program="Beta", flags="none")
    assert sergey.labels[:3] == [alpha, beta, t(app, "digest-button-close")]
    await sergey.tap(beta)
    assert sergey.ids == ["digest-chart", "digest-program"]
    assert "Beta" in sergey.last.text
    await sergey.tap(t(app, "button-back"))
    assert sergey.ids == ["digest-overview"]
    await sergey.tap(alpha)
    await sergey.tap(t(app, "digest-button-unmatched"))
    assert "Petya" in sergey.last.text


async def test_the_program_card_opens_one_programs_digest(
    app: App, clock: FrozenClock, school: dict[str, int], ivan: Chat
) -> None:
    await ivan.start(f"dg{school['beta']}")
    assert ivan.ids == ["digest-chart", "digest-program"]
    assert "Beta" in ivan.last.text
    assert t(app, "digest-button-unmatched") not in ivan.labels
