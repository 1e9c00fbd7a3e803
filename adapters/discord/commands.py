"""The engine's commands as Discord application (slash) commands.

Most commands take one optional ``text`` option, passed on as ``Command.text``. A command whose
engine form is known (``/rejected``) gets one typed option per form field instead: choices
become Discord choice lists (required ones required), so a person picks the stage and the
feeling right in the command bar, and the modal that may follow has only the rest to ask.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Protocol

import discord
from discord import app_commands

from adapters.discord.ports import CommandSpec
from adapters.discord.render import OPTION_LIMIT, SELECT_OPTIONS, trim
from bot import rejection
from bot.content import Content
from bot.replies import FieldKind, Form

Interaction = discord.Interaction[Any]

DESCRIPTION_LIMIT = 100
STRING_OPTION_LIMIT = 6000
_OPTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


class CommandSink(Protocol):
    """Where a command goes; :class:`adapters.discord.bridge.Bridge` implements it."""

    async def on_command(self, interaction: Interaction, name: str, text: str) -> None: ...

    async def on_form_command(
        self, interaction: Interaction, name: str, form: Form, given: Mapping[str, str]
    ) -> None: ...


def command_forms(content: Content) -> dict[str, Form]:
    """The forms behind commands with typed options, built from the engine's own content."""
    return {"rejected": rejection.form(content)}


def build_commands(
    commands: Sequence[CommandSpec], sink: CommandSink, forms: Mapping[str, Form]
) -> list[app_commands.Command[Any, Any, None]]:
    """One slash command per engine command."""
    built: list[app_commands.Command[Any, Any, None]] = []
    for info in commands:
        form = forms.get(info.name)
        if form is not None and _typed_options_fit(form):
            built.append(_form_command(info, form, sink))
        else:
            built.append(_text_command(info, sink))
    return built


def _description(info: CommandSpec) -> str:
    return trim(info.description.strip(), DESCRIPTION_LIMIT) or info.name


def usage_hint(name: str, usage: str) -> str:
    """What follows the command in ``usage``: ``"/brag TEXT | /brag list"`` -> ``"TEXT | list"``;
    empty when the command takes nothing."""
    parts = [part.strip() for part in usage.split("|")]
    rest = [part.removeprefix(f"/{name}").strip() for part in parts]
    return " | ".join(part for part in rest if part)


def _text_command(info: CommandSpec, sink: CommandSink) -> app_commands.Command[Any, Any, None]:
    name = info.name
    hint = usage_hint(name, info.usage)
    if not hint:

        async def bare(interaction: discord.Interaction[Any]) -> None:
            await sink.on_command(interaction, name, "")

        return app_commands.Command(name=name, description=_description(info), callback=bare)

    async def with_text(interaction: discord.Interaction[Any], text: Optional[str] = None) -> None:  # noqa: UP045  # discord.py reads the annotation
        await sink.on_command(interaction, name, (text or "").strip())

    app_commands.describe(text=trim(hint, DESCRIPTION_LIMIT))(with_text)
    return app_commands.Command(name=name, description=_description(info), callback=with_text)


def _is_choice(field_kind: FieldKind, options: int) -> bool:
    return field_kind is FieldKind.CHOICE and 0 < options <= SELECT_OPTIONS


def _typed_options_fit(form: Form) -> bool:
    # Option names must be Python identifiers here and Discord names there.
    names = [field.name for field in form.fields]
    return (
        0 < len(names) <= SELECT_OPTIONS
        and all(_OPTION_NAME.fullmatch(name) for name in names)
        and len(set(names)) == len(names)
    )


def _form_command(
    info: CommandSpec, form: Form, sink: CommandSink
) -> app_commands.Command[Any, Any, None]:
    name = info.name
    parameters: list[inspect.Parameter] = []
    descriptions: dict[str, str] = {}
    choices: dict[str, list[app_commands.Choice[str]]] = {}
    for field in form.fields:
        descriptions[field.name] = trim(field.label.strip(), DESCRIPTION_LIMIT) or field.name
        annotation: Any
        if _is_choice(field.kind, len(field.options)):
            choices[field.name] = [
                app_commands.Choice(name=trim(option.label, OPTION_LIMIT) or option.value,
                                    value=option.value)
                for option in field.options
                if 0 < len(option.value) <= OPTION_LIMIT
            ]  # fmt: skip
            required = field.required
            annotation = str if required else Optional[str]  # noqa: UP045
        else:
            # Free text stays optional: a missing one is asked in the modal, with room to type.
            required = False
            limit = max(1, min(field.max_length, STRING_OPTION_LIMIT))
            annotation = Optional[app_commands.Range[str, None, limit]]  # noqa: UP045
        parameters.append(
            inspect.Parameter(
                field.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotation,
                default=inspect.Parameter.empty if required else None,
            )
        )

    async def callback(interaction: discord.Interaction[Any], /, **options: Any) -> None:
        given = {
            key: value.strip()
            for key, value in options.items()
            if isinstance(value, str) and value.strip()
        }
        await sink.on_form_command(interaction, name, form, given)

    # discord.py reads the options from the callback's signature: give it one per field.
    interaction_parameter = inspect.Parameter(
        "interaction", inspect.Parameter.POSITIONAL_ONLY, annotation=discord.Interaction
    )
    ordered = sorted(parameters, key=lambda p: p.default is not inspect.Parameter.empty)
    callback.__signature__ = inspect.Signature([interaction_parameter, *ordered])  # type: ignore[attr-defined]
    app_commands.describe(**descriptions)(callback)
    if choices:
        app_commands.choices(**choices)(callback)
    return app_commands.Command(name=name, description=_description(info), callback=callback)
