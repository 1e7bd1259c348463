"""Thin Celery tasks: I/O around the pure pipeline in sb_worker.

Every task is at-least-once (acks late, requeued when its worker dies): that policy is set once, in celeryconfig.
"""
