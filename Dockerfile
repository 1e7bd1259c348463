# One image for every SpamBrainz service: workers, the trainer, beat, cron's `sb enqueue`, the API.
# Build with --build-arg GPU=1 for the trainer on a GPU: TensorFlow's CUDA build in place of tensorflow-cpu.
FROM python:3.11-slim
ARG GPU=""
WORKDIR /app
COPY pyproject.toml README.md LICENSE NOTICE celeryconfig.py ./
COPY sb_worker sb_worker
COPY tasks tasks
COPY detectors detectors
# The two TensorFlow builds share their files, so the CUDA one is reinstalled after the CPU one is removed.
RUN if [ -n "$GPU" ]; then \
      pip install --no-cache-dir ".[gpu]" && pip uninstall -y tensorflow-cpu && \
      pip install --no-cache-dir --force-reinstall --no-deps "tensorflow==2.21.0"; \
    else pip install --no-cache-dir .; fi \
    && useradd --system --home /app spambrainz && mkdir /models && chown spambrainz /models
USER spambrainz
CMD ["celery", "-A", "sb_worker", "worker", "-Q", "scan"]
