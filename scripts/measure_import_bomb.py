"""Time and memory of refusing a small xlsx that unpacks to 300 MB (issue 10, hole 7).

Run: .venv/bin/python scripts/measure_import_bomb.py
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from registry.imports import ImportRefused, load_dataset  # noqa: E402
from tests.registry.test_import_bounds import _bomb_xlsx  # noqa: E402

data = _bomb_xlsx(300 * 1024 * 1024)
print("file bytes", len(data))
tracemalloc.start()
started = time.perf_counter()
try:
    load_dataset(data, "xlsx")
except ImportRefused as refused:
    print("refused:", refused)
print(f"seconds {time.perf_counter() - started:.3f}", f"peak MB {tracemalloc.get_traced_memory()[1] / 2**20:.2f}")
