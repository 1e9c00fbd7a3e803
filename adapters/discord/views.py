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
    PENDING_PREFIX,
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


# Every button of the bot's: a choice, a meaning kept under a token, or "I've opened my DMs".
BUTTON_TEMPLATE = f"{CHOICE_TEMPLATE}|{PENDING_TEMPLATE}|{re.escape(DMS_CHECK_ID)}"


class BridgeButton(ui.DynamicItem[ui.Button[Any]], template=BUTTON_TEMPLATE):
    """A button of the bot's, whose custom id says what a press means: an engine's choice
    (sent as ``Choice(action, value)``), a meaning stored under a token (a long or refused
    form, a long choice), or the "I've opened my DMs" check."""

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: ui.Item[Any], match: re.Match[str], /
    ) -> BridgeButton:
        """Rebuild the button from the pressed component (Discord sends it back)."""
        assert isinstance(item, ui.Button)
        return cls(item)

    async def callback(self, interaction: Interaction) -> None:
        """Hand the press to the bridge."""
        # The client carries the bridge; a stray client (or a test double) may not.
        handler: ButtonHandler | None = getattr(interaction.client, "bridge", None)
        if handler is None:
            return
        custom_id = self.custom_id
        if custom_id == DMS_CHECK_ID:
            await handler.on_dms_check(interaction)
        elif custom_id.startswith(PENDING_PREFIX):
            await handler.on_pending(interaction, custom_id.removeprefix(PENDING_PREFIX))
        elif (parsed := parse_choice_id(custom_id)) is not None:
            action, value, community = parsed
            await handler.on_choice(interaction, action, value, community)


DYNAMIC_ITEMS: tuple[type[ui.DynamicItem[Any]], ...] = (BridgeButton,)


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
        custom_id = choice_id(button.action, button.value, community)
        if custom_id is None:
            token = pending.put(ChoiceMemo(button.action, button.value, community))
            custom_id = f"{PENDING_PREFIX}{token}"
        label = button_label(button.label, texts)
        view.add_item(BridgeButton(ui.Button(label=label, custom_id=custom_id)))
    for control in message.controls[:BUTTONS_PER_MESSAGE]:
        label = button_label(control.label, texts)
        if control.url:
            view.add_item(ui.Button(label=label, url=control.url))
            continue
        # The DMs check looks like the engine's buttons; the adapter's forms stand out.
        dms_check = control.custom_id == DMS_CHECK_ID
        style = discord.ButtonStyle.secondary if dms_check else discord.ButtonStyle.primary
        button_ = ui.Button[Any](label=label, custom_id=control.custom_id, style=style)
        view.add_item(BridgeButton(button_))
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
