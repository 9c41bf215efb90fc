"""Checks schemathesis runs on every admin API response, beside its own."""

import schemathesis

GENERIC_MESSAGES = {"", "bad request", "not found", "unauthorized", "forbidden", "conflict"}


@schemathesis.check
def error_names_the_problem(ctx, response, case):
    """Every 4xx is JSON whose message says what is wrong; a validation failure names each field."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError as error:
        raise AssertionError(f"{response.status_code} answer is not JSON: {error}") from None
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or message.strip().lower() in GENERIC_MESSAGES:
        raise AssertionError(f"{response.status_code} answer does not say what is wrong: {body!r}")
    if message == "validation failed":
        errors = body.get("errors")
        if not errors or not all(
            isinstance(error, dict) and error.get("field") and error.get("message") for error in errors
        ):
            raise AssertionError(f"validation failure without a field and message for each error: {body!r}")
    return None
