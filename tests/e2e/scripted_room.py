"""A stand-in for the room's socket in a real room page (Playwright answers the page's WebSocket:
page.route_web_socket), and the frames of docs/room-protocol.md it sends, so a test says exactly
which frames arrive and when."""
import json
import re
import time
import uuid
from datetime import timedelta

from django.utils import timezone


class ScriptedRoom:
    """Stands in for /ws/sessions/<id>/: records what the page sends; the test sends the answers."""

    def __init__(self, page):
        self.page = page
        self.sockets: list = []
        self.received: list[tuple[int, dict]] = []  # (socket number, frame)
        page.route_web_socket(re.compile(r"/ws/sessions/\d+/$"), self._accept)

    def _accept(self, ws) -> None:
        number = len(self.sockets)
        self.sockets.append(ws)
        ws.on_message(lambda text: self.received.append((number, json.loads(text))))

    @property
    def ws(self):
        return self.sockets[-1]

    def send(self, frame: dict) -> None:
        self.ws.send(json.dumps(frame))

    def wait_for_socket(self, count: int = 1, timeout: float = 10.0) -> None:
        self._wait(lambda: len(self.sockets) >= count, timeout, f"{count} socket(s)")

    def frames(self, kind: str, socket: int | None = None) -> list[dict]:
        return [frame for number, frame in self.received if frame.get("type") == kind and (socket is None or number == socket)]

    def wait_for_frame(self, kind: str, count: int = 1, socket: int | None = None, timeout: float = 10.0) -> list[dict]:
        self._wait(lambda: len(self.frames(kind, socket)) >= count, timeout, f"{count} {kind!r} frame(s)")
        return self.frames(kind, socket)

    def _wait(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout} s for {what}; got {self.received}")
            self.page.wait_for_timeout(25)  # lets Playwright deliver the socket's events

    def join(self, you: dict, *, messages=(), last_seq: int | None = None, facilitator_present: bool = True,
             participants=None) -> None:
        """What the server says to a newcomer: welcome, history, state, presence."""
        self.wait_for_socket(len(self.sockets) or 1)
        last = last_seq if last_seq is not None else max([m["seq"] for m in messages], default=0)
        self.send({
            "type": "welcome",
            "session": {"id": 1, "title": "Tuesday", "ends_at": _iso(minutes=50), "locked": False, "slow_mode_seconds": 0},
            "you": {"muted": False, "can_send": True, "read_only_reason": None, "checked_in": False, "checked_out": False, **you},
            "last_seq": last,
        })
        self.send({"type": "history", "messages": list(messages), "last_seq": last, "more": False})
        self.send(state_frame())
        self.send({"type": "presence", "participants": participants or [], "facilitator_present": facilitator_present})


def _iso(minutes: int = 0) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def state_frame(**changes) -> dict:
    return {"type": "state", "locked": False, "slow_mode_seconds": 0, "pinned": None, "round": None, "ends_at": _iso(50), **changes}


def message_frame(seq: int, body: str, *, user_id: int = 999, name: str = "Still Water", role: str = "member",
             client_id: str | None = None, hidden: bool = False) -> dict:
    return {
        "type": "message", "seq": seq, "id": 1000 + seq, "author": {"user_id": user_id, "display_name": name, "role": role},
        "body": body, "hidden": hidden, "sent_at": _iso(), "client_id": client_id or str(uuid.uuid4()),
    }
