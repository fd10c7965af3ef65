import html


def text(response) -> str:
    """The response body with HTML entities decoded, for asserting on visible text."""
    return html.unescape(response.content.decode())


def rows_of(*models) -> list[list[dict]]:
    """Every row of ``models``, to compare before and after a refused action (a login's
    ``last_login`` aside)."""
    return [
        [
            {k: v for k, v in row.items() if k != "last_login"}
            for row in model.objects.order_by("pk").values()
        ]
        for model in models
    ]
