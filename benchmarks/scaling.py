"""The scaling curve: end-to-end editors per second for chunk sizes 50 to 2,000 and 1 to 4 worker processes.

Run: .venv/bin/python -m benchmarks.scaling [EDITORS]   (default 20,000)

The same measurement as benchmarks.end_to_end (a backfill through Celery on Redis with the default trained model
active, workers warmed up first), repeated over chunk sizes and worker counts on one sample. `benchmarks.stages`
shows where a chunk's time goes.
"""

from __future__ import annotations


from benchmarks import cli
from benchmarks.end_to_end import pipeline_rate
from benchmarks.service import embedded_service

SIZES = (50, 200, 500, 1000, 2000)
WORKERS = (1, 2, 3, 4)


def main() -> None:
    editors = cli.arguments(__doc__, editors=(int, 20_000, "editors in the sample")).editors
    with embedded_service(editors, model=True) as service:
        print(f"{editors:,} editors, model {service.model}: editors/s end to end")
        print("chunk  " + "".join(f"{w} worker{'s' if w > 1 else ' '}  " for w in WORKERS))
        for size in SIZES:
            cells = []
            for workers in WORKERS:
                _, rate = pipeline_rate(service.settings.replace(chunk_size=size), workers,
                                        service.tmp / f"w{size}-{workers}.log")
                cells.append(f"{rate:9,.0f}")
            print(f"{size:5d}  " + " ".join(cells), flush=True)

if __name__ == "__main__":
    main()
