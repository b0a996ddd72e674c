#include "melnorm/online_mel_spectrogram.h"

#include <algorithm>
#include <deque>

#include "core/format.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

namespace {

// Local statistics over all frames of a band or the clip: known only at its end.
// (A filter along time streams exactly; axis frame uses each frame's own.)
bool normalizes_per_clip(const NormalizeOptions& n) {
  return n.scope == Scope::kLocal && find_method(n.method).kind == MethodKind::kStatistics && n.axis != Axis::kFrame;
}

void check_whole_clip_options(const PipelineOptions& o) {
  if (o.kaldi_frontend() && o.kaldi.subtract_mean)
    throw_invalid_argument("subtract_mean",
                           "subtract_mean=true subtracts each bin's mean over the whole clip, known only at its "
                           "end; allowed in a stream: subtract_mean=false");
  if (o.target_frames)
    throw_invalid_argument("target_frames", "target_frames=" + num(*o.target_frames) +
                                                " pads or trims the whole clip's frames; allowed in a stream: none");
  if (o.pad_to)
    throw_invalid_argument("pad_to", "pad_to=" + num(*o.pad_to) +
                                         " pads or crops the whole clip, whose length a stream does "
                                         "not know; allowed in a stream: pad_to=none");
  if (o.segment)
    throw_invalid_argument("segment", "segment=" + num(*o.segment) +
                                          " cuts the whole clip into rows; allowed in a stream: "
                                          "segment=none (cut the emitted frames into windows instead)");
  const DbOptions& db = o.mel.db;
  if (db.enabled && db.reference != DbReference::kValue)
    throw_invalid_argument("db", "db=" + db_ref_name(db) +
                                     " takes the dB reference from the whole clip, known only at its end; "
                                     "allowed in a stream: db=ref1 (with top_db=none) or db=off");
  if (db.enabled && (db.floor == DbFloor::kNoise || db.floor == DbFloor::kNoisePercentile))
    throw_invalid_argument("db_floor", "db_floor=" + to_string(db.floor) +
                                           " follows the whole clip's noise, known only at "
                                           "its end; allowed in a stream: absolute or relative");
  if (db.enabled && db.top_db)
    throw_invalid_argument("top_db", "top_db=" + num(*db.top_db) +
                                         " floors at that many dB below the whole clip's peak, known "
                                         "only at its end; allowed in a stream: top_db=none (with db=ref1), or db=off");
}

}  // namespace

void OnlineMelSpectrogram::check_streamable(const PipelineOptions& o, const OnlineOptions& online) {
  check_whole_clip_options(o);
  const bool windowed = o.normalize && normalizes_per_clip(*o.normalize);
  if (online.window_frames && *online.window_frames == 0)
    throw_invalid_argument("window_frames", "window_frames=0: allowed: a number of frames >= 1");
  if (windowed && !online.window_frames)
    throw_invalid_argument(
        "scope", "normalize=" + o.normalize->method + " with scope=local, axis=" + to_string(o.normalize->axis) +
                     " uses the whole clip's statistics, known only at its end; allowed in a stream: "
                     "window_frames=N (the statistics of the last N frames), axis=frame, scope=global "
                     "(fitted statistics), or normalize=pcen");
  if (!windowed && online.window_frames)
    throw_invalid_argument(
        "window_frames",
        "window_frames=" + num(*online.window_frames) +
            " applies to normalize=METHOD with "
            "scope=local and axis all or band, which these options do not have; allowed here: window_frames unset");
}

// Everything that changes while the stream runs, and the engines it runs on.
struct OnlineMelSpectrogram::State {
  std::optional<MelSpectrogram> framer;   // center off: frames of the already padded stream
  std::unique_ptr<KaldiComputer> kaldi;   // frontend=kaldi_*: frames of the stream kept from `base` on
  std::unique_ptr<MelSpectrogram> whole;  // offline engine: a reflect stream shorter than its padding
  std::optional<Normalizer> normalizer;   // global, local per frame, or local over the window
  std::unique_ptr<MethodStream> filter;   // a method with state along time (pcen): carries across chunks
  std::size_t pad = 0;                    // centre padding at each end
  std::vector<float> buffer;              // the padded stream from padded index `base` on
  std::size_t base = 0;
  std::vector<float> head;  // reflect: the first samples, until pad + 1 have come
  bool started = false;     // the start padding is in `buffer`
  std::size_t accepted = 0;
  std::size_t emitted = 0;
  bool finished = false;
  std::deque<std::vector<float>> window;  // windowed local normalization: the last frames (one per entry)
};

