"""The change log as a feed: follow it with a cursor and never miss an entry."""

import json

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from documents.paths import api_path
from pipeline.models import FeedState

from .. import selectors
from ..caching import json_response
from ..errors import Gone
from ..params import CURSOR_PATTERN, decode_cursor, encode_cursor, int_param
from ..schema import ERRORS, NOT_MODIFIED, limit_parameter, problem
from ..views import DeliveryView

DEFAULT_CHANGES_LIMIT = 100
MAX_SEQ = 2**63 - 1  # a well-formed cursor may name any seq; the column holds no more (then 410)
MAX_CHANGES_LIMIT = 1000


class ItemPathField(serializers.CharField):
    """The API path of the item a feed entry names (from its `type` and id)."""

    def get_attribute(self, instance):
        return api_path(instance.type, instance.page_id)


class ChangeSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.ChoiceField(
        choices=["published", "unpublished", "deleted", "moved", "visibility_changed"]
    )
    type = serializers.CharField()
    id = serializers.IntegerField(source="page_id")
    version = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
    release = serializers.IntegerField(
        source="release_id",
        allow_null=True,
        help_text=(
            "The release this change went live in, or null. The entries of a release are "
            "consecutive and appear in the feed at once (see /releases/)."
        ),
    )
    api_url = ItemPathField()


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.CharField(help_text="Cursor to pass as ?cursor= for the next entries.")
    next_url = serializers.CharField()
    has_more = serializers.BooleanField()


class ChangesView(DeliveryView):
    """The change log, in commit order, from a cursor."""

    params = frozenset({"cursor", "limit"})

    @extend_schema(
        operation_id="changes_list",
        summary="Follow the change log",
        description=(
            "Entries in commit order. Start without a cursor, then pass `next` as `cursor`; "
            "an entry never appears behind one already read. A cursor older than the retention "
            "window answers 410: resync from the collections, then follow the feed again.\n\n"
            "What the feed reveals: only entries the caller may read are listed, but `seq` is "
            "one sequence for all content, so a gap between two entries shows that other "
            "changes happened (and how many), never what changed or to which item. The cursor, "
            "the ETag and Last-Modified stop at the last entry the caller may see; only a "
            "request that skips a long run of hidden entries moves its cursor past them."
        ),
        parameters=[
            OpenApiParameter(
                "cursor",
                {"type": "string", "pattern": CURSOR_PATTERN},
                description="`next` of the last answer (an opaque string of this form).",
            ),
            limit_parameter(maximum=MAX_CHANGES_LIMIT, default=DEFAULT_CHANGES_LIMIT),
        ],
        responses={
            200: ChangeFeedSerializer,
            **NOT_MODIFIED,
            **ERRORS,
            **problem(410, "The cursor is older than the retention window."),
        },
        tags=["Changes"],
    )
    def get(self, request, *args, **kwargs):
        raw = request.GET.get("cursor")
        after = decode_cursor(raw) if raw is not None else 0
        limit = int_param(
            request, "limit", default=DEFAULT_CHANGES_LIMIT, minimum=1, maximum=MAX_CHANGES_LIMIT
        )
        entries, last, has_more = selectors.changes_after(
            caller=self.caller, seq=min(after, MAX_SEQ), limit=limit
        )
        # Read after the entries: retention records pruned_through before deleting, so a
        # cursor whose entries went while we read is caught here, never answered with a gap.
        state = FeedState.objects.filter(pk=1).values_list("last_seq", "pruned_through").first()
        last_seq, pruned_through = state or (0, 0)
        if raw is not None and after < pruned_through:
            raise Gone(
                "This cursor is older than the change log's retention window: resync from the "
                "collections and follow the feed from a fresh cursor."
            )
        if after > last_seq:
            # Only a cursor from another database (or one restored from a backup) gets here;
            # answering an empty page forever would hide every later change.
            raise Gone(
                "This cursor is ahead of the change log (was the database restored?): resync "
                "from the collections and follow the feed from a fresh cursor."
            )
        cursor = encode_cursor(last)
        feed = {
            "results": entries,
            "next": cursor,
            "next_url": request.build_absolute_uri(f"{request.path}?cursor={cursor}"),
            "has_more": has_more,
        }
        return json_response(
            request,
            json.dumps(ChangeFeedSerializer(feed).data, separators=(",", ":")),
            last_modified=entries[-1].at
            if entries
            else selectors.last_change_at(caller=self.caller),
            public=not self.caller.authenticated,
            max_age=0,
        )
