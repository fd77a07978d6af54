"""What rendered images look like in delivered documents, computed independently for tests."""


def srcset(base: str, image, widths, fmt: str) -> str:
    renditions = [image.get_rendition(f"width-{w}|format-{fmt}") for w in widths]
    return ", ".join(f"{base}{r.url} {r.width}w" for r in renditions)


def picture(base: str, image, rendition, *, alt: str, css: str, widths, fallback="png") -> str:
    """The `<picture>` a rich-text image embed is delivered as."""
    sizes = f"(max-width: {rendition.width}px) 100vw, {rendition.width}px"
    return (
        f'<picture><source type="image/webp" srcset="{srcset(base, image, widths, "webp")}" '
        f'sizes="{sizes}"><img src="{base}{rendition.url}" width="{rendition.width}" '
        f'height="{rendition.height}" alt="{alt}" class="{css}" '
        f'srcset="{srcset(base, image, widths, fallback)}" sizes="{sizes}"></picture>'
    )
