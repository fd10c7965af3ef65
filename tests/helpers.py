import html


def text(response) -> str:
    """The response body with HTML entities decoded, for asserting on visible text."""
    return html.unescape(response.content.decode())
