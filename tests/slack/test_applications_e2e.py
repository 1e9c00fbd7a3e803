"""``/applied`` on Slack, around the real engine and SQL store, against the fake Slack API:
the modal, a bad link refused in place, one tap in the DM, a rejection prefilled from the
application, and the CSV in the DM."""

from __future__ import annotations

from typing import Any

from bot.events import Sender
from bot.model import ApplicationStage
from bounceback.bootstrap import Services
from tests.application_journey import assert_rejection_settles_it
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import NOW, Harness
from tests.slack.test_engine_e2e import buttons, fill_in, modal_of

ANA = Sender("slack", "T1", "U1")


def labelled(calls: list[Any]) -> dict[str, dict[str, Any]]:
    return {button["text"]["text"]: button for button in buttons(calls)}


async def test_an_application_from_the_modal_to_a_rejection_with_nothing_retyped(
    real: Harness, fake_slack: FakeSlack, services: Services
) -> None:
    view = await modal_of(real, fake_slack, "applied", "Acme &lt;Labs&gt;")
    elements = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert elements["company"]["initial_value"] == "Acme <Labs>"
    assert elements["applied_on"]["type"] == "datepicker"
    assert elements["applied_on"]["initial_date"] == NOW.date().isoformat()
    assert elements["adjacent"]["initial_option"]["value"] == "no"

    refused = await fill_in(real, view, {"role": "Analyst", "link": "javascript:alert(1)"})
    assert refused.json()["response_action"] == "errors"
    assert "http://" in refused.json()["errors"]["link"]
    person = await services.store.person(ANA, "UTC", NOW)
    assert await services.store.applications(person.id) == []

    saved = await fill_in(real, view, {"role": "Analyst", "link": "https://acme.example/1"})
    assert (saved.status, saved.text) == (200, "")
    await real.bot.drain()
    [application] = await services.store.applications(person.id)
    assert (application.company, application.link) == ("Acme <Labs>", "https://acme.example/1")
    posted = fake_slack.calls_to("chat.postMessage")
    assert {call.args["channel"] for call in posted} == {"DU1"}

    # One tap in the DM: an interview.
    await real.command("applied", "list")
    await real.bot.drain()
    answered = [*fake_slack.calls_to("chat.postMessage"), *fake_slack.calls_to("response_url")]
    stages = labelled([call for call in answered if "blocks" in call.args][len(posted) :])
    interview = stages["Interview"]
    await real.press(interview["action_id"], interview.get("value", ""), label="Interview")
    await real.bot.drain()
    [moved] = await services.store.applications(person.id)
    assert moved.stage is ApplicationStage.INTERVIEW

    # "Rejected": the rejection form with all that is known; saving it starts the plan.
    rejected = stages["Rejected"]
    await real.press(rejected["action_id"], rejected.get("value", ""), label="Rejected")
    await real.bot.drain()
    form = fake_slack.calls_to("views.open")[-1].args["view"]
    known = {block["block_id"]: block["element"] for block in form["blocks"]}
    assert known["company"]["initial_value"] == "Acme <Labs>"
    assert known["role"]["initial_value"] == "Analyst"
    assert known["stage"]["initial_option"]["value"] == "interview"
    done = await fill_in(real, form, {"feeling": "2"})
    assert (done.status, done.text) == (200, "")
    await real.bot.drain()
    await assert_rejection_settles_it(services.store, person.id, "Acme <Labs>")


async def test_the_export_is_a_csv_file_in_the_dm(real: Harness, fake_slack: FakeSlack) -> None:
    view = await modal_of(real, fake_slack, "applied", "Globex")
    saved = await fill_in(real, view, {})
    assert (saved.status, saved.text) == (200, "")
    await real.bot.drain()
    await real.command("applied", "export")
    await real.bot.drain()
    [uploaded] = fake_slack.calls_to("upload")
    assert uploaded.args["content"].decode("utf-8").splitlines()[1].startswith("1,Globex,")
    [shared] = fake_slack.calls_to("files.completeUploadExternal")
    assert shared.args["channel_id"] == "DU1"
