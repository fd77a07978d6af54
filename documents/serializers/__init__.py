"""The delivery serializer of each page type: explicit fields, unique component names.

They render a page into its stored document through the `RenderContext` in
`context["render"]`; `documents.registry` says which serializer renders which page type.
"""
