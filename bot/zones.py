"""A person's time zone: following the platform's, and asking once where the platform is silent.

The zone decides when every check-in arrives, so it is only ever replaced by something better:
a guess (the community's zone) by the platform's profile (Slack), and either by the person's
own choice, which nothing overrides. A platform that knows only the person's language and
region (Discord's locale) gets a short list of likely zones to pick from, once.
"""

from __future__ import annotations

import dataclasses
import zoneinfo

from bot import applications_plan, plan
from bot.events import Sender
from bot.model import ZoneSource
from bot.replies import Field, FieldKind, Option
from bot.schedule import known_zone
from bot.turn import Turn

FIELD = "timezone"
MOST_CHOICES = 6
# Likely zones by locale (Discord's list), most populous first. A language alone ("de") is
# tried when the region ("de-AT") is not listed.
LIKELY: dict[str, tuple[str, ...]] = {
    "en-US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "en-GB": ("Europe/London", "Europe/Dublin"),
    "en": ("America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney"),
    "es-ES": ("Europe/Madrid", "Atlantic/Canary"),
    "es-419": (
        "America/Mexico_City", "America/Bogota", "America/Argentina/Buenos_Aires",
        "America/Lima", "America/Santiago",
    ),
    "es": ("Europe/Madrid", "America/Mexico_City", "America/Bogota"),
    "pt-BR": ("America/Sao_Paulo", "America/Manaus", "America/Fortaleza"),
    "pt": ("Europe/Lisbon", "America/Sao_Paulo"),
    "fr": ("Europe/Paris", "Europe/Brussels", "America/Toronto", "Africa/Abidjan"),
    "de": ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich"),
    "it": ("Europe/Rome",),
    "nl": ("Europe/Amsterdam", "Europe/Brussels"),
    "pl": ("Europe/Warsaw",),
    "ru": ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok"),
    "uk": ("Europe/Kyiv",),
    "cs": ("Europe/Prague",),
    "hu": ("Europe/Budapest",),
    "ro": ("Europe/Bucharest",),
    "bg": ("Europe/Sofia",),
    "el": ("Europe/Athens",),
    "hr": ("Europe/Zagreb",),
    "lt": ("Europe/Vilnius",),
    "da": ("Europe/Copenhagen",),
    "no": ("Europe/Oslo",),
    "sv-SE": ("Europe/Stockholm",),
    "fi": ("Europe/Helsinki",),
    "tr": ("Europe/Istanbul",),
    "hi": ("Asia/Kolkata",),
    "th": ("Asia/Bangkok",),
    "vi": ("Asia/Ho_Chi_Minh",),
    "id": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"),
    "ja": ("Asia/Tokyo",),
    "ko": ("Asia/Seoul",),
    "zh-CN": ("Asia/Shanghai",),
    "zh-TW": ("Asia/Taipei",),
}  # fmt: skip


async def follow(turn: Turn, sender: Sender) -> Turn:
    """``turn`` as ``sender`` describes it: their language and region, and the platform's
    zone for them (``sender.timezone``), their pending check-ins moved to the same local
    times there, unless they chose a zone."""
    if sender.locale:
        turn = dataclasses.replace(turn, locale=sender.locale)
    person, zone = turn.person, sender.timezone
    if not zone or person.timezone_source is ZoneSource.PERSON or not known_zone(zone):
        return turn
    if zone == person.timezone and person.timezone_source is ZoneSource.PLATFORM:
        return turn
    return await _move(turn, zone, ZoneSource.PLATFORM)


def likely(locale: str) -> tuple[str, ...]:
    """Zones people with ``locale`` ("pt-BR", "de") most often live in; () if unknown."""
    return LIKELY.get(locale) or LIKELY.get(locale.split("-")[0], ())


def question(turn: Turn, chosen: str = "") -> Field | None:
    """The "your time zone" choice for a form, or None if it need not be asked: only while the
    zone is a guess and the platform gave a locale (or the person is answering it now). The
    current zone (the community's) comes first and preselected; ``chosen`` stays a choice."""
    person = turn.person
    if person.timezone_source is not ZoneSource.DEFAULT or not (turn.locale or chosen):
        return None
    zones = [person.timezone, *likely(turn.locale)]
    if chosen and known_zone(chosen):
        zones.append(chosen)
    unique = [zone for index, zone in enumerate(zones) if zone not in zones[:index]]
    return Field(
        FIELD,
        turn.content.text("rejected.timezone"),
        FieldKind.CHOICE,
        required=True,
        options=tuple(_option(turn, zone) for zone in unique[:MOST_CHOICES]),
        initial=person.timezone,
    )


async def choose(turn: Turn, zone: str) -> Turn:
    """The person picked ``zone``: theirs from now on (what is planned moves with it)."""
    person = turn.person
    if not known_zone(zone) or person.timezone_source is ZoneSource.PERSON:
        return turn
    return await _move(turn, zone, ZoneSource.PERSON)


async def _move(turn: Turn, zone: str, source: ZoneSource) -> Turn:
    """The person lives in ``zone`` now (``source`` says who said so); what is planned for them
    keeps its local time there."""
    person = turn.person
    moved = await turn.store.set_timezone(person.id, zone, source)
    if zone != person.timezone:
        await plan.follow_zone(turn, moved)
        await applications_plan.follow_zone(turn, moved)
    return dataclasses.replace(turn, person=moved)


def _option(turn: Turn, zone: str) -> Option:
    # The local time now beside each name, so "the one that shows my clock" is easy to pick.
    local = turn.now.astimezone(zoneinfo.ZoneInfo(zone))
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    label = turn.content.text(
        "rejected.timezone_option", place=place, zone=zone, time=local.strftime("%H:%M")
    )
    return Option(zone, label)
