"""Who practises with whom this round: a pure function of the members and the history.

Two members may be grouped when their free hours overlap by at least :data:`MIN_OVERLAP`
minutes on the round's day (each member's hours are already in UTC minutes, see
:func:`free_minutes`). A pair met within the last ``avoid`` rounds is avoided whenever a
grouping without it exists: the search below is exact up to a step budget, then keeps the
best grouping it found (communities far larger than a practice programme's usual few dozen).
An odd count makes one group of three; whoever cannot be grouped is left out, to be told.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Minutes two people's free hours must share on the round's day for a 30-minute session.
MIN_OVERLAP = 60
# Rounds within which a pair is not repeated when that can be avoided.
AVOID_ROUNDS = 4
# People looked at by the search before the best grouping found so far is kept.
BUDGET = 400_000

# When a member is usually free, in their own local time (start, end), by the form's choice.
AVAILABILITY: Mapping[str, tuple[dt.time, dt.time]] = {
    "mornings": (dt.time(8, 0), dt.time(12, 0)),
    "afternoons": (dt.time(12, 0), dt.time(17, 0)),
    "evenings": (dt.time(17, 0), dt.time(21, 0)),
    "daytime": (dt.time(8, 0), dt.time(20, 0)),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member who can be paired this round: their id and free hours as UTC minutes from the
    round day's midnight (start, end); a window may reach into the day before or after."""

    id: int
    free: tuple[int, int]


Group = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Pairing:
    """A round's groups (pairs, and at most one trio) and whoever was left out."""

    groups: tuple[Group, ...]
    alone: tuple[int, ...]


def free_minutes(day: dt.date, zone: str, availability: str) -> tuple[int, int]:
    """A member's free hours on ``day`` (their local date), as UTC minutes from ``day``'s UTC
    midnight: the daylight-saving offset of that very day is used."""
    start, end = AVAILABILITY.get(availability, AVAILABILITY["daytime"])
    tz = zoneinfo.ZoneInfo(zone)
    midnight = dt.datetime.combine(day, dt.time(0), dt.UTC)

    def minutes(at: dt.time) -> int:
        moment = dt.datetime.combine(day, at, tz).astimezone(dt.UTC)
        return int((moment - midnight).total_seconds() // 60)

    return minutes(start), minutes(end)


def overlap(a: Candidate, b: Candidate) -> int:
    """Minutes both are free."""
    return max(0, min(a.free[1], b.free[1]) - max(a.free[0], b.free[0]))


def recent_pairs(history: Sequence[Sequence[Group]], avoid: int) -> set[frozenset[int]]:
    """Every two people grouped together in the last ``avoid`` rounds (oldest round first)."""
    found: set[frozenset[int]] = set()
    for groups in history[-avoid:] if avoid > 0 else ():
        for group in groups:
            found.update(frozenset((a, b)) for a in group for b in group if a < b)
    return found


def pair(
    candidates: Iterable[Candidate],
    history: Sequence[Sequence[Group]] = (),
    *,
    avoid: int = AVOID_ROUNDS,
    budget: int = BUDGET,
) -> Pairing:
    """Group ``candidates`` for one round. Deterministic: the same members and history give
    the same groups, whichever instance computes them."""
    people = {c.id: c for c in candidates}
    ids = sorted(people)
    recent = recent_pairs(history, avoid)
    fits = {
        a: {b for b in ids if b != a and overlap(people[a], people[b]) >= MIN_OVERLAP} for a in ids
    }
    fresh = {a: {b for b in fits[a] if frozenset((a, b)) not in recent} for a in ids}
    odd = len(ids) % 2 == 1
    # First without any recent pair; then whoever is left, repeats allowed.
    groups = _Search(fresh, budget).best(ids, trio=odd)
    placed = {p for g in groups for p in g}
    rest = [p for p in ids if p not in placed]
    trio_used = any(len(g) == 3 for g in groups)
    groups += _Search(fits, budget).best(rest, trio=odd and not trio_used)
    placed = {p for g in groups for p in g}
    alone = [p for p in ids if p not in placed]
    if len(alone) == 1 and not any(len(g) == 3 for g in groups):
        # The odd one out joins a pair both of whose members suit them (a fresh one first).
        groups = _join_a_pair(alone[0], groups, fits, fresh)
        alone = [p for p in alone if all(p not in g for g in groups)]
    return Pairing(tuple(sorted(groups)), tuple(alone))


def _join_a_pair(
    person: int, groups: list[Group], fits: Mapping[int, set[int]], fresh: Mapping[int, set[int]]
) -> list[Group]:
    options = [g for g in groups if len(g) == 2 and all(m in fits[person] for m in g)]
    if not options:
        return groups
    best = min(options, key=lambda g: (sum(m not in fresh[person] for m in g), g))
    return [tuple(sorted((*g, person))) if g == best else g for g in groups]


class _Search:
    """The grouping that places the most people, by depth-first search: the person with the
    fewest possible partners goes first, and a branch that cannot beat the best is cut.

    The budget counts people looked at, so a large community costs a bounded time."""

    def __init__(self, edges: Mapping[int, set[int]], budget: int) -> None:
        self._edges = edges
        self._budget = budget
        self._best: list[Group] = []
        self._best_placed = -1
        self._most = 0

    def best(self, ids: Sequence[int], *, trio: bool) -> list[Group]:
        self._best, self._best_placed = [], -1
        self._most = len(ids) if trio else len(ids) // 2 * 2
        self._go(frozenset(ids), [], 0, trio)
        return list(self._best)

    def _go(self, left: frozenset[int], chosen: list[Group], placed: int, trio: bool) -> bool:
        """True when the search is over: nobody can be placed better, or the budget is spent."""
        self._budget -= len(left) + 1
        if placed > self._best_placed:
            self._best, self._best_placed = list(chosen), placed
        if self._best_placed >= self._most or self._budget <= 0:
            return True
        reachable = [p for p in left if not self._edges[p].isdisjoint(left)]
        bound = placed + (len(reachable) if trio else len(reachable) // 2 * 2)
        if bound <= self._best_placed:
            return False
        person = min(reachable, key=lambda p: (len(self._edges[p] & left), p))
        partners = sorted(self._edges[person] & left, key=lambda q: (len(self._edges[q] & left), q))
        for partner in partners:
            if self._go(left - {person, partner}, [*chosen, (person, partner)], placed + 2, trio):
                return True
        if trio:
            for i, first in enumerate(partners):
                for second in partners[i + 1 :]:
                    if second in self._edges[first]:
                        three = tuple(sorted((person, first, second)))
                        if self._go(left - set(three), [*chosen, three], placed + 3, False):
                            return True
        # Leave this person out: someone else may be placed instead.
        return self._go(left - {person}, chosen, placed, trio)
