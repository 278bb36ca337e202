"""The request-only transcripts of the differential batteries (`gen_core_battery.py`,
`gen_groups_battery.py`): one request as the live test reads it (`=== REQUEST ===`, the request
line, curl's headers, a blank line, the body), which it sends to the real server and records with
the answer."""

from __future__ import annotations

import json


def render(method: str, path: str, body: object, ctype: str) -> str:
    """The transcript of one request; `body` is JSON (compact) or, a string, sent as it is."""
    if body is None:
        text = ""
    elif isinstance(body, str):
        text = body
    else:
        text = json.dumps(body, separators=(",", ":"))
    lines = [
        "=== REQUEST ===",
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1:6443",
        "User-Agent: curl/7.88.1",
        "Accept: application/json",
    ]
    if body is not None:
        lines.append(f"Content-Type: {ctype}")
        lines.append(f"Content-Length: {len(text.encode())}")
    return "\n".join(lines) + "\n\n" + text
