"""Load the ISECG site's starter content from its data file (`content_models/data/isecg.yaml`).

Two services, callable from a command, a test or a task alike:

- `content_read()` (`parse`) parses and checks the whole file (structure, required fields, each
  item's field values against the models, references between items) before anything is
  written, and raises `ContentDataError` naming the file, the item and the field.
- `content_load()` (`apply`) writes it in one transaction. Pages are matched by slug under their
  parent; missing ones are created, and a page is published (through Wagtail's revisions, so
  `page_published` fires) only when its content differs from what is live. A second run
  publishes nothing: every publish becomes an API version and a webhook delivery.

Pages that people have changed in the admin since (a published edit, or a draft in progress)
are kept as they are unless `overwrite` is set: `make run` loads the file on every start.
`markup` turns the file's rich text into Wagtail's; `specs` is the plain data in between.
"""

from pathlib import Path

from .apply import LoadReport, SectionReport, content_load
from .parse import content_read, display_path
from .specs import ContentDataError, SiteContent

DEFAULT_DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "isecg.yaml"

__all__ = [
    "DEFAULT_DATA_FILE",
    "ContentDataError",
    "LoadReport",
    "SectionReport",
    "SiteContent",
    "content_load",
    "content_read",
    "display_path",
]
