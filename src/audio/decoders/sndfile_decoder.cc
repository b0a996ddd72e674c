// The libsndfile decoder: WAV (PCM 8/16/24/32, float), FLAC,
// OGG/Vorbis, MP3 and the other formats libsndfile reads.
#include <fcntl.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "audio/decoder.h"
#include "core/format.h"
#include "core/huge_pages.h"
#include "io/limits.h"
#include "melnorm/error.h"

namespace melnorm::detail {
namespace {

// The whole file in memory, read with one system call, for libsndfile's
// virtual I/O: libsndfile reads a header field at a time (about 25 reads and
// seeks for a small WAV), which costs more than decoding a short clip.
class MemoryFile {
 public:
  explicit MemoryFile(std::vector<char> bytes) : bytes_(std::move(bytes)) {}
  static SF_VIRTUAL_IO io() {
    SF_VIRTUAL_IO v{};
    v.get_filelen = [](void* self) -> sf_count_t { return static_cast<sf_count_t>(as(self).bytes_.size()); };
    v.seek = [](sf_count_t offset, int whence, void* self) -> sf_count_t {
      MemoryFile& m = as(self);
      const sf_count_t base = whence == SEEK_SET   ? 0
                              : whence == SEEK_CUR ? m.pos_
                                                   : static_cast<sf_count_t>(m.bytes_.size());
      m.pos_ = std::clamp<sf_count_t>(base + offset, 0, static_cast<sf_count_t>(m.bytes_.size()));
      return m.pos_;
    };
    v.read = [](void* dst, sf_count_t count, void* self) -> sf_count_t {
      MemoryFile& m = as(self);
      const sf_count_t n = std::clamp<sf_count_t>(count, 0, static_cast<sf_count_t>(m.bytes_.size()) - m.pos_);
      if (n > 0)
        std::memcpy(dst, m.bytes_.data() + m.pos_, static_cast<std::size_t>(n));  // an empty file has no data()
      m.pos_ += n;
      return n;
    };
    v.write = [](const void*, sf_count_t, void*) -> sf_count_t { return 0; };  // read-only
    v.tell = [](void* self) -> sf_count_t { return as(self).pos_; };
    return v;
  }

  const std::vector<char>& bytes() const { return bytes_; }

 private:
  static MemoryFile& as(void* self) { return *static_cast<MemoryFile*>(self); }
  std::vector<char> bytes_;
  sf_count_t pos_ = 0;
};

// Files up to this size are read whole (their header reads dominate); larger
// ones stream from the descriptor, where libsndfile's reads are large anyway
// and a whole-file copy would only add a buffer and its page faults.
constexpr off_t kReadWholeBytes = off_t{1} << 20;

// An open audio file: the SNDFILE and what it reads from (the file's bytes in
// memory, or its descriptor). Members are released in reverse order, so the
// SNDFILE closes before its source, also when the constructor throws.
class OpenAudio {
 public:
  OpenAudio(const std::filesystem::path& path, SF_INFO& info) {
    fd_.value = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_.value < 0) {
      const int err = errno;
      throw Error(
          ErrorCode::kIo, "path",
          path.string() + (err == ENOENT ? ": no such file" : ": cannot open: " + std::string(std::strerror(err))));
    }
    struct stat st {};
    if (::fstat(fd_.value, &st) != 0)
      throw Error(ErrorCode::kIo, "path", path.string() + ": cannot stat: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw Error(ErrorCode::kIo, "path", path.string() + ": is a directory, not an audio file");
    info = SF_INFO{};
    if (S_ISREG(st.st_mode)) bytes_ = static_cast<std::size_t>(st.st_size);
    if (S_ISREG(st.st_mode) && st.st_size <= kReadWholeBytes) {
      std::vector<char> bytes(static_cast<std::size_t>(st.st_size));
      std::size_t done = 0;
      while (done < bytes.size()) {
        const ssize_t got = ::read(fd_.value, bytes.data() + done, bytes.size() - done);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw Error(ErrorCode::kIo, "path", path.string() + ": read failed: " + std::strerror(errno));
        if (got == 0) break;  // shrank while reading: decode what is there
        done += static_cast<std::size_t>(got);
      }
      bytes.resize(done);
      memory_ = std::make_unique<MemoryFile>(std::move(bytes));
      SF_VIRTUAL_IO io = MemoryFile::io();
      file_.reset(sf_open_virtual(&io, SFM_READ, &info, memory_.get()));
    } else {
      file_.reset(sf_open_fd(fd_.value, SFM_READ, &info, SF_FALSE));  // the descriptor stays ours
    }
    if (!file_)
      throw Error(ErrorCode::kIo, "path",
                  path.string() + ": cannot decode audio: " + sf_strerror(nullptr) +
                      " (supported: WAV, FLAC, OGG/Vorbis, MP3, AIFF, ... via libsndfile; "
                      "raw waveforms as .npy)");
  }
  SNDFILE* get() const { return file_.get(); }
  std::size_t bytes() const { return bytes_; }  // the file's size (0: not a regular file)
  // Up to `n` of the file's bytes from `offset` (fewer at its end), without
  // moving libsndfile's position.
  std::string read_at(std::size_t offset, std::size_t n) const {
    if (memory_) {
      const auto& b = memory_->bytes();
      if (offset >= b.size()) return {};
      return std::string(b.data() + offset, std::min(n, b.size() - offset));
    }
    std::string out(n, '\0');
    const ssize_t got = ::pread(fd_.value, out.data(), n, static_cast<off_t>(offset));
    out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return out;
  }

