"""A conversation with the engine over a pair of text streams (a terminal, or pipes)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from adapters.console.render import button_lines, printable, render
from bot.engine import Engine
from bot.events import Choice, Command, Event, FormSubmission, Message, Sender
from bot.replies import Attachment, Button, FieldKind, Form, Reply
from bot.text import clean, number

Clock = Callable[[], dt.datetime]
QUIT = ("/quit", "/exit")


def utc_now() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


@dataclass
class Console:
    """Reads lines, hands them to the engine, prints its replies; forms go field by field."""

    engine: Engine
    sender: Sender
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    clock: Clock = utc_now
    interactive: bool = False
    folder: Path = field(default_factory=Path.cwd)  # where files for the person are saved
    after_event: Callable[[], Awaitable[None]] | None = None
    _buttons: tuple[Button, ...] = ()
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self) -> None:
        """Chat until end of input or ``/quit``."""
        self.say("Bounceback, in your terminal. Type /help to start, /quit to leave.")
        while True:
            line = await self.read("> " if self.interactive else "")
            if line is None or line.strip().casefold() in QUIT:
                return
            event = self.to_event(line)
            if event is None:
                continue
            async with self._lock:
                await self.show(await self.engine.handle(event, self.clock()))
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
        chosen = self._match_button(text)
        if chosen is not None:
            self._buttons = ()
            return Choice(self.sender, chosen.action, chosen.value)
        if text.startswith("/"):
            name, _, rest = text[1:].partition(" ")
            # The terminal is one place, and whoever runs it runs the community.
            return Command(self.sender, name, rest.strip(), channel="brag")
        return Message(self.sender, text)

    def _match_button(self, text: str) -> Button | None:
        position = number(text, maximum=len(self._buttons) or 1)
        if position is not None and self._buttons:
            return self._buttons[position - 1]
        folded = text.casefold()
        return next((b for b in self._buttons if b.label.casefold() == folded), None)

    async def show(self, replies: list[Reply]) -> None:
        """Print replies, number their buttons across the batch, and fill any form they open."""
        buttons: list[Button] = []
        for reply in replies:
            shown = render(replace(reply, form=None), first_number=len(buttons) + 1)
            if shown:
                self.say(shown)
            if reply.attachment is not None:
                self.say(f"Saved to {save_privately(self.folder, reply.attachment)}")
            buttons.extend(reply.buttons)
        self._buttons = tuple(buttons)
        forms = [reply.form for reply in replies if reply.form is not None]
        if forms:
            submission = await self.fill(forms[-1])
            if submission is not None:
                await self.show(await self.engine.handle(submission, self.clock()))

    async def fill(self, form: Form) -> FormSubmission | None:
        """Ask a form's fields one at a time; None if input ends first."""
        values = {f.name: f.initial for f in form.fields}
        asking = [f for f in form.fields if not form.errors or f.name in form.errors]
        if not form.errors:
            self.say(f"-- {printable(form.title)} --")
        for item in asking:
            while True:
                self.say(_prompt(item.label, item.required, item.initial, item.placeholder))
                if item.kind is FieldKind.CHOICE:
                    self.say(
                        "\n".join(
                            button_lines(tuple(Button(o.label, "", o.value) for o in item.options))
                        )
                    )
                line = await self.read("")
                if line is None:
                    return None
                answer = clean(line)
                if not answer and item.initial:
                    answer = item.initial
                if not answer and item.required:
                    self.say(f"{printable(item.label)} is needed.")
                    continue
                if len(answer) > item.max_length:
                    self.say(
                        f"That's {len(answer)} characters; {printable(item.label)} can be up to "
                        f"{item.max_length}. Please try again."
                    )
                    continue
                values[item.name] = answer
                break
        return FormSubmission(self.sender, form.form_id, values, form.context)

    async def read(self, prompt: str) -> str | None:
        """One line of input, or None at end of input. Reads off the event loop's thread."""
        if prompt:
            self.stdout.write(prompt)
            self.stdout.flush()
        line = await asyncio.to_thread(self.stdin.readline)
        return line.rstrip("\n") if line else None

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
        hint = f" ({example}optional, Enter to skip)"
    return f"{printable(label)}{hint}:"


async def run_console(
    engine: Engine,
    user: str,
    *,
    clock: Clock = utc_now,
    on_start: Callable[[Console], Awaitable[None]] | None = None,
) -> None:
    """Chat as ``user`` on this process's standard input and output."""
    console = Console(
        engine=engine,
        sender=Sender("console", "console", user, user, is_admin=True),
        clock=clock,
        interactive=sys.stdin.isatty(),
    )
    if on_start is not None:
        await on_start(console)
    await console.run()
