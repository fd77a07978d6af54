"""How a moment is written in what the API, previews and webhooks deliver: ISO 8601, in UTC,
with a `Z` (as DRF writes the documents' own dates)."""

from datetime import UTC, datetime


def iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
