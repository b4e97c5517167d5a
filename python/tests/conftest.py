"""The tests import the module of this source tree (python/aifsim/), whatever else
python3 has installed; it finds the library as it always does (AIFSIM_LIB, else
build/libaifsim.so)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
