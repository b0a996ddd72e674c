// A file's front-end features block by block: decode, mix to mono and frame
// as the samples arrive (OnlineMelSpectrogram's framing, which equals the
// offline one), so the waveform is never whole in memory.
#include "pipeline/file_stream.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "audio/decoder.h"
#include "audio/stream_resampler.h"
#include "core/huge_pages.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/kaldi.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/online_mel_spectrogram.h"
#include "melnorm/pipeline.h"

namespace melnorm::detail {

namespace {

constexpr std::size_t kBlockFrames = std::size_t{1} << 16;  // decoded per read: 256 KiB of mono float

// Columns appended into a [bins][frames] matrix sized from the header's frame count; it grows (or shrinks
// at the end) only when the file holds another count than its header says.
class FrameSink {
 public:
  FrameSink(std::size_t bins, std::size_t expected) : m_(huge_matrix(bins, expected)) {}
  void append(const Matrix& chunk) {
    if (chunk.cols == 0) return;
    if (filled_ + chunk.cols > m_.cols) resize(std::max(filled_ + chunk.cols, m_.cols + m_.cols / 2));
    for (std::size_t b = 0; b < m_.rows; ++b)
      std::copy_n(chunk.data.begin() + static_cast<std::ptrdiff_t>(b * chunk.cols), chunk.cols,
                  m_.data.begin() + static_cast<std::ptrdiff_t>(b * m_.cols + filled_));
    filled_ += chunk.cols;
  }
  Matrix take() {
    if (filled_ != m_.cols) resize(filled_);
    return std::move(m_);
  }

 private:
  void resize(std::size_t cols) {
    Matrix bigger = huge_matrix(m_.rows, cols);
    const std::size_t keep = std::min(filled_, cols);
    for (std::size_t b = 0; b < m_.rows; ++b)
      std::copy_n(m_.data.begin() + static_cast<std::ptrdiff_t>(b * m_.cols), keep,
                  bigger.data.begin() + static_cast<std::ptrdiff_t>(b * cols));
    m_ = std::move(bigger);
  }
  Matrix m_;
  std::size_t filled_ = 0;
};

// The options' front end alone: no dB (applied to the whole matrix after), no normalization, bins first,
// and the FFT precision the whole-clip compute() would pick for the full options.
PipelineOptions front_end_only(const PipelineOptions& o) {
  PipelineOptions f = o;
  f.normalize.reset();
  f.layout = Layout::kBinsFirst;
  if (!f.kaldi_frontend()) {
    f.mel.fft_precision = effective_fft_precision(o.mel);
    f.mel.db = DbOptions{};
    f.mel.db.enabled = false;
  }
  return f;
}

// The frames a clip of the header's length gives (0 when unknown or too short for one frame).
std::size_t expected_frames(const PipelineOptions& o, std::size_t samples, int rate) {
  if (samples == 0) return 0;
  try {
    if (o.kaldi_frontend()) return KaldiComputer(o.kaldi, rate).n_frames(samples);
    return o.mel.stft.n_frames(samples);
  } catch (const Error&) { return 0; }
}

// Channel average of interleaved frames, sample by sample as mix_to_mono does it.
void mix(const float* interleaved, std::size_t frames, int channels, float* mono) {
  const float inv = 1.0f / static_cast<float>(channels);
  for (std::size_t i = 0; i < frames; ++i) {
    float sum = 0.0f;
    for (int c = 0; c < channels; ++c) sum += interleaved[i * static_cast<std::size_t>(channels) + c];
    mono[i] = sum * inv;
  }
}

// The file's mono samples at `rate`, block by block: decoded, checked, mixed, and resampled as they come when the
// file is at another rate (StreamResampler: the whole-file resample()'s samples). `on_samples` gets each block;
// returns the samples passed on. `on_resample(from)` is told once when the file is resampled.
std::size_t for_each_block(AudioReader& reader, const std::filesystem::path& path, int rate,
                           const std::function<void(int from)>& on_resample,
                           const std::function<void(const float*, std::size_t)>& on_samples) {
  const int channels = reader.channels();
  std::optional<StreamResampler> resampler;
  if (reader.sample_rate() != rate) {
    if (on_resample) on_resample(reader.sample_rate());
    resampler.emplace(reader.sample_rate(), rate);
  }
  std::vector<float> block(kBlockFrames * static_cast<std::size_t>(channels)), mono(kBlockFrames), out;
  std::size_t n = 0;
  auto pass = [&](const float* x, std::size_t k) {
    if (k) on_samples(x, k), n += k;
  };
  while (const std::size_t got = reader.read(block.data(), kBlockFrames)) {
    check_finite({block.data(), got * static_cast<std::size_t>(channels)}, path.string());
    const float* samples = block.data();
    if (channels > 1) mix(block.data(), got, channels, mono.data()), samples = mono.data();
    if (!resampler) {
      pass(samples, got);
      continue;
    }
    out.clear();
    resampler->push(samples, got, out);
    pass(out.data(), out.size());
  }
  reader.finish();  // no audio at all: the whole-file decode's error; a short file: its warning
  if (resampler) {
    out.clear();
    resampler->finish(out);
    pass(out.data(), out.size());
  }
  return n;
}

}  // namespace

bool streams_whole_clip(const PipelineOptions& o) {
  return !o.pad_to && !o.segment && !o.target_frames && !(o.kaldi_frontend() && o.kaldi.subtract_mean);
}

std::optional<Matrix> stream_front_end(const PipelineOptions& options, const std::filesystem::path& path,
                                       std::size_t& n_samples, std::size_t min_samples,
                                       const std::function<void(int from)>& on_resample) {
  if (!options.sample_rate || !streams_whole_clip(options)) return std::nullopt;
  std::unique_ptr<AudioReader> reader = open_reader(path);
  if (!reader) return std::nullopt;
  const std::size_t hint = reader->frames_hint();
  if (hint > 0 && hint * static_cast<std::size_t>(reader->channels()) < min_samples) return std::nullopt;
  const int rate = *options.sample_rate;
  const auto expected = static_cast<std::size_t>(std::ceil(static_cast<double>(hint) * rate / reader->sample_rate()));
  OnlineMelSpectrogram online{Pipeline(front_end_only(options))};
  FrameSink sink(online.n_mels(), expected_frames(options, expected, rate));
  n_samples = for_each_block(*reader, path, rate, on_resample, [&](const float* x, std::size_t n) {
    sink.append(online.accept({x, n}));
  });
  sink.append(online.finish());
  return sink.take();
}

namespace {

// The samples from the next segment's start on, as blocks arrive; each full segment is passed on.
class SegmentCutter {
 public:
  SegmentCutter(std::size_t seg, std::size_t hop,
                const std::function<void(std::size_t, std::span<const float>)>& on_segment)
      : seg_(seg), hop_(hop), on_segment_(on_segment) {}
  void accept(const float* x, std::size_t n) {
    for (std::size_t used = 0; used < n;) {
      if (skip_ > 0) {  // a hop longer than the segment: samples between segments
        const std::size_t k = std::min(skip_, n - used);
        skip_ -= k, used += k;
        continue;
      }
      const std::size_t k = std::min(seg_ - buffer_.size(), n - used);
      buffer_.insert(buffer_.end(), x + used, x + used + k);
      used += k;
      if (buffer_.size() == seg_) emit();
    }
  }
  // After the last block: a file of at most one segment is one zero-padded piece (cut_clip's rule).
  void finish(std::size_t total) {
    if (emitted_ > 0 || total > seg_) return;
    buffer_.resize(seg_, 0.0f);
    on_segment_(0, buffer_);
  }

