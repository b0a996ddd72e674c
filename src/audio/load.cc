// load_audio and audio_info: the decoder a file's extension selects, then
// what every input goes through (the finite check, mono mixing, resampling).
#include <algorithm>
#include <cctype>
#include <cmath>

#include "audio/decoder.h"
#include "melnorm/error.h"

namespace melnorm {

namespace detail {

extern const Decoder kNpyDecoder;      // decoders/npy_decoder.cc
extern const Decoder kSndfileDecoder;  // decoders/sndfile_decoder.cc
extern const Decoder kVorbisDecoder;   // decoders/vorbis_decoder.cc

const std::vector<const Decoder*>& decoders() {
  static const std::vector<const Decoder*> all = {&kNpyDecoder, &kVorbisDecoder, &kSndfileDecoder};
  return all;
}

const Decoder& decoder_for(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const Decoder* d : decoders())
    if (std::find(d->extensions.begin(), d->extensions.end(), ext) != d->extensions.end()) return *d;
  return *decoders().back();
}

std::unique_ptr<AudioReader> open_reader(const std::filesystem::path& path) {
  const Decoder& d = decoder_for(path);
  return d.open ? d.open(path) : nullptr;
}

void check_window(const LoadOptions& options) {
  if (!(options.offset >= 0.0) || !std::isfinite(options.offset))
    throw_invalid_argument("offset", "offset=" + std::to_string(options.offset) + " must be >= 0 seconds");
  if (options.duration && (!(*options.duration >= 0.0) || !std::isfinite(*options.duration)))
    throw_invalid_argument("duration",
                           "duration=" + std::to_string(*options.duration) + " must be >= 0 seconds (or None)");
}

}  // namespace detail

std::string audio_formats_description() {
  std::string text;
  for (const detail::Decoder* d : detail::decoders()) {
    std::string extensions;
    for (const auto& e : d->extensions) extensions += (extensions.empty() ? "" : ", ") + e;
    text += (text.empty() ? "" : "; ") + d->name + " (" + extensions +
            (d->stores_rate ? "" : "; no sample rate stored") + ")";
  }
  return text;
}

bool is_audio_path(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const detail::Decoder* d : detail::decoders())
    if (std::find(d->extensions.begin(), d->extensions.end(), ext) != d->extensions.end()) return true;
  return false;
}

bool stores_sample_rate(const std::filesystem::path& path) { return detail::decoder_for(path).stores_rate; }

AudioInfo audio_info(const std::filesystem::path& path) { return detail::decoder_for(path).info(path); }

Audio load_audio(const std::filesystem::path& path, const LoadOptions& options) {
  Audio audio = detail::decoder_for(path).decode(path, options);
  check_finite(audio.samples, path.string());
  if (options.mono) mix_to_mono(audio);
  if (audio.frames() == 0) {  // an empty window: nothing to resample
    if (options.sample_rate) audio.sample_rate = *options.sample_rate;
    return audio;
  }
  if (options.sample_rate) {
    try {
      resample(audio, *options.sample_rate);
    } catch (const Error& e) {
      const bool about_file = e.code() == ErrorCode::kInvalidData;  // its rate or length, not the option
      throw Error(e.code(), about_file ? "path" : e.param(), path.string() + ": " + e.raw_message());
    }
  }
  return audio;
}

}  // namespace melnorm
