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


@register.simple_tag
def local_time(value, fmt: str = "DATETIME_FORMAT"):
    """Render `value` as `<time datetime="ISO">date, time and zone</time>`; "" for None."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    human = f"{date_format(local, get_format(fmt))} {date_format(local, 'T')}".strip()
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), human)
