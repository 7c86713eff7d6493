"""What send-reminder does with one reminder, decided from its delivery row and the user's current preferences, and
the words it sends. Pure: no I/O.

Each channel has a state in `reminder_deliveries`: in-app `pending -> sent | skipped`; e-mail
`pending -> sending -> sent | failed`, or `pending -> skipped`. Only `pending` channels are acted on, so a redelivered
reminder changes nothing. `sending` is committed before the SES call; a redelivery that finds it waits (5xx, retried)
while the call may still be running, and afterwards records the e-mail as failed with an unknown outcome rather than
risk a second e-mail (see the README, "Reminders").
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from functions.shared.mailer import CALL_BOUND_SECONDS
from functions.shared.quiet_hours import quiet_until

# a 'sending' e-mail older than this was abandoned mid-call (the process stopped): twice the longest SES call
ABANDONED_AFTER = timedelta(seconds=2 * CALL_BOUND_SECONDS)

InApp = Literal["sent", "skipped"]
Email = Literal["send", "wait", "skipped", "failed"]


@dataclass(frozen=True)
class State:
    """One reminder's delivery row, its task and its user, as send-reminder reads them (locked)."""

    remind_at: datetime
    current_remind_at: datetime | None  # the task's remind time now (reminder_at, else due_date minus the lead)
    task_status: str
    title: str
    due_at: datetime | None
    address: str | None
    timezone: str
    email_enabled: bool
    in_app_enabled: bool
    quiet_start: time | None
    quiet_end: time | None
    email_status: str
    email_attempted_at: datetime | None
    in_app_status: str


@dataclass(frozen=True)
class Plan:
    defer_until: datetime | None = None  # quiet hours: deliver nothing now, again at this time
    in_app: InApp | None = None  # the in-app channel's new state (None: leave it)
    email: Email | None = None  # send now / another delivery is sending / the e-mail channel's new state
    reason: str | None = None  # why the e-mail was skipped or failed, stored with it


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # users.timezone is validated on write; never fail a reminder over it


def plan(state: State, now: datetime) -> Plan:
    """What to do with the reminder at `now` (aware)."""
    in_app_pending = state.in_app_status == "pending"
    email_pending = state.email_status == "pending"
    if state.task_status == "completed" or state.current_remind_at != state.remind_at:
        why = "task completed" if state.task_status == "completed" else "the task's reminder time changed"
        return Plan(
            in_app="skipped" if in_app_pending else None,
            email="skipped" if email_pending else None,
            reason=why if email_pending else None,
        )
    in_app: InApp | None = None
    if in_app_pending:
        in_app = "sent" if state.in_app_enabled else "skipped"
    email: Email | None = None
    reason = None
    if email_pending:
        if not state.email_enabled:
            email, reason = "skipped", "e-mail reminders are off"
        elif not state.address:
            email, reason = "skipped", "the user has no e-mail address"
        else:
            email = "send"
    elif state.email_status == "sending":
        abandoned = state.email_attempted_at is None or now - state.email_attempted_at >= ABANDONED_AFTER
        if abandoned:
            email, reason = "failed", "outcome unknown: the sender stopped during the SES call; not sent again"
        else:
            email = "wait"
    if in_app == "sent" or email == "send":
        until = quiet_until(now, state.quiet_start, state.quiet_end, zone_of(state.timezone))
        if until is not None:
            return Plan(defer_until=until)
    return Plan(in_app=in_app, email=email, reason=reason)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    headline: str  # the in-app notification's title
    line: str  # the in-app notification's body


def due_phrase(due_at: datetime | None, zone: ZoneInfo) -> str:
    """ "due Friday 4 December 2026 at 09:00 (CET)", in the user's timezone; "no due date" without one."""
    if due_at is None:
        return "no due date"
    local = due_at.astimezone(zone)
    return f"due {local:%A} {local.day} {local:%B %Y} at {local:%H:%M} ({local.tzname()})"


def compose(title: str, due_at: datetime | None, zone: ZoneInfo) -> Message:
    """The reminder's e-mail (plain text and HTML) and in-app notification, naming the task and its due time."""
    due = due_phrase(due_at, zone)
    sentence = f'Reminder: "{title}" is {due}.' if due_at else f'Reminder: "{title}" ({due}).'
    text = f"{sentence}\n\nYou get this e-mail because reminders are on in your taskfn notification preferences.\n"
    safe_title, safe_due = html.escape(title), html.escape(due)
    body = f"<strong>{safe_title}</strong> is {safe_due}." if due_at else f"<strong>{safe_title}</strong> ({safe_due})."
    markup = (
        "<!doctype html><html><body><p>Reminder: " + body + "</p>"
        "<p>You get this e-mail because reminders are on in your taskfn notification preferences.</p></body></html>"
    )
    return Message(subject=f"Reminder: {title}", text=text, html=markup, headline=f"Reminder: {title}", line=sentence)
