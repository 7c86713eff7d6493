"""What send-reminder decides for one reminder (channels, preferences, quiet hours, a redelivery, an abandoned SES
call), the words it sends, and how SES answers are classified."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.stub import Stubber

from functions.shared.config import Settings
from functions.shared.mailer import Mail, MailRejected, MailUnavailable, SesMailer, classify
from functions.shared.reminder_delivery import ABANDONED_AFTER, Plan, State, compose, due_phrase, plan

NOW = datetime(2027, 1, 11, 12, 0, tzinfo=UTC)
FRESH = State(
    remind_at=NOW - timedelta(minutes=1),
    current_remind_at=NOW - timedelta(minutes=1),
    task_status="pending",
    title="Pay rent",
    due_at=NOW + timedelta(hours=1),
    address="ann@example.com",
    timezone="Europe/Berlin",
    email_enabled=True,
    in_app_enabled=True,
    quiet_start=None,
    quiet_end=None,
    email_status="pending",
    email_attempted_at=None,
    in_app_status="pending",
)


def _state(**changes: Any) -> State:
    return dataclasses.replace(FRESH, **changes)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (FRESH, Plan(in_app="sent", email="send")),
        (_state(email_enabled=False), Plan(in_app="sent", email="skipped", reason="e-mail reminders are off")),
        (_state(in_app_enabled=False), Plan(in_app="skipped", email="send")),
        (_state(address=None), Plan(in_app="sent", email="skipped", reason="the user has no e-mail address")),
        # completed, or its reminder moved, after the reminder was emitted: nothing goes out
        (_state(task_status="completed"), Plan(in_app="skipped", email="skipped", reason="task completed")),
        (
            _state(current_remind_at=NOW + timedelta(hours=2)),
            Plan(in_app="skipped", email="skipped", reason="the task's reminder time changed"),
        ),
        # a redelivery of a delivered reminder changes nothing
        (_state(in_app_status="sent", email_status="sent"), Plan()),
        (_state(in_app_status="skipped", email_status="failed"), Plan()),
        # another delivery is mid-call: wait for it; long after, record the unknown outcome instead of resending
        (_state(in_app_status="sent", email_status="sending", email_attempted_at=NOW - timedelta(seconds=2)),
         Plan(email="wait")),
        (
            _state(in_app_status="sent", email_status="sending", email_attempted_at=NOW - ABANDONED_AFTER),
            Plan(email="failed", reason="outcome unknown: the sender stopped during the SES call; not sent again"),
        ),
    ],
)  # fmt: skip
def test_plan(state: State, expected: Plan) -> None:
    assert plan(state, NOW) == expected


def test_quiet_hours_defer_the_whole_delivery_to_the_end_of_the_window() -> None:
    # 12:00 UTC is 13:00 in Berlin, inside a 12:30-14:00 window
    state = _state(quiet_start=time(12, 30), quiet_end=time(14))

    decided = plan(state, NOW)

    assert decided == Plan(defer_until=datetime(2027, 1, 11, 14, tzinfo=ZoneInfo("Europe/Berlin")))
    assert plan(state, decided.defer_until.astimezone(UTC)) == Plan(in_app="sent", email="send")  # type: ignore[union-attr]


def test_quiet_hours_do_not_hold_back_a_reminder_with_nothing_to_deliver() -> None:
    state = _state(quiet_start=time(12, 30), quiet_end=time(14), in_app_enabled=False, email_enabled=False)

    assert plan(state, NOW) == Plan(in_app="skipped", email="skipped", reason="e-mail reminders are off")


def test_an_unknown_timezone_falls_back_to_utc_rather_than_failing() -> None:
    state = _state(timezone="Mars/Olympus", quiet_start=time(11, 30), quiet_end=time(12, 30))

    assert plan(state, NOW).defer_until == datetime(2027, 1, 11, 12, 30, tzinfo=ZoneInfo("UTC"))


def test_the_message_names_the_task_and_its_due_time_in_the_users_timezone() -> None:
    due = datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # the first morning of summer time in Berlin

    message = compose("Call <Bob> & Co", due, ZoneInfo("Europe/Berlin"))

    assert message.subject == "Reminder: Call <Bob> & Co"
    assert 'Reminder: "Call <Bob> & Co" is due Sunday 28 March 2027 at 09:00 (CEST).' in message.text
    assert "<strong>Call &lt;Bob&gt; &amp; Co</strong> is due Sunday 28 March 2027 at 09:00 (CEST)." in message.html
    assert message.headline == "Reminder: Call <Bob> & Co"
    assert message.line == 'Reminder: "Call <Bob> & Co" is due Sunday 28 March 2027 at 09:00 (CEST).'


def test_a_task_without_a_due_date_says_so() -> None:
    assert due_phrase(None, ZoneInfo("UTC")) == "no due date"
    assert compose("Stretch", None, ZoneInfo("UTC")).line == 'Reminder: "Stretch" (no due date).'


def _error(code: str, status: int) -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        ("TooManyRequestsException", 429, True),
        ("Throttling", 400, True),  # SES v1 throttles with a 400
        ("InternalFailure", 500, True),
        ("ServiceUnavailable", 503, True),
        ("SomethingNew", 502, True),  # any 5xx
        ("MessageRejected", 400, False),
        ("BadRequestException", 400, False),
        ("NotFoundException", 404, False),
        ("AccountSuspendedException", 400, False),
    ],
)
def test_ses_errors_are_transient_or_permanent(code: str, status: int, transient: bool) -> None:
    error = classify(_error(code, status))

    assert isinstance(error, MailUnavailable if transient else MailRejected)
    assert str(error).startswith(code)
    if isinstance(error, MailUnavailable):
        assert not error.maybe_sent


MAIL = Mail("reminders@taskfn.dev", "ann@example.com", "Reminder: x", "text", "<p>html</p>")


def _stubbed() -> tuple[SesMailer, Stubber]:
    client = boto3.client("sesv2", region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s")
    return SesMailer(Settings(aws_region="eu-west-1"), client), Stubber(client)


def test_the_mailer_sends_text_and_html_from_the_sender_to_the_user() -> None:
    mailer, stub = _stubbed()
    content = {"Simple": {"Subject": {"Data": "Reminder: x", "Charset": "UTF-8"},
                          "Body": {"Text": {"Data": "text", "Charset": "UTF-8"},
                                   "Html": {"Data": "<p>html</p>", "Charset": "UTF-8"}}}}  # fmt: skip
    expected = {"FromEmailAddress": "reminders@taskfn.dev", "Destination": {"ToAddresses": ["ann@example.com"]},
                "Content": content}  # fmt: skip
    stub.add_response("send_email", {"MessageId": "m-1"}, expected)

    with stub:
        assert mailer.send(MAIL) == "m-1"


@pytest.mark.parametrize(("code", "status", "raised"), [("TooManyRequestsException", 429, MailUnavailable),
                                                        ("MessageRejected", 400, MailRejected)])  # fmt: skip
def test_the_mailer_raises_what_ses_answered(code: str, status: int, raised: type[Exception]) -> None:
    mailer, stub = _stubbed()
    stub.add_client_error("send_email", service_error_code=code, http_status_code=status)

    with stub, pytest.raises(raised):
        mailer.send(MAIL)