 private:
  struct Fd {
    int value = -1;
    Fd() = default;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
      if (value >= 0) ::close(value);
    }
  };
  Fd fd_;
  std::size_t bytes_ = 0;
  std::unique_ptr<MemoryFile> memory_;
  std::unique_ptr<SNDFILE, int (*)(SNDFILE*)> file_{nullptr, sf_close};
};

std::string format_name(int format) {
  SF_FORMAT_INFO fi{};
  fi.format = format;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name) return fi.name;
  return "unknown";
}

// The first buffer's size in samples: the header's frame count, trusted only
// up to what the file's bytes could plausibly decode to (about 8 samples per
// byte covers MP3 and Vorbis); the buffer grows if the decoder gives more.
std::size_t initial_samples(const SF_INFO& info, std::size_t file_bytes) {
  const std::size_t claimed = checked_mul(static_cast<std::size_t>(std::max<sf_count_t>(info.frames, 1)),
                                          static_cast<std::size_t>(info.channels))
                                  .value_or(SIZE_MAX);
  const std::size_t plausible = (file_bytes ? std::min(file_bytes, SIZE_MAX / 16) * 8 : 0) + (std::size_t{1} << 16);
  return std::min({claimed, plausible, kMaxArrayElements});
}

[[noreturn]] void too_long(const std::filesystem::path& path) {
  throw Error(
      ErrorCode::kInvalidData, "path",
      path.string() + ": decodes to more than " + std::to_string(kMaxArrayElements) + " samples (the limit, 2^31)");
}

// Decodes until the decoder stops: frame counts of compressed formats (MP3)
// are estimates, so they only size the buffer, which grows if needed.
std::vector<float> read_interleaved(const OpenAudio& f, const SF_INFO& info, const std::filesystem::path& path,
                                    std::size_t& frames, std::size_t max_frames = SIZE_MAX) {
  const std::size_t ch = static_cast<std::size_t>(info.channels);
  std::vector<float> interleaved = detail::huge_vector<float>(
      std::max(std::min(initial_samples(info, f.bytes()) / ch, max_frames), std::size_t{1}) * ch);
  std::vector<float> probe(4096 * ch);
  for (;;) {
    if (frames >= max_frames) break;
    const std::size_t room = std::min(interleaved.size() / ch, max_frames) - frames;
    if (room > 0) {
      const sf_count_t got = sf_readf_float(f.get(), interleaved.data() + frames * ch, static_cast<sf_count_t>(room));
      if (got <= 0) break;
      frames += static_cast<std::size_t>(got);
    } else {  // full: probe for more before growing (usually there is none)
      const sf_count_t got = sf_readf_float(f.get(), probe.data(),
                                            static_cast<sf_count_t>(std::min<std::size_t>(4096, max_frames - frames)));
      if (got <= 0) break;
      const std::size_t need = (frames + static_cast<std::size_t>(got)) * ch;
      if (need > kMaxArrayElements) too_long(path);
      interleaved.resize(std::min(std::max(interleaved.size() * 3 / 2, need), kMaxArrayElements / ch * ch));
      std::copy_n(probe.begin(), got * ch, interleaved.begin() + frames * ch);
      frames += static_cast<std::size_t>(got);
    }
  }
  if (sf_error(f.get()) != SF_ERR_NO_ERROR)
    throw Error(
        ErrorCode::kInvalidData, "path",
        path.string() + ": decoding failed after " + std::to_string(frames) + " frames: " + sf_strerror(f.get()));
  return interleaved;
}

