"""SpamBrainz: spam detection for MusicBrainz. ``celery -A sb_worker worker`` finds the app in sb_worker.celery."""

__version__ = "0.1.0"
