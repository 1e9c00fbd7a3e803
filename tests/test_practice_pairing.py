"""Pairing is a pure function of the members and the history: property tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.practice_pairing import (
    MIN_OVERLAP,
    Candidate,
    Group,
    Pairing,
    free_minutes,
    overlap,
    pair,
    recent_pairs,
)

# Free hours as (start, length) in UTC minutes: a handful of shapes, so overlaps are common
# but not certain.
starts = st.sampled_from([-300, 0, 240, 480, 720, 960])
lengths = st.sampled_from([240, 300, 480, 720])


@st.composite
def members(draw: st.DrawFn, most: int = 9) -> list[Candidate]:
    count = draw(st.integers(0, most))
    found = []
    for person in range(1, count + 1):
        start = draw(starts)
        found.append(Candidate(person, (start, start + draw(lengths))))
    return found


@st.composite
def histories(draw: st.DrawFn, people: Sequence[int]) -> list[list[Group]]:
    rounds: list[list[Group]] = []
    for _ in range(draw(st.integers(0, 5))):
        shuffled = draw(st.permutations(list(people)))
        rounds.append([tuple(sorted(p)) for p in zip(shuffled[::2], shuffled[1::2], strict=False)])
    return rounds


def everyone(result: Pairing) -> list[int]:
    return [p for g in result.groups for p in g] + list(result.alone)


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_each_member_is_in_one_group_or_left_out(data: st.DataObject) -> None:
    found = data.draw(members())
    history = data.draw(histories([c.id for c in found]))
    result = pair(found, history)

    assert sorted(everyone(result)) == sorted(c.id for c in found)  # nobody twice, nobody lost
    assert all(len(g) in (2, 3) for g in result.groups)
    assert sum(len(g) == 3 for g in result.groups) <= 1
    by_id = {c.id: c for c in found}
    for group in result.groups:
        for a, b in itertools.combinations(group, 2):
            assert overlap(by_id[a], by_id[b]) >= MIN_OVERLAP
    assert pair(found, history) == result  # the same inputs, the same groups


@given(st.integers(0, 30))
def test_everyone_free_at_once_is_paired_with_one_trio_when_odd(count: int) -> None:
    result = pair([Candidate(p, (480, 1200)) for p in range(count)])
    assert not result.alone or count == 1
    assert sum(len(g) == 3 for g in result.groups) == (1 if count % 2 and count > 1 else 0)


def groupings(people: Sequence[int]) -> list[list[Group]]:
    """Every way to put everyone in pairs and at most one trio."""
    if not people:
        return [[]]
    first, rest = people[0], people[1:]
    found = []
    for partner in rest:
        others = [p for p in rest if p != partner]
        found += [[(first, partner), *more] for more in groupings(others)]
    if len(people) % 2:
        for a, b in itertools.combinations(rest, 2):
            others = [p for p in rest if p not in (a, b)]
            found += [
                [(first, a, b), *more]
                for more in groupings(others)
                if all(len(g) == 2 for g in more)
            ]
    return found


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_no_recent_pair_is_repeated_when_that_can_be_avoided(data: st.DataObject) -> None:
    found = data.draw(members(most=7))
    history = data.draw(histories([c.id for c in found]))
    recent = recent_pairs(history, 4)
    by_id = {c.id: c for c in found}

    def fine(group: Group) -> bool:
        return all(
            overlap(by_id[a], by_id[b]) >= MIN_OVERLAP and frozenset((a, b)) not in recent
            for a, b in itertools.combinations(group, 2)
        )

    avoidable = any(all(fine(g) for g in way) for way in groupings([c.id for c in found]))
    result = pair(found, history)
    if avoidable and len(found) > 1:
        assert not result.alone
        assert all(fine(g) for g in result.groups)


def test_pairs_older_than_the_window_may_meet_again() -> None:
    two = [Candidate(1, (480, 1200)), Candidate(2, (480, 1200))]
    assert pair(two, [[(1, 2)]], avoid=1).groups == ((1, 2),)  # the only way: a repeat
    history: list[list[Group]] = [[(1, 2)], [(3, 4)], [(1, 3)]]
    assert recent_pairs(history, 2) == {frozenset((3, 4)), frozenset((1, 3))}


def test_time_zones_that_share_no_daytime_are_not_paired() -> None:
    day = dt.date(2026, 7, 14)
    berlin = Candidate(1, free_minutes(day, "Europe/Berlin", "mornings"))
    auckland = Candidate(2, free_minutes(day, "Pacific/Auckland", "mornings"))
    lisbon = Candidate(3, free_minutes(day, "Europe/Lisbon", "daytime"))

    result = pair([berlin, auckland, lisbon])
    assert result.groups == ((1, 3),) and result.alone == (2,)


def test_free_hours_follow_that_days_daylight_saving() -> None:
    summer = free_minutes(dt.date(2026, 7, 14), "Europe/Berlin", "mornings")
    winter = free_minutes(dt.date(2026, 1, 13), "Europe/Berlin", "mornings")
    assert summer == (6 * 60, 10 * 60) and winter == (7 * 60, 11 * 60)


def test_a_large_community_is_paired_within_the_budget() -> None:
    found = [Candidate(p, ((p % 4) * 240, (p % 4) * 240 + 480)) for p in range(400)]
    history = [[(p, p + 1) for p in range(0, 400, 2)]]
    result = pair(found, history)
    assert len(everyone(result)) == 400 and len(result.alone) <= 1
