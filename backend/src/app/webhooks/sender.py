"""One delivery attempt over HTTP: resolved and checked (`app.webhooks.ssrf`), signed by
the Standard Webhooks reference implementation (`standardwebhooks`), sent with httpx to
the checked address, redirects not followed, at most RESPONSE_MAX_BYTES of the answer
read, and the whole attempt bounded by a timeout."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
from standardwebhooks import Webhook

from app.platform.errors import UnsafeWebhookURLError
from app.platform.tables import utcnow
from app.webhooks import ssrf
from app.webhooks.repository import DueDelivery
from app.webhooks.tables import ERROR_MAX

RESPONSE_MAX_BYTES = 4096  # of a receiver's answer: read and dropped, so a connection can be kept
USER_AGENT = "minor-illusion-webhooks/1"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt went: delivered (a 2xx answer), or the status and why not."""

    delivered: bool
    status: int | None
    latency_ms: int
    error: str | None


def client(*, concurrency: int, timeout: float) -> httpx.AsyncClient:
    """The dispatcher's one client: no proxies or .netrc from the environment (a proxy
    would connect to the name, not the checked address), no redirects."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    )


def sign(secrets: tuple[str, ...], msg_id: str, payload: str) -> dict[str, str]:
    """The Standard Webhooks headers: one signature per secret that signs (two during
    a rotation), space-separated, as the specification allows."""
    timestamp = utcnow()
    signature = " ".join(Webhook(secret).sign(msg_id, timestamp, payload) for secret in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }


async def send(
    http: httpx.AsyncClient, due: DueDelivery, *, allow_loopback_http: bool, limit: float
) -> Outcome:
    """Attempt `due` once, in at most `limit` seconds, all included (the name's lookup,
    connecting, TLS, sending, the answer)."""
    started = time.monotonic()

    def outcome(status: int | None, error: str | None) -> Outcome:
        latency = int((time.monotonic() - started) * 1000)
        delivered = error is None and status is not None and 200 <= status < 300
        return Outcome(delivered, status, latency, None if error is None else error[:ERROR_MAX])

    try:
        async with asyncio.timeout(limit):
            target = await ssrf.resolve(due.url, allow_loopback_http=allow_loopback_http)
            url = httpx.URL(due.url)
            headers = {
                **sign(due.secrets, due.delivery.msg_id, due.delivery.payload),
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "host": url.netloc.decode("ascii"),  # the name, not the address connected to
            }
            request = http.build_request(
                "POST",
                url.copy_with(host=str(target.address)),
                content=due.delivery.payload.encode(),
                headers=headers,
                extensions={"sni_hostname": target.host},  # TLS checks the name's certificate
            )
            response = await http.send(request, stream=True)
            try:
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= RESPONSE_MAX_BYTES:
                        break
            finally:
                await response.aclose()
    except UnsafeWebhookURLError as error:
        return outcome(None, str(error))
    except TimeoutError:
        return outcome(None, f"No answer within {limit:g} s")
    except httpx.HTTPError as error:
        return outcome(
            None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        )
    status = response.status_code
    if 300 <= status < 400:
        return outcome(status, f"Answered {status}: redirects are not followed")
    if not 200 <= status < 300:
        return outcome(status, f"Answered {status}")
    return outcome(status, None)
