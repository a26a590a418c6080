"""engine.training.keras_setup: Keras loads without the optional libraries it would drag in, which import later."""

import json
import subprocess
import sys

OPTIONAL = ("sklearn", "matplotlib", "pandas")


def test_keras_loads_without_its_optional_libraries_which_import_normally_afterwards():
    code = (
        "import json, sys\n"
        "import engine.training.keras_setup\n"
        f"before = [m for m in {OPTIONAL!r} if m in sys.modules]\n"
        "import pandas, sklearn.datasets, matplotlib\n"
        "frame = pandas.DataFrame({'x': [1.0, 2.0]})\n"
        "print(json.dumps({'before': before, 'sum': float(frame.x.sum()),\n"
        "                  'keras': engine.training.keras_setup.keras.backend.backend()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"before": [], "sum": 3.0, "keras": "tensorflow"}
