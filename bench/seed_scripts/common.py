"""What the seed's scripts share: the processed/ folder and the settings of config/seed_pipeline.yaml."""
import os
import sys

MIN_USER, MIN_MOVIE = 20, 50
TRAIN, VAL, MIN_SPLIT = 0.70, 0.15, 3
POP_EXPONENT, HALF_LIFE_DAYS = 0.5, 365.0
K = 50


def folders():
    """DATA and OUT from the command line: `script.py DATA OUT`."""
    if len(sys.argv) != 3:
        sys.exit(f"usage: {os.path.basename(sys.argv[0])} DATA_FOLDER OUT_FOLDER")
    os.makedirs(sys.argv[2], exist_ok=True)
    return sys.argv[1], sys.argv[2]
