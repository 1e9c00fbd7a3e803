"""Persistent buttons and modals as ``discord.ui`` objects.

Every button is a :class:`discord.ui.DynamicItem`: its class is registered at start and its
custom id holds what it means, so a button on a check-in sent yesterday still works after a
restart, on whichever instance runs the shard. Modals are answered from their custom id too
(see :class:`adapters.discord.client.BouncebackClient`), so they are never kept in memory.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord
from discord import ui

from adapters.discord.pending import ChoiceMemo, Pending
from adapters.discord.render import (
    BUTTONS_PER_MESSAGE,
    ModalPlan,
    Outgoing,
    button_label,
)
from adapters.discord.texts import Texts
from adapters.discord.translate import (
    CHOICE_TEMPLATE,
    DMS_CHECK_ID,
    PENDING_TEMPLATE,
    choice_id,
    parse_choice_id,
)

Interaction = discord.Interaction[Any]


class ButtonHandler(Protocol):
    """What the buttons call; :class:`adapters.discord.bridge.Bridge` implements it."""

    async def on_choice(
        self, interaction: Interaction, action: str, value: str, community: str
    ) -> None: ...

    async def on_pending(self, interaction: Interaction, token: str) -> None: ...

    async def on_dms_check(self, interaction: Interaction) -> None: ...


def _handler(interaction: Interaction) -> ButtonHandler | None:
    # The client carries the bridge; a stray client (or a test double) may not.
    handler: ButtonHandler | None = getattr(interaction.client, "bridge", None)
    return handler


class ChoiceButton(ui.DynamicItem[ui.Button[Any]], template=CHOICE_TEMPLATE):
    """A button of the engine's: pressing it sends ``Choice(action, value)``."""

    def __init__(self, button: ui.Button[Any]) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: ui.Item[Any], match: re.Match[str], /
    ) -> ChoiceButton:
        """Rebuild the button from the pressed component (Discord sends it back)."""
        assert isinstance(item, ui.Button)
        return cls(item)

    async def callback(self, interaction: Interaction) -> None:
        """Hand the press to the bridge."""
        parsed = parse_choice_id(self.custom_id)
        handler = _handler(interaction)
        if parsed is not None and handler is not None:
            action, value, community = parsed
            await handler.on_choice(interaction, action, value, community)


class PendingButton(ui.DynamicItem[ui.Button[Any]], template=PENDING_TEMPLATE):
    """A button whose meaning is stored under a token (a long or refused form)."""

    def __init__(self, button: ui.Button[Any]) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: ui.Item[Any], match: re.Match[str], /
    ) -> PendingButton:
        """Rebuild the button from the pressed component."""
        assert isinstance(item, ui.Button)
        return cls(item)

    async def callback(self, interaction: Interaction) -> None:
        """Hand the press to the bridge."""
        handler = _handler(interaction)
        if handler is not None:
            await handler.on_pending(interaction, self.custom_id.removeprefix("bbx:"))


class DmsCheckButton(ui.DynamicItem[ui.Button[Any]], template=re.escape(DMS_CHECK_ID)):
    """The "I've opened my DMs" button: checks that direct messages work again."""

    def __init__(self, button: ui.Button[Any]) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: ui.Item[Any], match: re.Match[str], /
    ) -> DmsCheckButton:
        """Rebuild the button from the pressed component."""
        assert isinstance(item, ui.Button)
        return cls(item)

    async def callback(self, interaction: Interaction) -> None:
        """Hand the press to the bridge."""
        handler = _handler(interaction)
        if handler is not None:
            await handler.on_dms_check(interaction)


DYNAMIC_ITEMS: tuple[type[ui.DynamicItem[Any]], ...] = (ChoiceButton, PendingButton, DmsCheckButton)


def build_view(message: Outgoing, community: str, pending: Pending, texts: Texts) -> ui.View | None:
    """The buttons of ``message`` as a view, or None if it has none.

    ``community`` goes into each choice's custom id when the message lives in a direct
    message, so a press there still reaches the person's data in their server.
    """
    if not message.buttons and not message.controls:
        return None
    view = ui.View(timeout=None)
    room = BUTTONS_PER_MESSAGE - len(message.controls)
    for button in message.buttons[: max(room, 0)]:
        label = button_label(button.label, texts)
        custom_id = choice_id(button.action, button.value, community)
        if custom_id is None:
            token = pending.put(ChoiceMemo(button.action, button.value, community))
            view.add_item(PendingButton(ui.Button(label=label, custom_id=f"bbx:{token}")))
        else:
            view.add_item(ChoiceButton(ui.Button(label=label, custom_id=custom_id)))
    for control in message.controls[:BUTTONS_PER_MESSAGE]:
        label = button_label(control.label, texts)
        if control.url:
            view.add_item(ui.Button(label=label, url=control.url))
        elif control.custom_id == DMS_CHECK_ID:
            view.add_item(DmsCheckButton(ui.Button(label=label, custom_id=control.custom_id)))
        else:
            primary = discord.ButtonStyle.primary
            button_ = ui.Button[Any](label=label, custom_id=control.custom_id, style=primary)
            view.add_item(PendingButton(button_))
    return view


def build_modal(plan: ModalPlan, custom_id: str) -> ui.Modal:
    """The modal for ``plan``; choices are select menus, the rest text inputs."""
    modal = ui.Modal(title=plan.title, custom_id=custom_id, timeout=None)
    for field in plan.fields:
        component: ui.Item[Any]
        if field.style == "select":
            component = ui.Select(
                custom_id=field.name,
                placeholder=field.placeholder or None,
                min_values=1 if field.required else 0,
                max_values=1,
                required=field.required,
                options=[
                    discord.SelectOption(label=label, value=value, default=value == field.initial)
                    for label, value in field.options
                ],
            )
        else:
            paragraph = field.style == "paragraph"
            style = discord.TextStyle.paragraph if paragraph else discord.TextStyle.short
            component = ui.TextInput(
                custom_id=field.name,
                style=style,
                required=field.required,
                max_length=field.max_length,
                default=field.initial or None,
                placeholder=field.placeholder or None,
            )
        modal.add_item(
            ui.Label(text=field.label, description=field.description or None, component=component)
        )
    # Submissions are answered from the modal's custom id, so discord.py need not keep it.
    modal.stop()
    return modal
