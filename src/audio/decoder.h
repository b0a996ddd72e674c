// Decoders: what turns a file into samples. Adding one is its source file
// src/audio/decoders/<name>_decoder.cc (defining a Decoder) and a line in
// decoders() (src/audio/load.cc); the folder is globbed by CMake.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "melnorm/audio.h"

namespace melnorm::detail {

struct Decoder {
  std::string name;                     // for messages: "libsndfile", "NumPy .npy"
  std::vector<std::string> extensions;  // lower case with the dot: what a folder listing picks up
  bool stores_rate = true;              // false: the file holds no sample rate (LoadOptions::sample_rate is it)
  // The header: rate (0 when the file stores none), channels, frames, format.
  AudioInfo (*info)(const std::filesystem::path& path) = nullptr;
  // The samples, channels-first, of the window options.offset/duration, at
  // the file's rate; not yet checked, mixed or resampled (load_audio does that).
  Audio (*decode)(const std::filesystem::path& path, const LoadOptions& options) = nullptr;
};

// The registered decoders; the last (libsndfile, which recognises files by
// their content) takes every extension the others do not claim.
const std::vector<const Decoder*>& decoders();
const Decoder& decoder_for(const std::filesystem::path& path);

// Throws for a negative or non-finite LoadOptions offset or duration.
void check_window(const LoadOptions& options);

}  // namespace melnorm::detail
