"""A TCP proxy in front of a server's socket, which a drill can cut and restore: a real network outage."""

from __future__ import annotations

import glob
import selectors
import socket
import threading
import time
from urllib.parse import parse_qs, urlparse


def postgres_socket(dsn: str) -> str:
    """The Unix socket file of the PostgreSQL server a ``...?host=/dir`` DSN names."""
    [folder] = parse_qs(urlparse(dsn).query)["host"]
    [path] = glob.glob(f"{folder}/.s.PGSQL.*[0-9]")
    return path


class Proxy:
    """Listens on 127.0.0.1:``port`` and relays each connection to ``target`` (a Unix socket path or a
    ``(host, port)`` pair). :meth:`cut` drops every live connection and refuses new ones, as a server that has gone
    away; :meth:`restore` accepts again on the same port. :meth:`freeze` keeps every connection open and accepts
    new ones, but forwards nothing (a frozen server, a network that stopped carrying packets); :meth:`thaw` resumes."""

    def __init__(self, target: str | tuple[str, int]):
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._flowing = threading.Event()
        self._flowing.set()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Proxy:
        self.restore()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cut()
        self._stop.set()

    def restore(self) -> None:
        """Accept connections (again) on the same port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def cut(self) -> None:
        """Close the listener and every relayed connection: clients see resets, then refused connections."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(); close alone would not
            except OSError:
                pass
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        time.sleep(0.1)

    def freeze(self) -> None:
        """Forward nothing more, either way, and leave new connections unanswered."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Forward again what waited, and what comes."""
        self._flowing.set()

    def dsn(self, direct: str) -> str:
        """The DSN of the database ``direct`` names, through the proxy."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{urlparse(direct).path.lstrip('/')}"

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            while not self._flowing.wait(0.1):  # frozen: the client is connected, and nothing answers
                if self._listener is not listener:
                    break
            try:
                if isinstance(self.target, str):
                    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                else:
                    upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                upstream.connect(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # accepted as the cut happened: cut it too
                    client.close()
                    upstream.close()
                    return
                self._pairs.append((client, upstream))
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        try:
            while True:
                if not self._flowing.wait(0.1):
                    continue  # frozen: what was sent waits in the sockets' buffers
                for key, _ in selector.select(timeout=0.2):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for sock in (a, b):
                try:
                    sock.close()
                except OSError:
                    pass
