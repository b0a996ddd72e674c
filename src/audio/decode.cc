// Decoding through libsndfile: WAV (PCM 8/16/24/32, float), FLAC,
// OGG/Vorbis, MP3 and the other formats libsndfile reads.
#include <sndfile.h>

#include <memory>

#include "core/format.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"

namespace melnorm {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

SndfilePtr open_for_reading(const std::filesystem::path& path, SF_INFO& info) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(ErrorCode::kIo, "path", path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(ErrorCode::kIo, "path", path.string() + ": is a directory, not an audio file");
  info = SF_INFO{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f)
    throw Error(ErrorCode::kIo, "path", path.string() + ": cannot decode audio: " + sf_strerror(nullptr) +
                                            " (supported: WAV, FLAC, OGG/Vorbis, MP3, AIFF, ... via libsndfile; "
                                            "raw waveforms as .npy)");
  return SndfilePtr(f);
}

std::string format_name(int format) {
  SF_FORMAT_INFO fi{};
  fi.format = format;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name) return fi.name;
  return "unknown";
}

}  // namespace

AudioInfo audio_info(const std::filesystem::path& path) {
  SF_INFO info;
  SndfilePtr f = open_for_reading(path, info);
  AudioInfo out;
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.frames = info.frames;
  out.duration = info.samplerate > 0 ? static_cast<double>(info.frames) / info.samplerate : 0.0;
  out.format = format_name(info.format & SF_FORMAT_TYPEMASK);
  out.subtype = format_name(info.format & SF_FORMAT_SUBMASK);
  return out;
}

Audio load_audio(const std::filesystem::path& path, const LoadOptions& options) {
  SF_INFO info;
  SndfilePtr f = open_for_reading(path, info);
  if (info.channels <= 0 || info.samplerate <= 0)
    throw Error(ErrorCode::kInvalidData, "path", path.string() + ": invalid header (channels=" +
                                                     std::to_string(info.channels) + ", samplerate=" +
                                                     std::to_string(info.samplerate) + ")");
  // Read in blocks until the decoder stops: frame counts of compressed
  // formats (MP3) are estimates, so they only size the first allocation.
  const int ch = info.channels;
  std::vector<float> interleaved;
  if (info.frames > 0) interleaved.reserve(static_cast<std::size_t>(info.frames) * ch);
  constexpr sf_count_t kBlock = 1 << 16;
  std::vector<float> block(static_cast<std::size_t>(kBlock) * ch);
  for (;;) {
    const sf_count_t got = sf_readf_float(f.get(), block.data(), kBlock);
    if (got <= 0) break;
    interleaved.insert(interleaved.end(), block.begin(), block.begin() + got * ch);
  }
  if (sf_error(f.get()) != SF_ERR_NO_ERROR)
    throw Error(ErrorCode::kInvalidData, "path", path.string() + ": decoding failed after " +
                                                     std::to_string(interleaved.size() / ch) +
                                                     " frames: " + sf_strerror(f.get()));
  const std::size_t frames = interleaved.size() / ch;
  if (frames == 0) throw Error(ErrorCode::kInvalidData, "path", path.string() + ": contains no audio (0 frames)");

  Audio audio;
  audio.sample_rate = info.samplerate;
  audio.channels = ch;
  audio.samples.resize(interleaved.size());
  for (std::size_t i = 0; i < frames; ++i)
    for (int c = 0; c < ch; ++c) audio.samples[c * frames + i] = interleaved[i * ch + c];
  check_finite(audio.samples, path.string());

  if (options.mono) mix_to_mono(audio);
  if (options.sample_rate) resample(audio, *options.sample_rate);
  return audio;
}

}  // namespace melnorm
