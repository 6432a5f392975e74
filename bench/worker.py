"""`python -m bench.worker TASK ARGS_JSON`: one measurement in a fresh process; prints JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench import measure


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    if task == "ingestion":
        result = measure.ingestion(Path(args["corpus"]), Path(args["workdir"]), int(args["batch_size"]))
    elif task == "grow":
        result = measure.grow_index(Path(args["base"]), Path(args["index"]), int(args["chunks"]), int(args["seed"]))
    elif task == "index_record":
        result = measure.index_record(Path(args["index"]))
    elif task == "queries":
        result = measure.queries(Path(args["index"]), list(args["questions"]), int(args["passes"]))
    else:
        raise SystemExit(f"unknown bench task {task}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
