"""Settings of the notifications service, read from `NOTIFICATIONS_*` environment variables."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from contest_contracts.common import Language
from contest_notifications.domain.sms import AUTOFILL_HOST_MAX
from contest_runtime.settings import ServiceSettings

_HOST = r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$"
"""A full domain name, lowercase: labels and a top-level domain."""


class NotificationsSettings(ServiceSettings):
    """Everything the notifications service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    http_port: int = Field(default=8004, ge=0, le=65535, description="HTTP port.")
    mongodb_database: str = Field(
        default="contest_notifications", description="The service's database."
    )
    consumer_group: str = Field(
        default="contest-notifications", description="Kafka consumer group."
    )
    history: bool = Field(
        default=False,
        description="Whether a new consumer group reads the topics from their beginning. Off: "
        "a new deployment writes to nobody about what happened before it (restarts always "
        "resume where the group left off).",
    )
    language_fallback: list[Language] = Field(
        default=[Language.RU, Language.KK, Language.EN],
        description="Languages tried, in order, when a template is not written in the "
        "recipient's language.",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port.")
    smtp_sender: str = Field(default="contest@localhost", description="From address.")
    message_id_domain: str | None = Field(
        default=None,
        pattern=_HOST,
        description="The full domain name of email Message-IDs (`<delivery-key@domain>`); "
        "unset, the sender address's domain when it is a full name, else `contest.invalid`.",
    )
    email_opt_out_url: str | None = Field(
        default=None,
        pattern=r"^(https://|mailto:)",
        description="Where a recipient opts out of messages that are not essential, sent as "
        "their email's `List-Unsubscribe`; `{recipient_id}` is replaced by the recipient's id "
        "(URL-quoted). Unset, no such header.",
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, if any.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password, if any.")
    smtp_starttls: bool = Field(default=False, description="Upgrade to TLS with STARTTLS.")
    sms_url: str = Field(
        default="http://127.0.0.1:9090/messages", description="The SMS provider's send URL."
    )
    sms_api_key: SecretStr = Field(default=SecretStr(""), description="The provider's API key.")
    sms_sender: str = Field(default="CONTEST", description="Sender name shown on SMS.")
    sms_autofill_host: str | None = Field(
        default=None,
        max_length=AUTOFILL_HOST_MAX,
        pattern=_HOST,
        description="The portal's host name (no scheme, no port): one-time codes end with "
        "the domain-bound autofill line `@host #123456`; unset, no such line. At most "
        f"{AUTOFILL_HOST_MAX} characters, so every code message stays one SMS segment.",
    )
    channel_timeout_s: float = Field(
        default=10.0, gt=0, description="How long one attempt at a channel may take."
    )
    send_concurrency: int = Field(
        default=32, ge=1, description="Deliveries one replica sends at once."
    )
    max_attempts: int = Field(default=6, ge=1, description="Attempts before a delivery fails.")
    retry_base_s: float = Field(
        default=2.0, gt=0, description="First retry waits up to this long, doubling after."
    )
    retry_cap_s: float = Field(default=600.0, gt=0, description="Longest wait between tries.")
    reminder_lead_s: float = Field(
        default=86400.0, gt=0, description="How long before a sheet is due its juror is reminded."
    )
    dispatch_interval_s: float = Field(
        default=1.0, gt=0, description="How often deliveries due for a retry are looked for."
    )

    @property
    def email_domain(self) -> str:
        """The domain of Message-IDs: the setting, else the sender's full domain name."""
        if self.message_id_domain is not None:
            return self.message_id_domain
        domain = self.smtp_sender.rpartition("@")[2].lower()
        return domain if re.fullmatch(_HOST, domain) else "contest.invalid"
