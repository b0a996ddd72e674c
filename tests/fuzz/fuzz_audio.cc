// Audio decoding (libsndfile: WAV, FLAC, OGG, MP3 by content) and resampling,
// as extract does with --sr: the first byte picks the target rate.
#include "fuzz_util.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char* extensions[] = {".wav", ".flac", ".ogg", ".mp3"};
  static const int rates[] = {0, 8000, 16000, 22050};
  melnorm::fuzz::InputFile file(data + 1, size - 1, extensions[data[0] % 4]);
  try {
    melnorm::LoadOptions o;
    if (const int r = rates[(data[0] >> 2) % 4]) o.sample_rate = r;
    (void)melnorm::load_audio(file.path(), o);
  } catch (const melnorm::Error&) {}
  return 0;
}