namespace {

// The pipeline at the stream's rate, with its statistics.
Pipeline at_stream_rate(const Pipeline& p, const OnlineOptions& online) {
  const PipelineOptions& o = p.options();
  if (o.sample_rate) {
    if (online.sample_rate && *online.sample_rate != *o.sample_rate)
      throw_invalid_argument("sr", "sr: the stream is at " + num(*online.sample_rate) +
                                       " Hz but the pipeline's rate is " + num(*o.sample_rate) +
                                       " Hz; a stream is not resampled: allowed: sr=" + num(*o.sample_rate) +
                                       " (resample the audio first)");
    return p;
  }
  if (!online.sample_rate)
    throw_invalid_argument("sr", "sr: a stream needs its sample rate; this pipeline has none fixed: set sr=HZ");
  std::optional<Stats> stats;
  if (p.stats()) stats = *p.stats();
  return Pipeline(o.at_rate(*online.sample_rate), std::move(stats));
}

}  // namespace

OnlineMelSpectrogram::OnlineMelSpectrogram(const Pipeline& pipeline, OnlineOptions online)
    : pipeline_(at_stream_rate(pipeline, online)), online_(online) {
  const PipelineOptions& o = pipeline_.options();
  check_streamable(o, online_);
  if (pipeline_.needs_stats() && !pipeline_.stats())
    throw_invalid_argument("stats",
                           "scope=global needs fitted statistics (stats=...); allowed without them: scope=local "
                           "(with axis=frame, window_frames=N, or normalize=pcen)");
  state_ = std::make_unique<State>();
  State& s = *state_;
  if (o.kaldi_frontend()) {
    s.kaldi = std::make_unique<KaldiComputer>(o.kaldi, *o.sample_rate);
  } else {
    MelSpectrogramOptions framing = o.mel;
    framing.sample_rate = *o.sample_rate;
    framing.stft.center = false;
    s.framer.emplace(framing);
    s.pad = o.mel.stft.center ? static_cast<std::size_t>(o.mel.stft.n_fft / 2) : 0;
  }
  if (o.normalize) s.normalizer.emplace(normalization_at(o, *o.sample_rate), pipeline_.stats());
  reset();
}

OnlineMelSpectrogram::~OnlineMelSpectrogram() = default;
OnlineMelSpectrogram::OnlineMelSpectrogram(OnlineMelSpectrogram&&) noexcept = default;
OnlineMelSpectrogram& OnlineMelSpectrogram::operator=(OnlineMelSpectrogram&&) noexcept = default;

void OnlineMelSpectrogram::reset() {
  State& s = *state_;
  s.buffer.clear();
  s.head.clear();
  s.window.clear();
  s.base = s.accepted = s.emitted = 0;
  s.finished = false;
  if (s.normalizer) s.filter = s.normalizer->stream(n_mels());
  // Zeros are known now; a reflection waits for the samples it mirrors.
  const bool reflect = !s.kaldi && s.pad > 0 && pipeline_.options().mel.stft.pad_mode == PadMode::kReflect;
  s.started = !reflect;
  if (!reflect) s.buffer.assign(s.pad, 0.0f);
}

int OnlineMelSpectrogram::sample_rate() const { return *pipeline_.options().sample_rate; }
std::size_t OnlineMelSpectrogram::n_mels() const {
  return state_->kaldi ? state_->kaldi->n_bins() : pipeline_.options().n_bins();
}
std::size_t OnlineMelSpectrogram::hop_length() const {
  if (state_->kaldi) return static_cast<std::size_t>(pipeline_.options().kaldi.window_shift(sample_rate()));
  return static_cast<std::size_t>(pipeline_.options().mel.stft.hop_length);
}
std::size_t OnlineMelSpectrogram::lookahead_samples() const {
  if (state_->kaldi) return state_->kaldi->frame_end(0);  // frame 0 is stamped at sample 0
  return static_cast<std::size_t>(pipeline_.options().mel.stft.n_fft) - state_->pad;
}
std::size_t OnlineMelSpectrogram::latency_samples() const { return lookahead_samples() + hop_length() - 1; }
std::size_t OnlineMelSpectrogram::samples_accepted() const { return state_->accepted; }
std::size_t OnlineMelSpectrogram::frames_emitted() const { return state_->emitted; }
bool OnlineMelSpectrogram::finished() const { return state_->finished; }

