"""torchaudio.load / info / save (torchaudio 2.x signatures) on libsndfile, without FFmpeg."""
import io
import os
import tempfile
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["load", "info", "save", "AudioMetaData"]

_ENCODING = {"PCM_16": ("PCM_S", 16), "PCM_24": ("PCM_S", 24), "PCM_32": ("PCM_S", 32), "PCM_S8": ("PCM_S", 8),
             "PCM_U8": ("PCM_U", 8), "FLOAT": ("PCM_F", 32), "DOUBLE": ("PCM_F", 64), "ULAW": ("ULAW", 8),
             "ALAW": ("ALAW", 8), "VORBIS": ("VORBIS", 0), "OPUS": ("OPUS", 0), "MPEG_LAYER_III": ("MP3", 0)}


@dataclass
class AudioMetaData:
    """torchaudio's AudioMetaData: sample_rate, num_frames, num_channels, bits_per_sample, encoding."""
    sample_rate: int
    num_frames: int
    num_channels: int
    bits_per_sample: int
    encoding: str


def _sf():
    try:
        import soundfile
    except ImportError as e:  # pragma: no cover
        raise ImportError("melnorm.compat.torchaudio's load/info/save need soundfile (Debian: python3-soundfile)") from e
    return soundfile


def _check_backend(backend):
    if backend is not None:
        raise ValueError(f"backend={backend!r}: melnorm.compat.torchaudio has one backend (libsndfile); allowed: None")


def _source(uri):
    if hasattr(uri, "read") and not isinstance(uri, (str, bytes, os.PathLike)):
        return uri
    return os.fspath(uri)


def info(uri, format=None, buffer_size=4096, backend=None):
    """torchaudio.info: the file's header as an AudioMetaData."""
    _check_backend(backend)
    sf = _sf()
    with sf.SoundFile(_source(uri), format=None if format is None else format.upper()) as f:
        enc, bits = _ENCODING.get(f.subtype, (f.subtype, 0))
        if f.format == "FLAC":
            enc = "FLAC"
        return AudioMetaData(int(f.samplerate), int(f.frames), int(f.channels), bits, enc)


def load(uri, frame_offset=0, num_frames=-1, normalize=True, channels_first=True, format=None, buffer_size=4096,
         backend=None):
    """torchaudio.load: ``(Tensor[C, N], sample_rate)``. float32 in [-1, 1]; ``normalize=False`` gives integer
    WAV's and FLAC's own dtype (int16, int32 for 24/32-bit, uint8), as torchaudio's sox backend does (0.13, live);
    float WAV, Vorbis and MP3 stay float32."""
    _check_backend(backend)
    if frame_offset < 0:
        raise ValueError(f"frame_offset={frame_offset}: must be >= 0")
    if num_frames == 0 or num_frames < -1:
        raise ValueError(f"num_frames={num_frames}: must be -1 (to the end) or positive")
    if (normalize and frame_offset == 0 and num_frames == -1 and format is None and isinstance(uri, (str, os.PathLike))
            and os.path.splitext(os.fspath(uri))[1].lower() in (".wav", ".flac")):
        # melnorm's own decoder (libsndfile underneath, no Python file object): the same float32 samples
        # (tests/python/test_compat_torchaudio.py), several times faster per file
        from melnorm import _melnorm
        y, rate = _melnorm.load_window(os.fspath(uri), None, False, 0.0, None)
        t = torch.from_numpy(y)
        return (t if channels_first else t.T.contiguous()), int(rate)
    sf = _sf()
    src = _source(uri)
    with sf.SoundFile(src, format=None if format is None else format.upper()) as f:
        dtype, post = "float32", None
        if not normalize and f.format in ("WAV", "FLAC"):
            if f.subtype == "PCM_16":
                dtype = "int16"
            elif f.subtype in ("PCM_24", "PCM_32"):
                dtype = "int32"
            elif f.subtype == "PCM_U8":
                dtype, post = "int16", lambda a: ((a >> 8) + 128).astype(np.uint8)
        if frame_offset:
            if f.seekable():
                f.seek(min(frame_offset, f.frames))
            else:
                f.read(frame_offset, dtype=dtype)
        data = f.read(num_frames, dtype=dtype, always_2d=True)
        rate = int(f.samplerate)
    if post is not None:
        data = post(data)
    t = torch.from_numpy(np.ascontiguousarray(data.T if channels_first else data))
    return t, rate


_FORMATS = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG", "vorbis": "OGG"}


