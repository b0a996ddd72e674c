"""melnorm's Whisper preset against the Whisper recipe in torch and in NumPy, side by side in one run.

--clips deterministic clips of --seconds s at 16 kHz (seeded noise plus tones, float32, in memory), each
padded to Whisper's 30 s; every peer computes the same clips one by one, on one thread:
  melnorm:      melnorm.Pipeline(preset="whisper")(clip)  -> [80, 3000]
  torch:        openai-whisper's log_mel_spectrogram(pad_or_trim(clip)): torch.stft(400, 160, hann, reflect),
                |X|^2 without the last frame, librosa's Slaney filters @, log10(max(., 1e-10)), max - 8, (x + 4) / 4
  numpy:        transformers' WhisperFeatureExtractor NumPy path (audio_utils.spectrogram: a Python loop over
                frames, float64 rfft; mel_filter_bank slaney/slaney), on the first --numpy-clips clips only
The peers alternate within each of --repeats rounds; per-clip times are the medians of the rounds.
Prints them, the ratios (goal: melnorm >= 20x the torch recipe) and the max |diff| of every output
against the torch recipe (melnorm's tolerance: 0.03, log10 domain). Where the Pipeline takes a batch
[B, samples], that is one extra line (same thread count), not the main figure.

  OMP_NUM_THREADS=1 PYTHONPATH=build/python /usr/bin/python3 bench/whisper_frontend.py \
      [--clips 1000] [--seconds 10] [--numpy-clips 100] [--repeats 3] [--batch 100]
"""
import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy and torch load their BLAS

import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import melnorm  # noqa: E402

SR, N_FFT, HOP, N_MELS, N_SAMPLES = 16000, 400, 160, 80, 480000  # whisper/audio.py


def make_clips(n, seconds, seed=0):
    """[n, samples] float32: per clip, noise at a random level plus three tones with a slow envelope."""
    t = np.arange(int(seconds * SR)) / SR
    out = np.empty((n, t.size), np.float32)
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        y = rng.uniform(0.005, 0.05) * rng.standard_normal(t.size)
        for f, a, ph in zip(rng.uniform(80, 7000, 3), rng.uniform(0.02, 0.3, 3), rng.uniform(0, 2 * np.pi, 3)):
            y += a * np.sin(2 * np.pi * f * t + ph) * (0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.1, 2) * t))
        out[i] = y
    return out


# librosa.filters.mel(sr=16000, n_fft=400, n_mels=80), as whisper's assets/mel_filters.npz holds it:
# Slaney's mel scale (linear below 1 kHz, log above) and Slaney's norm (2 / band width), float32.
def slaney_hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    lin = f / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def slaney_mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    return np.where(m >= 15.0, 1000.0 * np.exp(np.log(6.4) / 27.0 * (m - 15.0)), m * (200.0 / 3))


