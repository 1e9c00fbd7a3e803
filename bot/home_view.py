"""A member's home, as plain data: what the Slack Home tab, Discord's ``/home`` and the console
show, and the numbers behind the journey chart. Adapters draw it; nothing here knows how."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # bot.replies names these types; a runtime import would go in a circle
    from bot.replies import Button


@dataclass(frozen=True, slots=True)
class HomeSection:
    """One part of the home: a title, lines of plain text and the buttons that belong to it.
    ``channel`` is the platform's id of the channel a line names by ``bot.replies.CHANNEL_MARK``."""

    title: str
    lines: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    channel: str = ""


@dataclass(frozen=True, slots=True)
class MoodPoint:
    """A mood on the chart: ``day`` counts from the rejection (0 is its day), ``score`` is 1 to
    5, ``checkin`` marks one given in answer to a check-in."""

    day: int
    score: int
    checkin: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """The journey in numbers, and every word the picture carries (the engine's words).

    The mood panel spans days ``0..span`` since the latest rejection, with ``planned`` days
    (check-ins still to come) marked on its axis; the road panel shows ``noes`` against
    ``target`` (about 24), ending in a yes when ``hired``. ``alt`` says the same in words.
    """

    moods: tuple[MoodPoint, ...]
    planned: tuple[int, ...]
    span: int
    noes: int
    target: int
    hired: bool
    mood_title: str
    road_title: str
    low: str  # the bottom of the mood scale, in words
    high: str  # its top
    checkin_key: str  # what a filled dot means
    ahead_key: str  # what a mark on the axis means
    empty: str  # shown in the mood panel when there is no mood yet
    alt: str
    filename: str


@dataclass(frozen=True, slots=True)
class HomeView:
    """Everything one member's home shows, for them alone.

    ``sections`` come in order (the journey, the areas they work on, the next check-in, the
    actions); ``applications`` is where the applications tracker's counts go, shown right
    after the journey when present; ``admin`` is the community's section, only ever built for
    an admin and only with anonymous counts. ``new`` is true for someone the bot has not met.
    """

    heading: str
    intro: str
    sections: tuple[HomeSection, ...]
    new: bool = False
    applications: HomeSection | None = None
    admin: HomeSection | None = None
    chart: Chart | None = None

    def parts(self) -> tuple[HomeSection, ...]:
        """The sections in the order they are shown, applications and admin included."""
        shown = list(self.sections)
        if self.applications is not None:
            shown.insert(min(1, len(shown)), self.applications)
        if self.admin is not None:
            shown.append(self.admin)
        return tuple(shown)

    def as_text(self) -> str:
        """The home as plain lines, for places that show words only."""
        blocks = [self.intro] if self.intro else []
        for section in self.parts():
            lines = [section.title, *section.lines] if section.title else list(section.lines)
            if lines:
                blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def buttons(self) -> tuple[Button, ...]:
        """Every button of the home, section by section."""
        return tuple(button for section in self.parts() for button in section.buttons)