Matrix OnlineMelSpectrogram::accept(std::span<const float> x) {
  State& s = *state_;
  if (s.finished)
    throw Error(ErrorCode::kInvalidArgument, "stream",
                "accept: the stream has finished; call reset() to start another");
  // Checked before anything is kept, so refused samples leave the stream as it was.
  try {
    check_finite(x, "stream");
  } catch (const Error& e) {  // the message built only on failure: accept() may be called per sample
    throw Error(e.code(), e.param(),
                e.what() + (" (in the chunk starting at sample " + num(s.accepted) + " of the stream)"));
  }
  s.accepted += x.size();
  std::vector<float>& into = s.started ? s.buffer : s.head;
  const std::size_t at = into.size();
  into.insert(into.end(), x.begin(), x.end());
  if (const double scale = pipeline_.options().waveform_scale; scale != 1.0)  // as offline, sample by sample
    for (std::size_t i = at; i < into.size(); ++i) into[i] = static_cast<float>(into[i] * scale);
  if (s.started) return s.kaldi ? emit_kaldi_frames() : emit_frames();
  if (s.head.size() < s.pad + 1) return time_first(Matrix(n_mels(), 0));
  // numpy's reflect: x[pad], ..., x[1] before x[0], the edge not repeated.
  s.buffer.assign(s.head.rend() - static_cast<std::ptrdiff_t>(s.pad) - 1, s.head.rend() - 1);
  s.buffer.insert(s.buffer.end(), s.head.begin(), s.head.end());
  s.head.clear();
  s.started = true;
  return emit_frames();
}

Matrix OnlineMelSpectrogram::finish() {
  State& s = *state_;
  if (s.finished)
    throw Error(ErrorCode::kInvalidArgument, "stream",
                "finish: the stream has already finished; call reset() to start another");
  const StftOptions& st = pipeline_.options().mel.stft;
  if (s.accepted == 0)
    throw Error(ErrorCode::kInvalidData, "y",
                "stream: input waveform is empty (0 samples): finish() came before any sample");
  if (s.kaldi) return finish_kaldi();
  st.n_frames(s.accepted);  // throws as offline when center is off and the stream is shorter than n_fft
  s.finished = true;
  if (!st.center) return time_first(Matrix(n_mels(), 0));
  if (static_cast<std::size_t>(st.n_fft) > s.accepted)
    warn("n_fft=" + num(st.n_fft) + " is too large for an input of " + num(s.accepted) + " samples");
  if (!s.started) {  // reflect padding longer than the stream: numpy's repeated reflection, as offline
    MelSpectrogramOptions whole = pipeline_.options().mel;
    whole.sample_rate = sample_rate();
    if (!s.whole) s.whole = std::make_unique<MelSpectrogram>(whole);
    Matrix linear = s.whole->compute_linear(s.head);
    s.emitted = linear.cols;
    return postprocess(std::move(linear));
  }
  if (st.pad_mode == PadMode::kConstant) {
    s.buffer.insert(s.buffer.end(), s.pad, 0.0f);
  } else {  // the last pad + 1 samples are kept (emit_frames): mirror them
    const std::size_t last = s.buffer.size() - 1;
    s.buffer.reserve(s.buffer.size() + s.pad);
    for (std::size_t k = 1; k <= s.pad; ++k) s.buffer.push_back(s.buffer[last - k]);
  }
  return emit_frames();
}

Matrix OnlineMelSpectrogram::emit_frames() {
  State& s = *state_;
  const StftOptions& st = pipeline_.options().mel.stft;
  const auto n_fft = static_cast<std::size_t>(st.n_fft), hop = static_cast<std::size_t>(st.hop_length);
  const std::size_t end = s.base + s.buffer.size();
  const std::size_t first = s.emitted * hop;  // padded index where the next frame starts
  if (end < first + n_fft) return time_first(Matrix(n_mels(), 0));
  const std::size_t k = (end - first - n_fft) / hop + 1;
  // The same framing, FFT and filterbank code as offline, on frames already padded.
  Matrix linear = s.framer->compute_linear({s.buffer.data() + (first - s.base), (k - 1) * hop + n_fft});
  s.emitted += k;
  // Keep what the next frame needs and, for reflect, the last pad + 1 samples that finish() mirrors.
  const std::size_t tail = st.pad_mode == PadMode::kReflect && !s.finished ? s.pad + 1 : 0;
  const std::size_t keep_from = std::min({s.emitted * hop, end - std::min(end, tail), end});
  if (keep_from > s.base) {
    s.buffer.erase(s.buffer.begin(), s.buffer.begin() + static_cast<std::ptrdiff_t>(keep_from - s.base));
    s.base = keep_from;
  }
  return postprocess(std::move(linear));
}