std::uint32_t le32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}

// The frames a RIFF/WAVE header's data chunk promises (its size over the
// fmt chunk's block alignment), or 0 when it says nothing usable (another
// format, a streamed WAV's placeholder size). libsndfile's own frame count
// is what the file holds: it shortens a data chunk that runs past the end.
std::size_t wav_promised_frames(const OpenAudio& f) {
  const std::string head = f.read_at(0, 12);
  if (head.size() < 12 || head.compare(0, 4, "RIFF") != 0 || head.compare(8, 4, "WAVE") != 0) return 0;
  std::size_t at = 12, block_align = 0;
  for (int chunk = 0; chunk < 64; ++chunk) {  // the data chunk comes after fmt and a few others
    const std::string h = f.read_at(at, 8);
    if (h.size() < 8) return 0;
    const std::uint32_t size = le32(h, 4);
    if (h.compare(0, 4, "fmt ") == 0) {
      const std::string fmt = f.read_at(at + 8, 14);
      if (fmt.size() < 14) return 0;
      block_align =
          static_cast<unsigned char>(fmt[12]) | (static_cast<std::size_t>(static_cast<unsigned char>(fmt[13])) << 8);
    } else if (h.compare(0, 4, "data") == 0) {
      if (block_align == 0 || size == 0 || size == 0xFFFFFFFFu) return 0;
      return size / block_align;
    }
    at += 8 + size + (size & 1u);  // chunks are padded to an even size
  }
  return 0;
}

// The frames the file's header promises, where it states them exactly:
// WAV's data chunk, FLAC's STREAMINFO (MP3's and Vorbis' counts are estimates
// or read from the end); 0 when unknown.
std::size_t promised_frames(const OpenAudio& f, const SF_INFO& info) {
  if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV) return wav_promised_frames(f);
  if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC && info.frames > 0)
    return static_cast<std::size_t>(info.frames);
  return 0;
}

// A header that promises more audio than the file holds (a copy cut short)
// is decoded as far as it goes, with a warning naming both lengths.
void warn_if_short(const std::filesystem::path& path, const OpenAudio& f, const SF_INFO& info, std::size_t start,
                   std::size_t frames, std::size_t max_frames) {
  const std::size_t promised = promised_frames(f, info);
  const std::size_t wanted_end = max_frames == SIZE_MAX ? promised : std::min(promised, start + max_frames);
  if (promised == 0 || start + frames >= wanted_end) return;
  const std::size_t held = std::max(start + frames, static_cast<std::size_t>(std::max<sf_count_t>(info.frames, 0)));
  const auto seconds = [&](std::size_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(n) / info.samplerate);
    return std::string(buf);
  };
  WarningSubject subject(path.string());  // the file, once (a caller's subject would name it too)
  warn("its header promises " + seconds(promised) + " s (" + std::to_string(promised) + " frames) but the file holds " +
       seconds(held) + " s (" + std::to_string(held) + " frames): truncated? Decoded what is there");
}

AudioInfo sndfile_info(const std::filesystem::path& path) {
  SF_INFO info;
  const OpenAudio f(path, info);
  AudioInfo out;
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.frames = info.frames;
  out.duration = info.samplerate > 0 ? static_cast<double>(info.frames) / info.samplerate : 0.0;
  out.format = format_name(info.format & SF_FORMAT_TYPEMASK);
  out.subtype = format_name(info.format & SF_FORMAT_SUBMASK);
  return out;
}

