"""A real SMTP server on loopback (aiosmtpd) that records the mails it accepts."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller


class MailReceiver:
    """Answers each mail with the next reply of ``script`` (then 250), and keeps every mail it accepted."""

    def __init__(self, script: list[str] | None = None, port: int = 0, hold_first: bool = False):
        self.script = list(script or [])
        self.mails: list[Message] = []
        self.lock = threading.Lock()
        self.holding = threading.Event()   # set while the first sender is held (with ``hold_first``)
        self.release = threading.Event()   # set to let it go on
        self.hold_first = hold_first
        receiver = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
                if receiver.hold_first:  # keep the first sender waiting before its mail is sent
                    receiver.hold_first = False
                    receiver.holding.set()
                    await asyncio.to_thread(receiver.release.wait, 60)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope) -> str:
                with receiver.lock:
                    reply = receiver.script.pop(0) if receiver.script else "250 OK"
                    if reply.startswith("250"):
                        receiver.mails.append(email.message_from_bytes(envelope.content))
                return reply

        if not port:  # aiosmtpd checks the server by connecting to the port it was given, so 0 will not do
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def __enter__(self) -> MailReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
