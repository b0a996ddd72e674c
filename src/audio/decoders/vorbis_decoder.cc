// Ogg/Vorbis (.ogg, .oga) on libvorbisfile: a malformed file is refused and
// everything it opened is freed (ov_clear). Opening such files through
// libsndfile leaked 5,784 bytes inside libvorbis per file (issue 28: about 4 %
// of fuzzed inputs); an .ogg that is not Vorbis (Opus, FLAC in Ogg) goes to
// libsndfile as before.
#include <vorbis/vorbisfile.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "audio/decoder.h"
#include "melnorm/error.h"

namespace melnorm::detail {

extern const Decoder kSndfileDecoder;

namespace {

namespace fs = std::filesystem;

std::string ov_error(int code) {
  switch (code) {
    case OV_EREAD: return "a read error";
    case OV_ENOTVORBIS: return "not Vorbis data";
    case OV_EVERSION: return "an unsupported Vorbis version";
    case OV_EBADHEADER: return "an invalid Vorbis header";
    case OV_EFAULT: return "an internal decoder fault";
    case OV_EBADLINK: return "a damaged Ogg link";
    case OV_ENOSEEK: return "a stream that cannot seek";
    case OV_HOLE: return "a hole in the data (damaged or truncated)";
    default: return "Vorbis error " + std::to_string(code);
  }
}

// An open Vorbis file, cleared (with what it allocated) whatever happens.
struct VorbisFile {
  OggVorbis_File vf{};
  bool open = false;
  ~VorbisFile() {
    if (open) ov_clear(&vf);
  }
};

// Whether the first Ogg page carries another codec libsndfile reads (Opus,
// FLAC, Speex). Anything else that is not Vorbis is refused here: handed to
// libsndfile, a damaged Vorbis header is what leaked.
bool other_ogg_codec(const fs::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  unsigned char head[27 + 255 + 8] = {};
  const std::size_t n = std::fread(head, 1, sizeof head, file);
  std::fclose(file);
  if (n < 27 || std::memcmp(head, "OggS", 4) != 0) return false;
  const std::size_t payload = 27 + head[26];
  if (payload + 8 > n) return false;
  const auto* p = reinterpret_cast<const char*>(head + payload);
  return std::memcmp(p, "OpusHead", 8) == 0 ||
         std::memcmp(p,
                     "\x7f"
                     "FLAC",
                     5) == 0 ||
         std::memcmp(p, "Speex   ", 8) == 0;
}

// Opens `path`; returns false when it is Ogg with another codec (libsndfile's then).
bool open_vorbis(const fs::path& path, VorbisFile& f) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw Error(ErrorCode::kIo, "path", path.string() + ": cannot open");
  const int rc = ov_open_callbacks(file, &f.vf, nullptr, 0, OV_CALLBACKS_DEFAULT);  // owns `file` on success
  if (rc == 0) {
    f.open = true;
    return true;
  }
  std::fclose(file);  // ov_open_callbacks failed: the file is still ours; nothing else is held
  if (rc == OV_ENOTVORBIS && other_ogg_codec(path)) return false;
  throw Error(ErrorCode::kInvalidData, "path",
              path.string() + ": not a readable Ogg/Vorbis file (" + ov_error(rc) + ")");
}

AudioInfo vorbis_header(const fs::path& path) {
  VorbisFile f;
  if (!open_vorbis(path, f)) return kSndfileDecoder.info(path);
  const ::vorbis_info* vi = ov_info(&f.vf, -1);
  AudioInfo info;
  info.sample_rate = static_cast<int>(vi->rate);
  info.channels = vi->channels;
  const ogg_int64_t total = ov_pcm_total(&f.vf, -1);
  info.frames = total > 0 ? total : 0;
  info.duration = info.sample_rate > 0 ? static_cast<double>(info.frames) / info.sample_rate : 0.0;
  info.format = "OGG (OGG Container format)";
  info.subtype = "Vorbis encoding";
  return info;
}

Audio vorbis_decode(const fs::path& path, const LoadOptions& options) {
  check_window(options);
  VorbisFile f;
  if (!open_vorbis(path, f)) return kSndfileDecoder.decode(path, options);
  const ::vorbis_info* vi = ov_info(&f.vf, -1);
  Audio audio;
  audio.sample_rate = static_cast<int>(vi->rate);
  audio.channels = vi->channels;
  if (audio.sample_rate <= 0 || audio.channels <= 0)
    throw Error(ErrorCode::kInvalidData, "path", path.string() + ": Vorbis header without a rate or channels");
  const auto start = static_cast<ogg_int64_t>(std::floor(options.offset * audio.sample_rate));
  if (start > 0 && ov_pcm_seek(&f.vf, start) != 0) return audio;  // past the end: no samples, as libsndfile
  const std::size_t limit = options.duration
                                ? static_cast<std::size_t>(std::floor(*options.duration * audio.sample_rate))
                                : static_cast<std::size_t>(-1);
  const auto channels = static_cast<std::size_t>(audio.channels);
  std::vector<std::vector<float>> planes(channels);
  std::size_t frames = 0;
  while (frames < limit) {
    float** pcm = nullptr;
    int section = 0;
    const long n = ov_read_float(&f.vf, &pcm, 4096, &section);
    if (n == 0) break;
    if (n < 0) {
      if (n == OV_HOLE) continue;  // a gap in a damaged stream: what follows is still audio
      throw Error(ErrorCode::kInvalidData, "path",
                  path.string() + ": Ogg/Vorbis data unreadable after " + std::to_string(frames) + " frames (" +
                      ov_error(static_cast<int>(n)) + ")");
    }
    if (ov_info(&f.vf, -1)->channels != audio.channels)
      throw Error(ErrorCode::kInvalidData, "path", path.string() + ": the channel count changes inside the file");
    const std::size_t take = std::min<std::size_t>(static_cast<std::size_t>(n), limit - frames);
    for (std::size_t c = 0; c < channels; ++c) planes[c].insert(planes[c].end(), pcm[c], pcm[c] + take);
    frames += take;
  }
  audio.samples.reserve(channels * frames);
  for (const auto& p : planes) audio.samples.insert(audio.samples.end(), p.begin(), p.end());
  return audio;
}

}  // namespace

extern const Decoder kVorbisDecoder;
const Decoder kVorbisDecoder{
    .name = "libvorbisfile",
    .extensions = {".ogg", ".oga"},
    .stores_rate = true,
    .info = vorbis_header,
    .decode = vorbis_decode,
};

}  // namespace melnorm::detail
