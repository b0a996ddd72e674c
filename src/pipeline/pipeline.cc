#include "melnorm/pipeline.h"
#include "core/huge_pages.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>

#include "core/format.h"
#include "melnorm/error.h"
#include "melnorm/presets.h"
#include "melnorm/version.h"
#include "pipeline/file_stream.h"

namespace melnorm {

using detail::num;

// Engines are made once per sample rate (one for a fixed rate) and shared by
// copies of the pipeline; compute() and apply() are const and thread-safe.
struct Pipeline::RateEngines {
  std::unique_ptr<MelSpectrogram> mel;   // the stft front end
  std::unique_ptr<KaldiComputer> kaldi;  // or Kaldi's
  std::optional<Normalizer> normalizer;
};

struct Pipeline::Engines {
  std::mutex mutex;
  std::map<int, std::unique_ptr<RateEngines>> by_rate;
  std::set<int> resampled_from;  // rates already said to be resampled (a model's preset)
};

namespace {

// A preset made for a model (its row fixes sr: kaldi, whisper, ast, beats,
// panns) says once per source rate that other audio is resampled to it.
void say_resampled(const PipelineOptions& o, std::mutex& mutex, std::set<int>& said, int from) {
  if (o.preset.empty() || !o.sample_rate || from == *o.sample_rate) return;
  const PresetInfo& preset = find_preset(o.preset);
  const auto sr = preset.values.find("sr");
  if (sr == preset.values.end() || sr->second != num(*o.sample_rate)) return;
  {
    std::lock_guard lock(mutex);
    if (!said.insert(from).second) return;
  }
  warn("audio at " + num(from) + " Hz is resampled to " + num(*o.sample_rate) + " Hz, the rate the " + o.preset +
       " preset's model was trained at (said once per rate)");
}

}  // namespace

namespace {

// An error about one clip names it.
[[noreturn]] void rethrow_naming(const Error& e, const std::string& what) {
  const std::string message = e.raw_message();
  if (what.empty() || message.rfind(what, 0) == 0) throw e;
  throw Error(e.code(), e.param(), what + ": " + message);
}

// Pads with zeros or trims [bins][frames] to `frames` frames.
void fit_frames(Matrix& m, std::size_t frames) {
  if (m.cols == frames) return;
  Matrix out(m.rows, frames);
  const std::size_t keep = std::min(frames, m.cols);
  for (std::size_t b = 0; b < m.rows; ++b)
    std::copy_n(m.data.begin() + b * m.cols, keep, out.data.begin() + b * frames);
  m = std::move(out);
}

}  // namespace

Matrix to_layout(Matrix m, Layout layout) {
  if (layout == Layout::kBinsFirst) return m;
  Matrix t = detail::huge_matrix(m.cols, m.rows);
  for (std::size_t r = 0; r < m.rows; ++r)
    for (std::size_t c = 0; c < m.cols; ++c) t.data[c * m.rows + r] = m.data[r * m.cols + c];
  return t;
}

std::vector<std::pair<std::size_t, std::vector<float>>> cut_clip(const PipelineOptions& o, std::span<const float> a,
                                                                 int sample_rate) {
  std::vector<std::pair<std::size_t, std::vector<float>>> out;
  const std::size_t n = a.size();
  const double sr = sample_rate;
  if (o.pad_to) {
    std::vector<float> y(static_cast<std::size_t>(std::llround(*o.pad_to * sr)), 0.0f);
    std::copy_n(a.begin(), std::min(n, y.size()), y.begin());
    out.emplace_back(0, std::move(y));
  } else if (o.segment) {
    const auto seg = static_cast<std::size_t>(std::llround(*o.segment * sr));
    const auto hop = static_cast<std::size_t>(std::llround(o.segment_hop.value_or(*o.segment) * sr));
    if (seg == 0 || hop == 0)
      throw_invalid_argument("segment", "segment is shorter than one sample at " + num(sr) + " Hz");
    if (n <= seg) {  // a short clip is one zero-padded segment
      std::vector<float> y(seg, 0.0f);
      std::copy_n(a.begin(), n, y.begin());
      out.emplace_back(0, std::move(y));
    } else {
      for (std::size_t start = 0; start + seg <= n; start += hop)
        out.emplace_back(start, std::vector<float>(a.begin() + start, a.begin() + start + seg));
    }
  } else {
    out.emplace_back(0, std::vector<float>(a.begin(), a.end()));
  }
  return out;
}

Pipeline::Pipeline(PipelineOptions options, std::optional<Stats> stats)
    : options_(std::move(options)), engines_(std::make_shared<Engines>()) {
  options_.validate();
  if (stats) *this = with_stats(std::move(*stats));
}

Pipeline::~Pipeline() = default;
Pipeline::Pipeline(const Pipeline&) = default;
Pipeline& Pipeline::operator=(const Pipeline&) = default;
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;

bool Pipeline::needs_stats() const { return options_.normalize && options_.normalize->scope == Scope::kGlobal; }

Pipeline Pipeline::with_stats(Stats stats) const {
  if (!needs_stats())
    throw_invalid_argument(
        "stats", "statistics go with a global scope (normalize=METHOD, scope=global); this pipeline's scope is " +
                     (options_.normalize ? to_string(options_.normalize->scope) : std::string("none")));
  PipelineOptions options = options_;
  // A pipeline without a rate takes the statistics' (the rate its clips shared when they were fitted).
  if (options.rate_policy == PipelineOptions::RatePolicy::kShared && stats.fingerprint().count("sr")) {
    const std::string& rate = stats.fingerprint().at("sr");
    try {
      options = options.at_rate(std::stoi(rate));
    } catch (const std::logic_error&) {
      throw_invalid_argument("stats", "statistics fitted at sr=" + rate + ": set sr");
    }
  }
  if (stats.n_bands() != options.n_bins())
    throw_invalid_argument("stats", std::string(options.kaldi_frontend() ? "bins" : "n_mels") + ": stats " +
                                        num(stats.n_bands()) + " vs features " + num(options.n_bins()));
  const Fingerprint features = fingerprint_of(options, OptionStage::kNormalize);
  stats.check_fingerprint(features);
  // Fields left out at their defaults (added after statistics were first fitted): absent in the
  // statistics means the default, which these features do not have.
  for (const std::string& key : fields_absent_at_default())
    if (features.count(key) && !stats.fingerprint().count(key))
      throw_invalid_argument("stats", "statistics do not match the features: " + key +
                                          ": stats (default) vs features " + features.at(key));
  Pipeline p(options);
  p.stats_ = std::move(stats);
  return p;
}

std::string Pipeline::to_json() const {
  nlohmann::ordered_json j;
  j["format_version"] = kFormatVersion;
  j["melnorm_version"] = version();
  nlohmann::ordered_json options;
  for (const auto& [name, text] : describe()) options[name] = text;
  j["options"] = options;
  j["fingerprint"] = fingerprint();
  return j.dump(2);
}

PipelineOptions Pipeline::options_from_json(const std::string& text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidData, "pipeline", origin + ": not a pipeline record (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("format_version") || !j["options"].is_object())
    throw Error(ErrorCode::kInvalidData, "pipeline", origin + ": not a pipeline record (no format_version/options)");
  if (j["format_version"] != kFormatVersion)
    throw Error(ErrorCode::kInvalidData, "pipeline",
                origin + ": pipeline format_version " + j["format_version"].dump() + " (this melnorm reads " +
                    num(kFormatVersion) + ")");
  PipelineOptions o;
  try {
    OptionValues given;
    for (const auto& [name, value] : j["options"].items())
      given[name] = value.is_string() ? value.get<std::string>() : option_text(find_option(name), value.dump());
    o = resolve_pipeline_options(given);
  } catch (const Error& e) { throw Error(ErrorCode::kInvalidData, e.param(), origin + ": " + e.raw_message()); }
  if (j.contains("fingerprint")) {
    const auto& f = j["fingerprint"];
    if (!f.is_object() || !std::all_of(f.begin(), f.end(), [](const nlohmann::json& v) { return v.is_string(); }))
      throw Error(ErrorCode::kInvalidData, "fingerprint", origin + ": fingerprint is not an object of strings");
    const Fingerprint recorded = f.get<Fingerprint>(), now = fingerprint_of(o);
    for (const auto& [key, value] : recorded)
      if (!now.count(key) || now.at(key) != value)
        throw Error(ErrorCode::kInvalidData, key,
                    origin + ": " + key + ": recorded " + value + " vs options " +
                        (now.count(key) ? now.at(key) : std::string("(absent)")));
  }
  return o;
}

std::function<void(int)> Pipeline::said_resampled() const {
  return [this](int from) { say_resampled(options_, engines_->mutex, engines_->resampled_from, from); };
}

Audio Pipeline::load(const std::filesystem::path& path) const {
  WarningSubject subject(path.string());
  if (options_.preset.empty() || !options_.sample_rate || !stores_sample_rate(path))
    return load_audio(path, {.sample_rate = options_.sample_rate});
  Audio audio = load_audio(path, {});  // at the file's rate, then resampled as load_audio does
  if (audio.sample_rate == *options_.sample_rate) return audio;
  say_resampled(options_, engines_->mutex, engines_->resampled_from, audio.sample_rate);
  if (audio.frames() == 0) {
    audio.sample_rate = *options_.sample_rate;
    return audio;
  }
  try {
    resample(audio, *options_.sample_rate);
  } catch (const Error& e) {
    throw Error(e.code(), e.code() == ErrorCode::kInvalidData ? "path" : e.param(),
                path.string() + ": " + e.raw_message());
  }
  return audio;
}

std::vector<PipelineRow> Pipeline::run_file(const std::filesystem::path& path, Decoded* decoded,
                                            const std::string& what) const {
  return compute_file(path, decoded, what.empty() ? path.string() : what, true);
}

std::vector<PipelineRow> Pipeline::run_file_unnormalized(const std::filesystem::path& path, Decoded* decoded,
                                                         const std::string& what) const {
  return compute_file(path, decoded, what.empty() ? path.string() : what, false);
}

std::vector<PipelineRow> Pipeline::compute_file(const std::filesystem::path& path, Decoded* decoded,
                                                const std::string& what, bool normalized) const {
  if (normalized && needs_stats() && !stats_)
    throw_invalid_argument("stats", "scope global needs fitted statistics (stats=...)");
  std::size_t streamed = 0;
  std::optional<Matrix> front;
  {
    WarningSubject subject(path.string());
    try {
      front = detail::stream_front_end(options_, path, streamed, detail::kStreamFromSamples, said_resampled());
    } catch (const Error& err) { rethrow_naming(err, path.string()); }
  }
  if (!front) {  // loaded whole: short, resampled first, or a decoder that reads whole files
    const Audio audio = load(path);
    if (decoded) *decoded = {.samples = audio.frames(), .sample_rate = audio.sample_rate};
    return normalized ? run(audio.samples, audio.sample_rate, what)
                      : run_unnormalized(audio.samples, audio.sample_rate, what);
  }
  if (decoded) *decoded = {.samples = streamed, .sample_rate = *options_.sample_rate};
  WarningSubject subject(what);
  try {
    PipelineRow row{.offset = 0.0, .features = std::move(*front)};
    if (!options_.kaldi_frontend()) apply_db(row.features, options_.mel);  // the whole clip's reference and floor
    RateEngines& e = engine(*options_.sample_rate);
    if (normalized && e.normalizer)
      e.normalizer->apply(BatchView{row.features.data.data(), 1, row.features.rows, row.features.cols});
    if (normalized && options_.layout != Layout::kBinsFirst)
      row.features = to_layout(std::move(row.features), options_.layout);
    std::vector<PipelineRow> rows;
    rows.push_back(std::move(row));
    return rows;
  } catch (const Error& err) { rethrow_naming(err, what); }
}

Decoded Pipeline::for_each_file_row(const std::filesystem::path& path, bool normalized,
                                    const std::function<void(PipelineRow&&)>& on_row, const std::string& what) const {
  const std::string name = what.empty() ? path.string() : what;
  if (normalized && needs_stats() && !stats_)
    throw_invalid_argument("stats", "scope global needs fitted statistics (stats=...)");
  std::size_t streamed = 0;
  bool streams = false;
  {
    WarningSubject subject(path.string());
    try {
      streams = detail::stream_segments(
          options_, path, streamed,
          [&](std::size_t start, std::span<const float> piece) {
            std::vector<PipelineRow> rows = compute(piece, *options_.sample_rate, name, normalized);
            rows.front().offset = static_cast<double>(start) / *options_.sample_rate;
            if (normalized && options_.layout != Layout::kBinsFirst)  // as run() gives them
              rows.front().features = to_layout(std::move(rows.front().features), options_.layout);
            on_row(std::move(rows.front()));
          },
          detail::kStreamFromSamples, said_resampled());
    } catch (const Error& err) { rethrow_naming(err, path.string()); }
  }
  if (streams) return {.samples = streamed, .sample_rate = *options_.sample_rate};
  Decoded decoded;
  for (PipelineRow& row : compute_file(path, &decoded, name, normalized)) on_row(std::move(row));
  return decoded;
}

std::size_t Pipeline::n_rows(std::size_t n_samples, int sample_rate) const {
  if (!options_.segment) return 1;
  const auto seg = static_cast<std::size_t>(std::llround(*options_.segment * sample_rate));
  const auto hop =
      static_cast<std::size_t>(std::llround(options_.segment_hop.value_or(*options_.segment) * sample_rate));
  return n_samples <= seg || hop == 0 ? 1 : (n_samples - seg) / hop + 1;
}

std::size_t Pipeline::n_frames(std::size_t n_samples, int sample_rate) const {
  if (options_.target_frames) return static_cast<std::size_t>(*options_.target_frames);
  std::size_t n = n_samples;
  if (options_.pad_to) n = static_cast<std::size_t>(std::llround(*options_.pad_to * sample_rate));
  if (options_.segment) n = static_cast<std::size_t>(std::llround(*options_.segment * sample_rate));
  if (options_.kaldi_frontend()) return KaldiComputer(options_.kaldi, sample_rate).n_frames(n);
  return options_.mel.stft.n_frames(n);
}

std::vector<PipelineRow> Pipeline::run(std::span<const float> samples, int sample_rate, const std::string& what) const {
  std::vector<PipelineRow> rows = compute(samples, sample_rate, what, true);
  if (options_.layout != Layout::kBinsFirst)
    for (PipelineRow& r : rows) r.features = to_layout(std::move(r.features), options_.layout);
  return rows;
}

std::vector<PipelineRow> Pipeline::run_bins_first(std::span<const float> samples, int sample_rate,
                                                  const std::string& what) const {
  return compute(samples, sample_rate, what, true);
}

std::vector<PipelineRow> Pipeline::run_unnormalized(std::span<const float> samples, int sample_rate,
                                                    const std::string& what) const {
  return compute(samples, sample_rate, what, false);
}

Pipeline::RateEngines& Pipeline::engine(int sample_rate) const {
  std::lock_guard lock(engines_->mutex);
  // A shared rate is the first one seen: another would silently give another frequency axis.
  if (options_.rate_policy == PipelineOptions::RatePolicy::kShared && !engines_->by_rate.empty() &&
      !engines_->by_rate.count(sample_rate))
    throw_invalid_argument("sr", "sr: this pipeline has run at " + num(engines_->by_rate.begin()->first) +
                                     " Hz; audio at " + num(sample_rate) +
                                     " Hz would get another frequency axis: set sr to resample every input");
  auto& slot = engines_->by_rate[sample_rate];
  if (!slot) {
    auto made = std::make_unique<RateEngines>();
    if (options_.kaldi_frontend()) {
      made->kaldi = std::make_unique<KaldiComputer>(options_.kaldi, sample_rate);
    } else {
      MelSpectrogramOptions m = options_.mel;
      m.sample_rate = sample_rate;
      made->mel = std::make_unique<MelSpectrogram>(m);
    }
    if (options_.normalize && (options_.normalize->scope != Scope::kGlobal || stats_))
      made->normalizer.emplace(normalization_at(options_, sample_rate), stats());
    slot = std::move(made);
  }
  return *slot;
}

std::vector<PipelineRow> Pipeline::compute(std::span<const float> samples, int sample_rate, const std::string& what,
                                           bool normalized) const {
  if (normalized && needs_stats() && !stats_)
    throw_invalid_argument("stats", "scope global needs fitted statistics (stats=...)");
  WarningSubject subject(what);
  try {
    Audio resampled;
    if (options_.sample_rate && sample_rate != *options_.sample_rate) {  // the pipeline's rate, whatever the input's
      say_resampled(options_, engines_->mutex, engines_->resampled_from, sample_rate);
      resampled = {.sample_rate = sample_rate, .channels = 1, .samples = {samples.begin(), samples.end()}};
      check_finite(resampled.samples, "waveform");
      resample(resampled, *options_.sample_rate);
      samples = resampled.samples, sample_rate = resampled.sample_rate;
    }
    if (sample_rate <= 0)
      throw_invalid_argument("sr", "sr=" + num(sample_rate) + " must be a positive sample rate in Hz");
    RateEngines* e = &engine(sample_rate);
    std::vector<PipelineRow> rows;
    auto add_row = [&](std::size_t start, std::span<const float> piece) {
      PipelineRow row{.offset = static_cast<double>(start) / sample_rate,
                      .features = e->kaldi ? e->kaldi->compute(piece) : e->mel->compute(piece)};
      if (options_.target_frames) {
        const auto target = static_cast<std::size_t>(*options_.target_frames);
        const auto hop = static_cast<std::size_t>(e->kaldi ? options_.kaldi.window_shift(sample_rate)
                                                           : options_.mel.stft.hop_length);
        // The model's window (AST: 1024 frames): said when the frames cut start inside the audio
        // (Whisper's 3001st frame of 30 s is the end padding's, dropped by its recipe).
        if (row.features.cols > target && target * hop < piece.size())
          warn("target_frames=" + num(target) + " keeps the first " + num(target) + " of " + num(row.features.cols) +
               " frames (as the model's own extractor does); segment=S keeps all of it");
        fit_frames(row.features, target);
      }
      if (normalized && e->normalizer)
        e->normalizer->apply(BatchView{row.features.data.data(), 1, row.features.rows, row.features.cols});
      rows.push_back(std::move(row));
    };
    if (!options_.pad_to && !options_.segment && options_.waveform_scale == 1.0) {
      add_row(0, samples);  // the whole clip as it is: no copy of the waveform
      return rows;
    }
    for (auto& [start, piece] : cut_clip(options_, samples, sample_rate)) {
      if (options_.waveform_scale != 1.0)
        for (float& v : piece) v = static_cast<float>(v * options_.waveform_scale);
      add_row(start, piece);
    }
    return rows;
  } catch (const Error& err) { rethrow_naming(err, what); }
}

}  // namespace melnorm