Audio sndfile_decode(const std::filesystem::path& path, const LoadOptions& options) {
  SF_INFO info;
  const OpenAudio f(path, info);
  if (info.channels <= 0 || info.samplerate <= 0)
    throw Error(ErrorCode::kInvalidData, "path",
                path.string() + ": invalid header (channels=" + std::to_string(info.channels) +
                    ", samplerate=" + std::to_string(info.samplerate) + ")");
  const int ch = info.channels;
  const bool window = options.offset != 0.0 || options.duration.has_value();
  check_window(options);
  std::size_t frames = 0, max_frames = SIZE_MAX;
  bool past_end = false;
  std::size_t start_frame = 0;
  if (options.offset > 0.0) {  // librosa: seek(int(offset * sr_native))
    const double start = std::floor(options.offset * info.samplerate);
    start_frame = static_cast<std::size_t>(start);
    // A start past the end is not sought; a failed seek is past the end too.
    past_end = (info.frames > 0 && start >= static_cast<double>(info.frames)) ||
               sf_seek(f.get(), static_cast<sf_count_t>(start), SEEK_SET) < 0;
  }
  if (options.duration) max_frames = static_cast<std::size_t>(std::floor(*options.duration * info.samplerate));
  std::vector<float> interleaved;
  if (!past_end && max_frames > 0) {
    interleaved = read_interleaved(f, info, path, frames, max_frames);
    warn_if_short(path, f, info, start_frame, frames, max_frames);
  }
  if (frames == 0 && !window)
    throw Error(ErrorCode::kInvalidData, "path", path.string() + ": contains no audio (0 frames)");
  interleaved.resize(frames * ch);

  Audio audio;
  audio.sample_rate = info.samplerate;
  audio.channels = ch;
  if (ch == 1) {
    audio.samples = std::move(interleaved);
  } else {  // to channels-first
    audio.samples = detail::huge_vector<float>(interleaved.size());
    for (std::size_t i = 0; i < frames; ++i)
      for (int c = 0; c < ch; ++c) audio.samples[c * frames + i] = interleaved[i * ch + c];
  }
  return audio;
}

// decode()'s samples without a window, block by block: the same libsndfile reads, so the same floats.
class SndfileReader final : public AudioReader {
 public:
  explicit SndfileReader(const std::filesystem::path& path) : path_(path), file_(path, info_) {
    if (info_.channels <= 0 || info_.samplerate <= 0)
      throw Error(ErrorCode::kInvalidData, "path",
                  path.string() + ": invalid header (channels=" + std::to_string(info_.channels) +
                      ", samplerate=" + std::to_string(info_.samplerate) + ")");
  }
  int sample_rate() const override { return info_.samplerate; }
  int channels() const override { return info_.channels; }
  std::size_t frames_hint() const override { return static_cast<std::size_t>(std::max<sf_count_t>(info_.frames, 0)); }
  std::size_t read(float* out, std::size_t frames) override {
    if (frames == 0 || done_) return 0;
    const sf_count_t got = sf_readf_float(file_.get(), out, static_cast<sf_count_t>(frames));
    if (got <= 0) {
      done_ = true;
      if (sf_error(file_.get()) != SF_ERR_NO_ERROR)
        throw Error(ErrorCode::kInvalidData, "path",
                    path_.string() + ": decoding failed after " + std::to_string(read_) +
                        " frames: " + sf_strerror(file_.get()));
      return 0;
    }
    read_ += static_cast<std::size_t>(got);
    return static_cast<std::size_t>(got);
  }
  void finish() override {
    if (read_ == 0) throw Error(ErrorCode::kInvalidData, "path", path_.string() + ": contains no audio (0 frames)");
    warn_if_short(path_, file_, info_, 0, read_, SIZE_MAX);
  }

 private:
  std::filesystem::path path_;
  SF_INFO info_{};
  OpenAudio file_;
  std::size_t read_ = 0;
  bool done_ = false;
};

std::unique_ptr<AudioReader> sndfile_open(const std::filesystem::path& path) {
  return std::make_unique<SndfileReader>(path);
}

}  // namespace

extern const Decoder kSndfileDecoder;
const Decoder kSndfileDecoder{
    .name = "libsndfile",
    // .ogg and .oga: decoders/vorbis_decoder.cc (Vorbis; other Ogg codecs come back here)
    .extensions = {".wav", ".flac", ".mp3", ".aiff", ".aif", ".au", ".w64", ".caf", ".opus"},
    .stores_rate = true,
    .info = sndfile_info,
    .decode = sndfile_decode,
    .open = sndfile_open,
};

}  // namespace melnorm::detail
