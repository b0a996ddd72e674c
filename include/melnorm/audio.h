// Audio input (src/audio/): files through registered decoders — libsndfile
// (WAV, FLAC, OGG/Vorbis, MP3, ...) and raw waveforms in .npy —, mono mixing
// and libsoxr resampling. A decoder is chosen by the file's extension.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace melnorm {

struct Audio {
  int sample_rate = 0;  // Hz
  int channels = 0;
  std::vector<float> samples;  // channels-first: [channels][frames], in [-1, 1] for PCM

  std::size_t frames() const { return channels ? samples.size() / channels : 0; }
  std::span<const float> channel(int c) const { return {samples.data() + c * frames(), frames()}; }
};

struct AudioInfo {
  int sample_rate = 0;  // Hz; 0 when the file stores none (.npy)
  int channels = 0;
  std::int64_t frames = 0;  // samples per channel
  double duration = 0.0;    // seconds
  std::string format;       // container, e.g. "WAV (Microsoft)"
  std::string subtype;      // encoding, e.g. "Signed 16 bit PCM"
};

struct LoadOptions {
  // Resample to this rate (Hz); unset keeps the file's. A file that stores no
  // rate (.npy) is taken to be at this rate, and needs it.
  std::optional<int> sample_rate;
  bool mono = true;                // average the channels, as librosa.load does
  double offset = 0.0;             // seconds to skip (seeked, not decoded, where the format allows)
  std::optional<double> duration;  // seconds to read from offset; unset reads to the end
  // With offset or duration set, a window past the end gives 0 frames (as
  // librosa.load), not an error.
};

// True when a decoder claims the path's extension (what a folder listing reads).
bool is_audio_path(const std::filesystem::path& path);
// False for files that hold no sample rate (.npy waveforms): sr must be given.
bool stores_sample_rate(const std::filesystem::path& path);
// The readable inputs, from the registered decoders, for help texts:
// "NumPy .npy (.npy; no sample rate stored); libsndfile (.wav, .flac, ...)".
std::string audio_formats_description();

// Reads the header of an audio file. Throws Error(kIo) with the decoder's reason.
AudioInfo audio_info(const std::filesystem::path& path);

// Decodes an audio file. Throws Error for unreadable, empty or NaN/Inf audio.
// A .npy waveform: float32, float64 or int16 (scaled by 1/32768), 1-D
// [samples] or 2-D channels-first [channels, samples], at options.sample_rate.
Audio load_audio(const std::filesystem::path& path, const LoadOptions& options = {});

// Averages channels (in place: the result has one channel).
void mix_to_mono(Audio& audio);

// Resamples every channel with libsoxr's high quality (librosa's default
// "soxr_hq"); the output has ceil(frames * to / from) frames, as librosa.
void resample(Audio& audio, int target_rate);

// Throws Error(kInvalidData) naming `what` and the first NaN/Inf index, or
// the first sample above 1e12 in magnitude (its power would overflow float32).
void check_finite(std::span<const float> samples, const std::string& what);

}  // namespace melnorm
