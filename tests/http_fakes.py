"""Loopback HTTP servers' handlers for the tests: answers a real server could give, counted."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler


class Forbidden(BaseHTTPRequestHandler):
    """Answers every GET with 403 and counts the requests (a 403 must be asked once, never retried)."""

    requests = 0

    def do_GET(self):
        type(self).requests += 1
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass
