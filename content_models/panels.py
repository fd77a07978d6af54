"""Editor panels: inline children headed by what they hold, not by their number."""

from wagtail.admin.panels import InlinePanel
from wagtail.admin.telepath import register as register_telepath_adapter


class SummarisedInlinePanel(InlinePanel):
    """An InlinePanel whose children are headed by one of their fields (e.g. the question).

    Wagtail heads each child "<label> <n>", so collapsed FAQ questions all read "Question 1",
    "Question 2"... Here a child's heading is the value of `summary_field` (updated as the editor
    types), or the label for a new, empty child.
    """

    def __init__(self, relation_name, *args, summary_field: str, **kwargs):
        super().__init__(relation_name, *args, **kwargs)
        self.summary_field = summary_field

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "summary_field": self.summary_field}

    @register_telepath_adapter
    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "content_models/panels/summarised_inline_panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if self.form is None:
                return
            for child in self.children:
                child.summary = str(child.form[self.panel.summary_field].value() or "").strip()
            self.empty_child.summary = ""

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["summary_field"] = self.panel.summary_field
            return context
