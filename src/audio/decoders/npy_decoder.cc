// The .npy waveform decoder: float32, float64 or int16 (scaled by 1/32768),
// 1-D [samples] or 2-D channels-first [channels, samples]. The file stores no
// sample rate: LoadOptions::sample_rate (sr) is the waveform's rate.
#include <cmath>

#include "audio/decoder.h"
#include "core/format.h"
#include "io/limits.h"
#include "melnorm/error.h"
#include "melnorm/npy.h"

namespace melnorm::detail {
namespace {

namespace fs = std::filesystem;

// The array's [channels, frames], checked as a waveform.
std::pair<std::size_t, std::size_t> waveform_shape(const NpyArray& array, const fs::path& path) {
  if (array.dtype != DType::kFloat32 && array.dtype != DType::kFloat64 && array.dtype != DType::kInt16)
    throw Error(ErrorCode::kInvalidData, "y",
                path.string() + ": waveform dtype " + to_string(array.dtype) +
                    " is not supported; allowed: float32, float64, int16");
  if (array.shape.empty() || array.shape.size() > 2)
    throw Error(ErrorCode::kInvalidData, "y",
                path.string() + ": waveform must be 1-D [samples] or 2-D channels-first [channels, samples], got " +
                    std::to_string(array.shape.size()) + "-D");
  if (array.shape.size() == 2 && array.shape[0] > kMaxChannels)
    throw Error(ErrorCode::kInvalidData, "y",
                path.string() + ": waveform has " + std::to_string(array.shape[0]) + " channels; at most " +
                    std::to_string(kMaxChannels) + " (it must be channels-first [channels, samples])");
  if (array.shape.size() == 1) return {1, array.shape[0]};
  return {array.shape[0], array.shape[1]};
}

AudioInfo npy_info(const fs::path& path) {
  const NpyArray array = read_npy(path);
  const auto [channels, frames] = waveform_shape(array, path);
  AudioInfo info;
  info.channels = static_cast<int>(channels);
  info.frames = static_cast<std::int64_t>(frames);
  info.format = "NumPy .npy";
  info.subtype = to_string(array.dtype);
  return info;  // sample_rate 0: not stored
}

Audio npy_decode(const fs::path& path, const LoadOptions& options) {
  if (!options.sample_rate)
    throw_invalid_argument(
        "sr", "sr is required for a .npy waveform: it is the waveform's sample rate in Hz (" + path.string() + ")");
  if (*options.sample_rate <= 0)
    throw_invalid_argument(
        "sr", "sr=" + std::to_string(*options.sample_rate) + " must be the waveform's positive sample rate in Hz");
  check_window(options);
  const NpyArray array = read_npy(path);
  const auto [channels, frames] = waveform_shape(array, path);
  Audio audio;
  audio.sample_rate = *options.sample_rate;
  audio.channels = static_cast<int>(channels);
  audio.samples = array.to_float32(/*scale_int16=*/true);
  const bool window = options.offset != 0.0 || options.duration.has_value();
  if (!window && (audio.samples.empty() || channels == 0))
    throw Error(ErrorCode::kInvalidData, "y", path.string() + ": waveform is empty (0 samples)");
  if (!window) return audio;
  // librosa.load's window: start = floor(offset * sr), floor(duration * sr) frames, cut at the end.
  const auto start = static_cast<std::size_t>(std::min<double>(std::floor(options.offset * audio.sample_rate), frames));
  std::size_t count = frames - start;
  if (options.duration)
    count = std::min<std::size_t>(count, static_cast<std::size_t>(std::floor(*options.duration * audio.sample_rate)));
  std::vector<float> cut(channels * count);
  for (std::size_t c = 0; c < channels; ++c)
    std::copy_n(audio.samples.begin() + static_cast<std::ptrdiff_t>(c * frames + start), count,
                cut.begin() + static_cast<std::ptrdiff_t>(c * count));
  audio.samples = std::move(cut);
  return audio;
}

}  // namespace

extern const Decoder kNpyDecoder;
const Decoder kNpyDecoder{
    .name = "NumPy .npy",
    .extensions = {".npy"},
    .stores_rate = false,
    .info = npy_info,
    .decode = npy_decode,
};

}  // namespace melnorm::detail
