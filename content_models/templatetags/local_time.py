"""`{% local_time value %}`: a moment on an admin screen, in the viewer's time zone.

Wagtail's admin views render in the time zone of the user's profile (Account → Time zone,
`wagtail.admin.localization`), or TIME_ZONE without one; this tag says which zone that is and
keeps the exact moment in a machine-readable `<time datetime>`.
"""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import format_html

register = template.Library()


def local_time_text(value, fmt: str = "DATETIME_FORMAT") -> str:
    """Return `value` as text in the current time zone, naming it ("5 Jan 2026, 6 p.m. JST")."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_format(local, get_format(fmt))} {date_format(local, 'T')}".strip()


@register.simple_tag
def local_time(value, fmt: str = "DATETIME_FORMAT"):
    """Render `value` as `<time datetime="ISO">date, time and zone</time>`; "" for None."""
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), local_time_text(value, fmt)
    )
