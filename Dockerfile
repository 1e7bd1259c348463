# One image for every SpamBrainz service: workers, the trainer, cron's `sb enqueue`, the API.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE NOTICE celeryconfig.py ./
COPY sb_worker sb_worker
COPY tasks tasks
COPY detectors detectors
RUN pip install --no-cache-dir . && useradd --system --home /app spambrainz
USER spambrainz
CMD ["celery", "-A", "sb_worker", "worker", "-Q", "scan"]
