"""librosa.core: load, stft, the dB conversions and pcen, on melnorm."""
from ..._librosa import (amplitude_to_db, db_to_amplitude, db_to_power, load, pcen, power_to_db,  # noqa: F401
                         stft)

__all__ = ["load", "stft", "power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude", "pcen"]