// Kaldi's frames: each once all of its samples have come (and it is one the
// whole stream has too); the buffer keeps what later frames read.
Matrix OnlineMelSpectrogram::emit_kaldi_frames() {
  State& s = *state_;
  const KaldiComputer& k = *s.kaldi;
  std::size_t last = s.emitted;
  const std::size_t known = k.n_frames(s.accepted);  // frames that exist whatever comes next
  while (last < known && k.frame_end(last) <= s.accepted) ++last;
  Matrix m(k.n_bins(), last - s.emitted);
  if (m.cols == 0) return time_first(std::move(m));
  k.compute_frames(s.buffer, s.emitted, m.cols, m.data.data(), m.cols, 0, s.base);
  s.emitted = last;
  // Kept: what the next frame reads, and (centred framing) the end that finish() reflects.
  const std::size_t tail =
      k.options().snip_edges
          ? 0
          : static_cast<std::size_t>(k.options().window_size(sample_rate()) + k.options().window_shift(sample_rate()));
  const std::size_t keep_from = std::min(k.frame_begin(s.emitted), s.accepted - std::min(s.accepted, tail));
  if (keep_from > s.base) {
    s.buffer.erase(s.buffer.begin(), s.buffer.begin() + static_cast<std::ptrdiff_t>(keep_from - s.base));
    s.base = keep_from;
  }
  return postprocess(std::move(m));
}

Matrix OnlineMelSpectrogram::finish_kaldi() {
  State& s = *state_;
  const KaldiComputer& k = *s.kaldi;
  if (s.accepted < static_cast<std::size_t>(k.options().window_size(sample_rate())))
    (void)k.compute(s.buffer);  // refused as offline: shorter than one frame
  s.finished = true;
  Matrix m(k.n_bins(), k.n_frames(s.accepted) - s.emitted);
  if (m.cols > 0) k.compute_frames(s.buffer, s.emitted, m.cols, m.data.data(), m.cols, 0, s.base);
  s.emitted += m.cols;
  return postprocess(std::move(m));
}

// dB and normalization of new frames: per value or per frame (or causal over
// the window), so applying them chunk by chunk equals applying them once.
Matrix OnlineMelSpectrogram::postprocess(Matrix m) {
  State& s = *state_;
  if (m.cols == 0) return time_first(std::move(m));
  if (!s.kaldi) apply_db(m, pipeline_.options().mel);
  if (s.filter) {
    s.filter->process(m.data.data(), m.cols, m.cols);
  } else if (s.normalizer && online_.window_frames) {
    normalize_over_window(m);
  } else if (s.normalizer) {
    s.normalizer->apply(BatchView{m.data.data(), 1, m.rows, m.cols});
  }
  return time_first(std::move(m));
}

// layout=time_first: [frames][bins], as offline.
Matrix OnlineMelSpectrogram::time_first(Matrix m) const {
  if (pipeline_.options().layout != Layout::kTimeFirst) return m;
  Matrix t(m.cols, m.rows);
  for (std::size_t b = 0; b < m.rows; ++b)
    for (std::size_t f = 0; f < m.cols; ++f) t(f, b) = m(b, f);
  return t;
}

// Each frame normalized with the statistics of the last window_frames frames
// (itself included): the offline method, applied to that window.
void OnlineMelSpectrogram::normalize_over_window(Matrix& m) {
  State& s = *state_;
  const std::size_t F = m.rows, N = *online_.window_frames;
  for (std::size_t t = 0; t < m.cols; ++t) {
    std::vector<float> frame(F);
    for (std::size_t b = 0; b < F; ++b) frame[b] = m(b, t);
    s.window.push_back(std::move(frame));
    while (s.window.size() > N) s.window.pop_front();
    const std::size_t n = s.window.size();
    Matrix w(F, n);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t b = 0; b < F; ++b) w(b, j) = s.window[j][b];
    s.normalizer->apply(BatchView{w.data.data(), 1, F, n});
    for (std::size_t b = 0; b < F; ++b) m(b, t) = w(b, n - 1);
  }
}

}  // namespace melnorm
