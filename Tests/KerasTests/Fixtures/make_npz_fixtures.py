"""`.npz` archives written by NumPy itself, for the NPZ reader's tests.

Writes into npz/: `stored.npz` (np.savez: entries stored) and `compressed.npz`
(np.savez_compressed: entries deflated), each holding `a` = arange(6).reshape(2, 3) as float64
and `b` = arange(4) as int64, so the tests know the values without reading anything else.

Run by hand with the venv of Scripts/make-keras-venv.sh:
    /tmp/kerasref/bin/python make_npz_fixtures.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npz")
os.makedirs(OUT, exist_ok=True)

a = np.arange(6, dtype="float64").reshape(2, 3)
b = np.arange(4, dtype="int64")
np.savez(os.path.join(OUT, "stored.npz"), a=a, b=b)
np.savez_compressed(os.path.join(OUT, "compressed.npz"), a=a, b=b)
