"""The cold-start baseline: a bare functions-framework hello world."""

import functions_framework


@functions_framework.http
def handle(request):  # type: ignore[no-untyped-def]
    return "ok"
