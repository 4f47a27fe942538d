"""A personal access token's secret never leaves the process: the log processor, the
span attribute filter and the error-report scrubber cut it out wherever it is quoted."""

from __future__ import annotations

from app.platform.logging import _redact
from app.platform.security import redact_personal_tokens
from app.platform.telemetry.scrub import allowed_attributes, scrub_event

SECRET = "mi_pat_Xk3qZ9-_aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1w"


def test_the_secret_is_cut_out_of_text() -> None:
    text = f"Bearer {SECRET}, then {SECRET}."
    assert redact_personal_tokens(text) == "Bearer mi_pat_[redacted], then mi_pat_[redacted]."
    assert redact_personal_tokens("nothing here") == "nothing here"


def test_log_lines_carry_no_secret() -> None:
    line = _redact(None, "info", {"event": f"used {SECRET}", "secret": SECRET, "n": 1})
    assert SECRET not in str(line)
    assert line["n"] == 1


def test_spans_and_error_reports_carry_no_secret() -> None:
    attributes = allowed_attributes({"url.path": f"/x/{SECRET}", "http.cookie": SECRET})
    assert attributes == {"url.path": "/x/mi_pat_[redacted]"}
    event = scrub_event(
        {
            "request": {
                "url": f"http://host/x/{SECRET}?token={SECRET}",
                "headers": {"Authorization": f"Bearer {SECRET}"},
            }
        }
    )
    assert SECRET not in str(event)
