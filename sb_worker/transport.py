"""kombu's Redis transport, with one race mended: a worker whose Redis dies while it waits on the queue survives.

A worker waits on its queues with a BRPOP. When Redis dies during that wait, the consumer closes its channel. kombu's
``Channel.close`` first reads the BRPOP's reply, and that read fails on the dead socket *before* the channel is
marked closed. Celery then drops the connection's transport and closes the channel once more. That second close
finds no transport to reconnect with and raises ``AttributeError`` ("'NoneType' object has no attribute
'hostname'"), which Celery treats as unrecoverable: the worker exits instead of reconnecting (kombu 5.7). Here a
failed read is the end of that wait and the close goes on. The message the worker held stays unacknowledged in
Redis and comes back after the visibility timeout, as it does when the race is not met.

``sb_worker.celery`` makes this the transport of ``redis://``, ``rediss://`` and ``redis+socket://`` URLs.
"""

from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    def close(self) -> None:
        if self._in_poll:
            try:
                self._brpop_read()  # whatever it raises, it has ended the wait (_in_poll is None again)
            except (redis.Empty, *self.connection_errors):
                pass
        super().close()


class Transport(redis.Transport):
    Channel = Channel