def librosa_mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=0.0, fmax=None):
    fmax = sr / 2 if fmax is None else fmax
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = slaney_mel_to_hz(np.linspace(slaney_hz_to_mel(fmin), slaney_hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, fftfreqs.size), np.float32)
    for i in range(n_mels):
        weights[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights


# (a) openai-whisper, whisper/audio.py: pad_or_trim + log_mel_spectrogram (filters cached, as its lru_cache does).
class TorchWhisper:
    def __init__(self):
        self.filters = torch.from_numpy(librosa_mel())

    def __call__(self, audio):
        audio = torch.from_numpy(audio)
        if audio.shape[-1] > N_SAMPLES:
            audio = audio[..., :N_SAMPLES]
        if audio.shape[-1] < N_SAMPLES:
            audio = torch.nn.functional.pad(audio, (0, N_SAMPLES - audio.shape[-1]))
        window = torch.hann_window(N_FFT)
        stft = torch.stft(audio, N_FFT, HOP, window=window, return_complex=True)
        magnitudes = stft[..., :-1].abs() ** 2
        mel_spec = self.filters @ magnitudes
        log_spec = torch.clamp(mel_spec, min=1e-10).log10()
        log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
        return (log_spec + 4.0) / 4.0


# (b) transformers' WhisperFeatureExtractor without torch: pad to n_samples, then _np_extract_fbank_features,
# i.e. audio_utils.spectrogram(window_function(400, "hann"), frame_length=400, hop_length=160, power=2.0,
# mel_filters=mel_filter_bank(..., norm="slaney", mel_scale="slaney"), log_mel="log10"), [:, :-1], max - 8, (x + 4) / 4.
def hf_mel_filter_bank(num_frequency_bins=1 + N_FFT // 2, num_mel_filters=N_MELS, min_frequency=0.0,
                       max_frequency=8000.0, sampling_rate=SR):
    mel_freqs = np.linspace(slaney_hz_to_mel(min_frequency), slaney_hz_to_mel(max_frequency), num_mel_filters + 2)
    filter_freqs = slaney_mel_to_hz(mel_freqs)
    fft_freqs = np.linspace(0, sampling_rate // 2, num_frequency_bins)
    filter_diff = np.diff(filter_freqs)
    slopes = filter_freqs[None, :] - fft_freqs[:, None]
    down, up = -slopes[:, :-2] / filter_diff[:-1], slopes[:, 2:] / filter_diff[1:]
    filters = np.maximum(np.zeros(1), np.minimum(down, up))
    filters *= (2.0 / (filter_freqs[2:num_mel_filters + 2] - filter_freqs[:num_mel_filters]))[None, :]
    return filters  # [bins, mels], float64


def hf_window_function(window_length, periodic=True):
    window = np.hanning(window_length + 1 if periodic else window_length)
    return window[:-1] if periodic else window


def hf_spectrogram(waveform, window, frame_length, hop_length, power=2.0, mel_filters=None, mel_floor=1e-10,
                   log_mel="log10", dtype=np.float32):
    """audio_utils.spectrogram's path for these arguments (center=True, pad_mode="reflect", onesided, no dither,
    no pre-emphasis, fft_length = frame_length): frame by frame in float64, as transformers does it."""
    fft_length = frame_length
    waveform = np.pad(waveform, [(frame_length // 2, frame_length // 2)], mode="reflect")
    waveform = waveform.astype(np.float64)
    window = window.astype(np.float64)
    num_frames = int(1 + np.floor((waveform.size - frame_length) / hop_length))
    spec = np.empty((num_frames, fft_length // 2 + 1), dtype=np.complex64)
    buffer = np.zeros(fft_length)
    timestep = 0
    for frame_idx in range(num_frames):
        buffer[:frame_length] = waveform[timestep:timestep + frame_length]
        buffer[:frame_length] *= window
        spec[frame_idx] = np.fft.rfft(buffer)
        timestep += hop_length
    spec = np.abs(spec, dtype=np.float64) ** power
    spec = spec.T
    spec = np.maximum(mel_floor, np.dot(mel_filters.T, spec))
    assert log_mel == "log10"
    spec = np.log10(spec)
    return np.asarray(spec, dtype)


class NumpyWhisper:
    def __init__(self):
        self.mel_filters = hf_mel_filter_bank()

    def __call__(self, audio):
        audio = audio[:N_SAMPLES]
        if audio.size < N_SAMPLES:  # SequenceFeatureExtractor.pad(padding="max_length"), zeros
            audio = np.pad(audio, (0, N_SAMPLES - audio.size), constant_values=0.0)
        log_spec = hf_spectrogram(audio, hf_window_function(N_FFT), frame_length=N_FFT, hop_length=HOP,
                                  power=2.0, mel_filters=self.mel_filters, log_mel="log10")
        log_spec = log_spec[:, :-1]
        log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
        return (log_spec + 4.0) / 4.0


def per_clip(fn, clips):
    t0 = time.perf_counter()
    for y in clips:
        fn(y)
    return (time.perf_counter() - t0) / len(clips)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--numpy-clips", type=int, default=100, help="clips the (slow) NumPy recipe is timed on")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=100, help="clips per Pipeline batch call (extra line; 0: skip)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    # One note per call that 3001 frames become 3000 (as Whisper's own recipe does): known, silenced here.
    warnings.filterwarnings("ignore", message=".*target_frames=3000 keeps the first 3000")

    t0 = time.perf_counter()
    clips = make_clips(a.clips, a.seconds)
    print(f"{a.clips} clips of {a.seconds:g} s at 16 kHz made in {time.perf_counter() - t0:.1f} s; "
          f"one thread (torch {torch.get_num_threads()}), median of {a.repeats} rounds")
    n_np = min(a.numpy_clips, a.clips)

    pipe = melnorm.Pipeline(preset="whisper")
    tw, nw = TorchWhisper(), NumpyWhisper()

    filt = melnorm.filters_mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS)
    print(f"  filters: librosa-style (ours) vs melnorm.filters_mel max |diff| {np.abs(filt - tw.filters.numpy()).max():.2e}, "
          f"vs transformers-style {np.abs(nw.mel_filters.T - tw.filters.numpy()).max():.2e}")

    pipe(clips[0]), tw(clips[0]), nw(clips[0])  # warm-up: plans, caches, first-touch
    times = {"melnorm": [], "torch": [], "numpy": [], "batch": []}
    for r in range(a.repeats):
        times["melnorm"].append(per_clip(pipe, clips))
        times["torch"].append(per_clip(tw, clips))
        times["numpy"].append(per_clip(nw, clips[:n_np]))
        if a.batch > 0:
            t0 = time.perf_counter()
            for i in range(0, a.clips, a.batch):
                pipe(clips[i:i + a.batch])
            times["batch"].append((time.perf_counter() - t0) / a.clips)
    med = {k: statistics.median(v) for k, v in times.items() if v}

    # Agreement, outside the timing: every clip melnorm vs torch, the NumPy subset vs torch.
    d_mel, d_np, shapes = 0.0, 0.0, set()
    for i, y in enumerate(clips):
        want = tw(y).numpy()
        got = pipe(y)
        shapes.add((got.shape, tuple(want.shape)))
        d_mel = max(d_mel, float(np.abs(got - want).max()))
        if i < n_np:
            d_np = max(d_np, float(np.abs(nw(y) - want).max()))
    d_batch = None
    if a.batch > 0:
        got = pipe(clips[:a.batch])
        d_batch = float(np.abs(got - np.stack([pipe(y) for y in clips[:a.batch]])).max())

    m = med["melnorm"]
    print(f"  melnorm Pipeline(preset='whisper'), per clip:  {m * 1e3:8.2f} ms   (rounds: "
          + ", ".join(f"{t * 1e3:.2f}" for t in times["melnorm"]) + ")")
    print(f"  torch Whisper recipe, per clip:                {med['torch'] * 1e3:8.2f} ms   (rounds: "
          + ", ".join(f"{t * 1e3:.2f}" for t in times["torch"]) + ")")
    print(f"  NumPy transformers recipe, per clip ({n_np} clips): {med['numpy'] * 1e3:8.2f} ms   (rounds: "
          + ", ".join(f"{t * 1e3:.2f}" for t in times["numpy"]) + ")")
    if "batch" in med:
        print(f"  extra: melnorm batch [{a.batch}, samples], n_threads=1, per clip: {med['batch'] * 1e3:.2f} ms "
              f"({med['torch'] / med['batch']:.1f}x torch); batch vs per-clip max |diff| {d_batch:.1e}")
    print(f"  ratio vs torch recipe: {med['torch'] / m:.1f}x   (goal >= 20x: {'met' if med['torch'] / m >= 20 else 'NOT met'})")
    print(f"  ratio vs NumPy recipe: {med['numpy'] / m:.1f}x")
    print(f"  shapes (melnorm, torch): {sorted(shapes)}")
    print(f"  max |diff| vs torch recipe: melnorm {d_mel:.2e} (tolerance 0.03: {'ok' if d_mel <= 0.03 else 'EXCEEDED'}), "
          f"NumPy recipe {d_np:.2e} ({n_np} clips)")


if __name__ == "__main__":
    main()
