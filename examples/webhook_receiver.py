"""A webhook receiver for LSP Hub that verifies each delivery with a Standard Webhooks library.

LSP Hub signs deliveries as the Standard Webhooks specification says (headers ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature: v1,<base64>``), so any library written for the
specification verifies them; this receiver uses the Python one (``pip install standardwebhooks``).

    export LSPHUB_WEBHOOK_SECRET="$(python -c 'import base64, secrets;
    print("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())')"
    python examples/webhook_receiver.py --port 8765

Register the endpoint with the same secret as an administrator: ``POST /api/v1/webhooks`` with
``{"url": "https://receiver.example.org/lsphub", "events": ["status_update.created"],
"secret": "whsec_..."}``. Each verified event is printed as one JSON line.

Answers: ``204`` to a verified delivery; ``401`` to one whose signature does not match or whose
timestamp is more than five minutes away (LSP Hub retries it with backoff). Deliveries are at
least once: a retry carries the same ``webhook-id``, so one already handled is acknowledged
again without being handled twice.
"""

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

Event = dict[str, Any]  # {"id", "event", "created_at", "data"}


class Receiver:
    """Verifies a delivery, drops one already handled, and hands the event to ``on_event``."""

    def __init__(self, secret: str, on_event: Callable[[Event], None]) -> None:
        self.verifier = Webhook(secret)
        self.on_event = on_event
        self.handled: set[str] = set()  # webhook-ids; a real receiver keeps them in its database
        self.lock = threading.Lock()

    def receive(self, body: bytes, headers: dict[str, str]) -> int:
        """Handle one POST; returns the HTTP status to answer."""
        try:
            event = self.verifier.verify(body, headers)
        except WebhookVerificationError:
            return 401
        message_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self.lock:
            if message_id in self.handled:
                return 204
            self.on_event(event)
            self.handled.add(message_id)
        return 204


def make_server(receiver: Receiver, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.receive(body, dict(self.headers.items()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer((host, port), Handler)


def print_event(event: Event) -> None:
    print(json.dumps(event, sort_keys=True), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    secret = os.environ.get("LSPHUB_WEBHOOK_SECRET")
    if not secret:
        print("set LSPHUB_WEBHOOK_SECRET to the webhook's whsec_ secret", file=sys.stderr)
        return 2
    server = make_server(Receiver(secret, print_event), args.host, args.port)
    print(f"listening on http://{args.host}:{server.server_address[1]}/", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
