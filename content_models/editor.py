"""The admin's rich-text editor: Wagtail's Draftail, answering a malformed post with a form error.

Set as the default editor in WAGTAILADMIN_RICH_TEXT_EDITORS. Wagtail loads it when it builds a
form, after the models: it cannot live in `rich_text`, which the models import.
"""

import logging

from wagtail.admin.rich_text import DraftailRichTextArea

from .rich_text import UNREADABLE

logger = logging.getLogger(__name__)


class RichTextEditor(DraftailRichTextArea):
    """Wagtail's Draftail editor, whose malformed posts are a form error instead of a crash.

    Wagtail converts the posted contentstate without checking its shape: text that is not JSON,
    or an entity whose data has the wrong types, raised (a 500). Such a post reads as `UNREADABLE`,
    which the validator refuses with a message, and which shows as an empty editor.
    """

    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            logger.warning("Unreadable rich text posted for %s: %r", name, error)
            return UNREADABLE
