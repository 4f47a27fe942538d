"""A short description of the device a session logged in from ("Firefox 133 on
Ubuntu"), made from its User-Agent by ua-parser, which carries the uap-core rules
that the project keeps current: a hand-written mapping would age with every browser
release. Only the description is stored, never the header itself."""

from __future__ import annotations

import re
from functools import lru_cache

from ua_parser import parse

from app.sessions.tables import DEVICE_MAX

UNKNOWN_DEVICE = "Unknown device"
# A header longer than this is not a browser's (theirs stay under 300 characters):
# it is not parsed, so nobody can make the parser's regexes chew on megabytes.
USER_AGENT_MAX = 512
# A client that is no browser names itself first ("python-httpx/0.28.1", "curl/8.5"):
# that name is its description when the rules know nothing better.
_PRODUCT = re.compile(r"^([A-Za-z][A-Za-z0-9._-]{0,39})/")


@lru_cache(maxsize=256)  # one browser logs in many times, and parsing takes ~1 ms
def describe(user_agent: str | None) -> str:
    """ "<browser> <major> on <OS>", as much of it as the header tells, else
    UNKNOWN_DEVICE; at most DEVICE_MAX characters."""
    if not user_agent or len(user_agent) > USER_AGENT_MAX:
        return UNKNOWN_DEVICE
    found = parse(user_agent)
    browser = found.user_agent
    system = found.os
    parts: list[str] = []
    if browser is not None and browser.family != "Other":
        parts.append(f"{browser.family} {browser.major}" if browser.major else browser.family)
    if system is not None and system.family != "Other":
        parts.append(("on " if parts else "") + system.family)
    if not parts:
        product = _PRODUCT.match(user_agent)
        return product.group(1) if product else UNKNOWN_DEVICE
    return " ".join(parts)[:DEVICE_MAX]