def _subtype(fmt, encoding, bits, dtype):
    if fmt == "OGG":
        if encoding not in (None, "VORBIS") or bits is not None:
            raise ValueError(f"encoding={encoding!r}, bits_per_sample={bits!r}: for OGG allowed are encoding=None or "
                             f"'VORBIS' and bits_per_sample=None")
        return "VORBIS"
    default = {torch.int16: ("PCM_S", 16), torch.int32: ("PCM_S", 32), torch.uint8: ("PCM_U", 8),
               torch.float64: ("PCM_F", 64)}.get(dtype, ("PCM_F", 32))
    if fmt == "FLAC":
        if encoding not in (None, "FLAC"):
            raise ValueError(f"encoding={encoding!r}: for FLAC allowed is None or 'FLAC'")
        bits = 24 if bits is None else bits
        if bits not in (8, 16, 24):
            raise ValueError(f"bits_per_sample={bits}: for FLAC allowed are 8, 16, 24")
        return {8: "PCM_S8", 16: "PCM_16", 24: "PCM_24"}[bits]
    if encoding is None:
        encoding = default[0] if bits is None or default[0] != "PCM_F" or bits in (32, 64) else "PCM_S"
    if bits is None:
        bits = default[1] if encoding == default[0] else {"PCM_S": 16, "PCM_U": 8, "PCM_F": 32}.get(encoding, 8)
    allowed = {("PCM_S", 16): "PCM_16", ("PCM_S", 24): "PCM_24", ("PCM_S", 32): "PCM_32", ("PCM_U", 8): "PCM_U8",
               ("PCM_F", 32): "FLOAT", ("PCM_F", 64): "DOUBLE", ("ULAW", 8): "ULAW", ("ALAW", 8): "ALAW"}
    if (encoding, bits) not in allowed:
        raise ValueError(f"encoding={encoding!r} with bits_per_sample={bits}: for WAV allowed are PCM_S 16/24/32, "
                         f"PCM_U 8, PCM_F 32/64, ULAW 8, ALAW 8")
    return allowed[(encoding, bits)]


def _as_written(src, subtype):
    """Samples for libsndfile that write exactly what torchaudio writes (x * 2^(bits-1), rounded, clipped)."""
    x = src
    if x.dtype == torch.int16:
        x = x.double() / 32768.0
    elif x.dtype == torch.int32:
        x = x.double() / 2147483648.0
    elif x.dtype == torch.uint8:
        x = (x.double() - 128.0) / 128.0
    elif x.is_floating_point():
        x = x.double()
    else:
        raise ValueError(f"src dtype {src.dtype}: allowed are float32, float64, int32, int16, uint8")
    a = x.numpy()
    if subtype in ("PCM_16", "PCM_S8"):
        scale = 32768 if subtype == "PCM_16" else 128
        q = np.clip(np.round(a * scale), -scale, scale - 1).astype(np.int64)
        return (q * (32768 // scale)).astype(np.int16)
    if subtype == "PCM_U8":
        return (np.clip(np.round(a * 128), -128, 127).astype(np.int64) * 256).astype(np.int16)
    if subtype == "PCM_24":
        return (np.clip(np.round(a * 8388608), -8388608, 8388607).astype(np.int64) * 256).astype(np.int32)
    if subtype == "PCM_32":
        return np.clip(np.round(a * 2147483648.0), -2147483648, 2147483647).astype(np.int32)
    if subtype == "DOUBLE":
        return a
    return a.astype(np.float32)


def save(uri, src, sample_rate, channels_first=True, format=None, encoding=None, bits_per_sample=None,
         buffer_size=4096, backend=None, compression=None):
    """torchaudio.save: WAV (PCM_S/PCM_U/PCM_F/ULAW/ALAW), FLAC, OGG/Vorbis. A path is written atomically:
    a temporary name in the same folder, renamed over ``uri`` once complete (no partial file on error)."""
    _check_backend(backend)
    if compression is not None:
        raise ValueError(f"compression={compression!r}: not supported here; allowed: None")
    if not isinstance(src, torch.Tensor) or src.dim() not in (1, 2):
        raise ValueError("src must be a 1-D or 2-D torch.Tensor ([channels, time] with channels_first)")
    if src.dim() == 1:
        src = src.unsqueeze(0) if channels_first else src.unsqueeze(1)
    src = src.detach().cpu()
    if channels_first:
        src = src.t()
    is_file = hasattr(uri, "write") and not isinstance(uri, (str, bytes, os.PathLike))
    name = None if is_file else os.fspath(uri)
    if format is None:
        if is_file:
            raise ValueError("format: needed when uri is a file-like object; allowed: 'wav', 'flac', 'ogg'")
        format = os.path.splitext(name)[1][1:]
    fmt = _FORMATS.get(str(format).lower())
    if fmt is None:
        raise ValueError(f"format={format!r}: allowed are 'wav', 'flac', 'ogg'")
    subtype = _subtype(fmt, encoding, bits_per_sample, src.dtype)
    data = _as_written(src.contiguous(), subtype)
    sf = _sf()
    if is_file:
        buf = io.BytesIO()
        sf.write(buf, data, int(sample_rate), subtype=subtype, format=fmt)
        uri.write(buf.getvalue())
        return
    folder = os.path.dirname(os.path.abspath(name))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(name) + ".", suffix=".tmp")
    os.close(fd)
    try:
        sf.write(tmp, data, int(sample_rate), subtype=subtype, format=fmt)
        os.replace(tmp, name)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
