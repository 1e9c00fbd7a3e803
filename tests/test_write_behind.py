"""The dispatcher's write-behind writes everything handed to it, once, within its bound."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.delivery import WriteBehind


class Log:
    def __init__(self) -> None:
        self.writes: list[list[int]] = []
        self.written: list[int] = []
        self.late: WriteBehind[int] | None = None

    async def write(self, items: Sequence[int]) -> Sequence[bool]:
        self.writes.append(list(items))
        await asyncio.sleep(0)
        if self.late is not None:
            # Something is handed over just as this write ends and its writer stops looking.
            late, self.late = self.late, None
            asyncio.get_running_loop().call_soon(late.add, [99])
        return [True] * len(items)

    def done(self, items: Sequence[int], results: Sequence[bool]) -> None:
        self.written.extend(items)


async def test_what_arrives_as_a_writer_stops_is_still_written() -> None:
    log = Log()
    writes = WriteBehind(log.write, log.done, bound=10, writers=1, backoff=0.0)
    log.late = writes
    writes.add([1, 2])
    await asyncio.sleep(0)
    await writes.close()
    assert sorted(log.written) == [1, 2, 99]


async def test_items_written_in_groups_and_the_bound_holds() -> None:
    log = Log()
    writes = WriteBehind(log.write, log.done, bound=4, backoff=0.0)
    most = 0
    for item in range(20):
        await writes.reserve()
        most = max(most, writes._unwritten)
        writes.add([item], reserved=True)
    await writes.close()
    assert sorted(log.written) == list(range(20))
    assert most <= 4
    assert len(log.writes) < 20  # grouped, not one write per item


async def test_a_write_that_keeps_failing_stops_the_senders() -> None:
    async def broken(items: Sequence[int]) -> Sequence[bool]:
        raise ConnectionResetError("gone")

    writes: WriteBehind[int] = WriteBehind(
        broken, lambda i, r: None, bound=2, retries=1, backoff=0.0
    )
    writes.add([1, 2])
    try:
        await writes.reserve()
    except ConnectionResetError:
        pass
    else:
        raise AssertionError("a sender went on after writing failed")
