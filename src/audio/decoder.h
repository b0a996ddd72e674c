// Decoders: what turns a file into samples. Adding one is its source file
// src/audio/decoders/<name>_decoder.cc (defining a Decoder) and a line in
// decoders() (src/audio/load.cc); the folder is globbed by CMake.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "melnorm/audio.h"

namespace melnorm::detail {

// A file decoded block by block, at its own rate (not mixed or resampled).
class AudioReader {
 public:
  virtual ~AudioReader() = default;
  virtual int sample_rate() const = 0;
  virtual int channels() const = 0;
  virtual std::size_t frames_hint() const = 0;  // the header's frame count (an estimate for MP3; 0: unknown)
  // Up to `frames` interleaved frames into `out`; 0 at the end. Throws Error when decoding fails.
  virtual std::size_t read(float* out, std::size_t frames) = 0;
  // After the last read: what the whole-file decode says at its end (no audio at all is an Error; a header
  // promising more than the file holds, a warning).
  virtual void finish() = 0;
};

struct Decoder {
  std::string name;                     // for messages: "libsndfile", "NumPy .npy"
  std::vector<std::string> extensions;  // lower case with the dot: what a folder listing picks up
  bool stores_rate = true;              // false: the file holds no sample rate (LoadOptions::sample_rate is it)
  // The header: rate (0 when the file stores none), channels, frames, format.
  AudioInfo (*info)(const std::filesystem::path& path) = nullptr;
  // The samples, channels-first, of the window options.offset/duration, at
  // the file's rate; not yet checked, mixed or resampled (load_audio does that).
  Audio (*decode)(const std::filesystem::path& path, const LoadOptions& options) = nullptr;
  // Optional: the same samples as decode() without a window, block by block (nullptr: decode() only).
  std::unique_ptr<AudioReader> (*open)(const std::filesystem::path& path) = nullptr;
};

// The registered decoders; the last (libsndfile, which recognises files by
// their content) takes every extension the others do not claim.
const std::vector<const Decoder*>& decoders();
const Decoder& decoder_for(const std::filesystem::path& path);
// The file's reader when its decoder streams (nullptr otherwise).
std::unique_ptr<AudioReader> open_reader(const std::filesystem::path& path);

// Throws for a negative or non-finite LoadOptions offset or duration.
void check_window(const LoadOptions& options);

}  // namespace melnorm::detail