 private:
  void emit() {
    on_segment_(start_, buffer_);
    ++emitted_;
    start_ += hop_;
    if (hop_ >= seg_) {
      skip_ = hop_ - seg_;
      buffer_.clear();
    } else {
      buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(hop_));
    }
  }
  std::size_t seg_, hop_, start_ = 0, skip_ = 0, emitted_ = 0;
  std::vector<float> buffer_;
  const std::function<void(std::size_t, std::span<const float>)>& on_segment_;
};

}  // namespace

bool stream_segments(const PipelineOptions& options, const std::filesystem::path& path, std::size_t& n_samples,
                     const std::function<void(std::size_t start, std::span<const float> piece)>& on_segment,
                     std::size_t min_samples, const std::function<void(int from)>& on_resample) {
  if (!options.sample_rate || !options.segment || options.pad_to) return false;
  std::unique_ptr<AudioReader> reader = open_reader(path);
  if (!reader) return false;
  const std::size_t hint = reader->frames_hint();
  if (hint == 0 || hint * static_cast<std::size_t>(reader->channels()) < min_samples) return false;
  const double sr = *options.sample_rate;
  const auto seg = static_cast<std::size_t>(std::llround(*options.segment * sr));
  const auto hop = static_cast<std::size_t>(std::llround(options.segment_hop.value_or(*options.segment) * sr));
  if (seg == 0 || hop == 0) return false;  // refused by the whole-clip path, with its message
  SegmentCutter cutter(seg, hop, on_segment);
  n_samples = for_each_block(*reader, path, *options.sample_rate, on_resample,
                             [&](const float* x, std::size_t n) { cutter.accept(x, n); });
  cutter.finish(n_samples);
  return true;
}

}  // namespace melnorm::detail
