"""Celery's own settings for SpamBrainz. SpamBrainz's settings (DSNs, broker URL, limits) are in sb_worker.settings."""

task_serializer = "json"
accept_content = ["json"]
task_ignore_result = True

# At-least-once: a task is acknowledged only when it has finished, and a task whose worker process died
# (SIGKILL, out of memory) goes back to the queue instead of being dropped.
task_acks_late = True
task_reject_on_worker_lost = True
worker_cancel_long_running_tasks_on_connection_loss = True
worker_prefetch_multiplier = 1

task_default_queue = "scan"
task_routes = {
    "spambrainz.scan_chunk": {"queue": "scan"},
    "spambrainz.score_records": {"queue": "scan"},  # on demand (POST /v1/score): scored, answered, not stored
    "spambrainz.deliver_report": {"queue": "reports"},
    "spambrainz.apply_feedback": {"queue": "feedback"},
    # Periodic work is light I/O: the reports worker runs it.
    "spambrainz.publish_gauges": {"queue": "reports"},
    "spambrainz.enqueue_changes": {"queue": "reports"},
    "spambrainz.harvest_labels": {"queue": "reports"},
    "spambrainz.enqueue_missing": {"queue": "reports"},
}
task_default_priority = 3
# Redis emulates priorities with one list per step; 0 is served first. A task whose worker died unacknowledged
# returns after SB_VISIBILITY_TIMEOUT_S: each worker looks for such tasks every 10 s (kombu's default throttle
# would look only every 100 s).
broker_transport_options = {"queue_order_strategy": "priority", "priority_steps": list(range(10)), "sep": ":",
                            "unacked_restore_interval": 10, "unacked_restore_throttle": 1}
broker_connection_retry_on_startup = True
worker_send_task_events = False
