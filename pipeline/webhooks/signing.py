"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per secret."""

from datetime import UTC, datetime

from standardwebhooks import Webhook


def signature_headers(
    *, event_id: str, body: str, secrets: list[str], at: datetime
) -> dict[str, str]:
    """Return the three Standard Webhooks headers, signed with every secret given.

    During a secret rotation both the new and the previous secret sign, so a receiver that
    still has the old one keeps verifying until it switches.
    """
    at = datetime.fromtimestamp(int(at.timestamp()), tz=UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(
            Webhook(secret).sign(msg_id=event_id, timestamp=at, data=body) for secret in secrets
        ),
    }
