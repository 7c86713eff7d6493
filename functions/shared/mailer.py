"""E-mail through SES (the v2 API), behind a small protocol; the boto3 client is created on first use.

A send either returns SES's message id, or raises `MailRejected` (permanent: SES will never take this message, e.g.
an unverified sender or a malformed address) or `MailUnavailable` (transient: throttling, an SES 5xx, no connection).
`MailUnavailable.maybe_sent` says whether SES may have accepted the message anyway (the request went out but no
answer came back), so the caller knows whether sending again could send it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from functions.shared.aws import LazyClient
from functions.shared.config import Settings

# SES error codes that mean "not now" rather than "never" (botocore's own list of throttling codes, plus SES's)
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestThrottled",
        "LimitExceededException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServiceError",
        "InternalServiceErrorException",
    }
)
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
# the longest one send can take; a 'sending' delivery older than this was abandoned mid-call
CALL_BOUND_SECONDS = CONNECT_TIMEOUT + READ_TIMEOUT


@dataclass(frozen=True)
class Mail:
    sender: str
    to: str
    subject: str
    text: str
    html: str


class MailRejected(Exception):
    """SES refused the message for good; sending it again would fail the same way."""


class MailUnavailable(Exception):
    """SES could not take the message now; `maybe_sent` when it may have been accepted regardless."""

    def __init__(self, reason: str, *, maybe_sent: bool) -> None:
        super().__init__(reason)
        self.maybe_sent = maybe_sent


class Mailer(Protocol):
    def send(self, mail: Mail) -> str:
        """Send `mail`; SES's message id."""


class SesMailer:
    def __init__(self, settings: Settings, client: Any = None) -> None:
        # one attempt per delivery: Knative's retry policy (the KafkaSource's DeliverySpec) owns retries
        self._client = LazyClient(
            "sesv2",
            settings,
            client,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"total_max_attempts": 1},
        )

    def send(self, mail: Mail) -> str:
        from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

        ses = self._client.get()
        content = {
            "Simple": {
                "Subject": {"Data": mail.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": mail.text, "Charset": "UTF-8"},
                    "Html": {"Data": mail.html, "Charset": "UTF-8"},
                },
            }
        }
        try:
            answer = ses.send_email(
                FromEmailAddress=mail.sender, Destination={"ToAddresses": [mail.to]}, Content=content
            )
        except ClientError as e:
            raise classify(e.response) from e
        except ConnectionError as e:  # no connection (refused, connect timeout, TLS): the request never reached SES
            raise MailUnavailable(f"SES unreachable: {e}", maybe_sent=False) from e
        except HTTPClientError as e:  # sent, but the answer was lost (read timeout, reset): SES may have taken it
            raise MailUnavailable(f"SES did not answer: {e}", maybe_sent=True) from e
        return str(answer["MessageId"])


def classify(response: dict[str, Any]) -> MailRejected | MailUnavailable:
    """The exception an SES error answer (botocore's `ClientError.response`) stands for."""
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    reason = f"{code or 'SES error'}: {error.get('Message', '')}".rstrip(": ")
    if code in TRANSIENT_CODES or status == 429 or status >= 500:
        return MailUnavailable(reason, maybe_sent=False)
    return MailRejected(reason)
