// Decoding through libsndfile: WAV (PCM 8/16/24/32, float), FLAC,
// OGG/Vorbis, MP3 and the other formats libsndfile reads.
#include <sndfile.h>

#include <algorithm>
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
  // Read until the decoder stops: frame counts of compressed formats (MP3)
  // are estimates, so they only size the buffer, which grows if needed.
  const int ch = info.channels;
  std::vector<float> interleaved(static_cast<std::size_t>(std::max<sf_count_t>(info.frames, 1)) * ch);
  std::vector<float> probe(static_cast<std::size_t>(4096) * ch);
  std::size_t frames = 0;
  for (;;) {
    const std::size_t room = interleaved.size() / ch - frames;
    if (room > 0) {
      const sf_count_t got = sf_readf_float(f.get(), interleaved.data() + frames * ch, static_cast<sf_count_t>(room));
      if (got <= 0) break;
      frames += static_cast<std::size_t>(got);
    } else {  // full: probe for more before growing (usually there is none)
      const sf_count_t got = sf_readf_float(f.get(), probe.data(), 4096);
      if (got <= 0) break;
      interleaved.resize(interleaved.size() * 3 / 2 + static_cast<std::size_t>(got) * ch);
      std::copy_n(probe.begin(), got * ch, interleaved.begin() + frames * ch);
      frames += static_cast<std::size_t>(got);
    }
  }
  if (sf_error(f.get()) != SF_ERR_NO_ERROR)
    throw Error(ErrorCode::kInvalidData, "path", path.string() + ": decoding failed after " +
                                                     std::to_string(frames) + " frames: " + sf_strerror(f.get()));
  if (frames == 0) throw Error(ErrorCode::kInvalidData, "path", path.string() + ": contains no audio (0 frames)");
  interleaved.resize(frames * ch);

  Audio audio;
  audio.sample_rate = info.samplerate;
  audio.channels = ch;
  if (ch == 1) {
    audio.samples = std::move(interleaved);
  } else {  // to channels-first
    audio.samples.resize(interleaved.size());
    for (std::size_t i = 0; i < frames; ++i)
      for (int c = 0; c < ch; ++c) audio.samples[c * frames + i] = interleaved[i * ch + c];
  }
  check_finite(audio.samples, path.string());

  if (options.mono) mix_to_mono(audio);
  if (options.sample_rate) resample(audio, *options.sample_rate);
  return audio;
}

}  // namespace melnorm
