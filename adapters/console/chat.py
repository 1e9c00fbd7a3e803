"""A conversation with the engine over a pair of text streams (a terminal, or pipes)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TextIO

from adapters.chart import pictured
from adapters.console.buttons import OpenButtons
from adapters.console.lines import FileLines
from adapters.console.render import button_lines, printable, render
from adapters.console.texts import texts
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.replies import Attachment, Button, FieldKind, Form, Reply
from bot.text import clean

Clock = Callable[[], dt.datetime]
QUIT = ("/quit", "/exit")


class Handler(Protocol):
    """The engine, as the console uses it."""

    async def handle(self, event: Event, now: dt.datetime) -> list[Reply]: ...


class Lines(Protocol):
    """Where typed lines come from."""

    async def read_line(self) -> str | None: ...


def utc_now() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


@dataclass
class Console:
    """Reads lines, hands them to the engine, prints its replies; forms go field by field.

    ``local`` holds the commands only the terminal has (``/next``), by name, each given the
    rest of the line.
    """

    engine: Handler
    sender: Sender
    lines: Lines = field(default_factory=FileLines)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    clock: Clock = utc_now
    interactive: bool = False
    folder: Path = field(default_factory=Path.cwd)  # where files for the person are saved
    after_event: Callable[[], Awaitable[None]] | None = None
    local: Mapping[str, Callable[[str], Awaitable[None]]] = field(default_factory=dict)
    _buttons: OpenButtons = field(default_factory=OpenButtons)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _typed_ahead: list[str] = field(default_factory=list)

    async def run(self) -> None:
        """Chat until end of input or ``/quit``."""
        self.say(texts().welcome)
        while True:
            line = await self.read("> " if self.interactive else "")
            if line is None or line.strip().casefold() in QUIT:
                return
            name, _, rest = line.strip().removeprefix("/").partition(" ")
            run_here = self.local.get(name.casefold()) if line.strip().startswith("/") else None
            if run_here is not None:
                await run_here(rest.strip())
                continue
            event = self.to_event(line)
            if event is None:
                continue
            async with self._lock:
                await self.show(await self.engine.handle(event, self.clock()), answer=True)
                if isinstance(event, Command) and event.name.casefold() == "help":
                    self.say(texts().help_console)
            if self.after_event is not None:
                # What an answer set in motion (a shared win, a snoozed check-in) shows at once.
                await self.after_event()

    async def deliver(self, replies: list[Reply]) -> None:
        """Show replies that were not asked for (check-ins), between the person's own lines."""
        async with self._lock:
            await self.show(replies)

    def to_event(self, line: str) -> Event | None:
        """A typed line as an engine event: a button's number or label, a command, or words."""
        text = line.strip()
        if not text:
            return None
        chosen = self._buttons.take(text)
        if chosen is not None:
            return Choice(self.sender, chosen.action, chosen.value)
        self._buttons.moved_on()
        if text.startswith("/"):
            name, _, rest = text[1:].partition(" ")
            # The terminal is one place, and whoever runs it runs the community.
            return Command(self.sender, name, rest.strip(), channel="brag")
        return Message(self.sender, text)

    async def show(self, replies: list[Reply], *, answer: bool = False) -> None:
        """Print replies with their buttons numbered apart from any still open, and fill the
        form they open. ``answer``: they answer the person's own line. A chart is saved as a
        picture (a home's words are the console's home)."""
        for reply in pictured(replies, homes=False):
            first = self._buttons.add(reply.buttons, answer=answer)
            shown = render(replace(reply, form=None), first_number=first)
            if shown:
                self.say(shown)
            if reply.attachment is not None:
                saved = save_privately(self.folder, reply.attachment)
                self.say(texts().saved_to.format(path=saved))
        forms = [reply.form for reply in replies if reply.form is not None]
        if forms:
            submission = await self.fill(forms[-1])
            if submission is not None:
                await self.show(await self.engine.handle(submission, self.clock()), answer=True)

    async def fill(self, form: Form) -> FormSubmission | None:
        """Ask a form's fields one at a time. None if input ends first, or if a slash command
        is typed instead of an answer: the form is dropped and the command runs next."""
        values = {f.name: f.initial for f in form.fields}
        asking = [f for f in form.fields if not form.errors or f.name in form.errors]
        if not form.errors:
            self.say(texts().form_title.format(title=printable(form.title)))
        for item in asking:
            while True:
                self.say(_prompt(item.label, item.required, item.initial, item.placeholder))
                if item.kind is FieldKind.CHOICE:
                    options = tuple(Button(o.label, "", o.value) for o in item.options)
                    self.say("\n".join(button_lines(options)))
                line = await self.read("")
                if line is None:
                    return None
                if line.strip().startswith("/"):
                    self.say(texts().form_cancelled)
                    self._typed_ahead.append(line)
                    return None
                answer = clean(line)
                if not answer and item.initial:
                    answer = item.initial
                label = printable(item.label)
                if not answer and item.required:
                    self.say(texts().field_needed.format(label=label))
                    continue
                if len(answer) > item.max_length:
                    self.say(
                        texts().field_too_long.format(
                            length=len(answer), label=label, limit=item.max_length
                        )
                    )
                    continue
                values[item.name] = answer
                break
        return FormSubmission(self.sender, form.form_id, values, form.context)

    async def read(self, prompt: str) -> str | None:
        """One line of input (a command a form gave back first), or None at end of input."""
        if self._typed_ahead:
            return self._typed_ahead.pop(0)
        if prompt:
            self.stdout.write(prompt)
            self.stdout.flush()
        return await self.lines.read_line()

    def say(self, text: str) -> None:
        """Print a block of bot text followed by a blank line."""
        self.stdout.write(f"{text}\n\n")
        self.stdout.flush()


def save_privately(folder: Path, attachment: Attachment) -> Path:
    """Write a file only its owner can read, never overwriting one already there."""
    name = Path(attachment.filename).name or "bounceback.json"  # no directories from outside
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1000):
        path = folder / (name if n == 0 else f"{stem}-{n}{suffix}")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as file:
            file.write(attachment.content)
        return path.resolve()
    raise FileExistsError(f"too many files named like {name} in {folder}")


def _prompt(label: str, required: bool, initial: str, placeholder: str) -> str:
    if initial:
        hint = f" [{printable(initial)}]"
    elif required:
        hint = ""
    else:
        example = f"{printable(placeholder)}; " if placeholder else ""
        hint = " " + texts().field_optional.format(example=example)
    return f"{printable(label)}{hint}:"
