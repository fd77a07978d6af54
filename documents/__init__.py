"""The stored document: what the API serves for a published page, decided at publish time.

Below `pipeline` (which stores documents when pages are published), `api` (which serves them)
and `preview` (which renders drafts the same way), and above `content_models` (what editors
edit). It owns:

- `audience`: who may read a page (its view restrictions, as data) and who is asking;
- `rendering`: the `RenderContext` a document is rendered with (frontend paths, links, rich
  text, images and documents, and what the document embeds);
- `serializers` and `registry`: the explicit serializer of each page type, and rendering a page
  to its JSON bytes and ETag;
- `paths`: the API path of an item or collection, built from `API_URL_PREFIX`.
"""
