"""Thin Celery tasks: I/O around the pure pipeline in sb_worker."""
