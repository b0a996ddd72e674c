// melnorm predict: files -> the saved model's pipeline -> class probabilities.
#include "melnorm/predict.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/format.h"
#include "dataset/sources.h"
#include "experiment/classifier.h"
#include "io/atomic_file.h"
#include "melnorm/error.h"
#include "melnorm/model.h"

namespace melnorm {

namespace fs = std::filesystem;
using detail::num;

void PredictOptions::validate() const {
  if (model.empty()) throw_invalid_argument("model", "give the saved model folder");
  if (inputs.empty()) throw_invalid_argument("input", "give at least one audio file, folder or list");
  if (labels && inputs.size() != 1)
    throw_invalid_argument("labels", "labels go with one input folder (the CSV's paths are relative to it)");
  if (top_k < 1) throw_invalid_argument("top_k", "top_k=" + num(top_k) + " must be >= 1");
  if (jobs < 0) throw_invalid_argument("jobs", "jobs=" + num(jobs) + " must be >= 1 (or 0 for all cores)");
  if (segment && !(*segment > 0 && std::isfinite(*segment)))
    throw_invalid_argument("segment", "segment=" + num(*segment) + " must be positive seconds");
  if (no_segment && segment)
    throw_invalid_argument(
        "no_segment", param_text("no_segment") + " and " + param_text("segment") + " contradict each other; give one");
  if (segment_hop && !(*segment_hop > 0 && std::isfinite(*segment_hop)))
    throw_invalid_argument("segment_hop", "segment_hop=" + num(*segment_hop) + " must be positive seconds");
}

PredictOptions::Aggregate parse_aggregate(const std::string& name) {
  if (name == "mean") return PredictOptions::Aggregate::kMean;
  if (name == "vote") return PredictOptions::Aggregate::kVote;
  throw_invalid_argument("aggregate", "aggregate '" + name + "' is not supported; allowed: mean, vote");
}

namespace {

// One classified piece of a file: a segment, or the whole file.
struct Scored {
  double start = 0.0, end = 0.0;  // seconds
  std::vector<float> probabilities;
  std::vector<float> logits;  // the network's (a file's: its segments' mean)
};

struct FileResult {
  std::string error;             // non-empty: failed
  std::vector<Scored> segments;  // each window (one: the whole clip)
  bool windowed = false;         // classified in several windows or segments: the CSV lists them
  Scored file;                   // the file's probabilities (aggregated over segments)
};

std::vector<detail::Source> list_inputs(const PredictOptions& o) {
  std::vector<detail::Source> all;
  for (const auto& input : o.inputs) {
    std::error_code ec;
    const std::string ext = input.extension().string();
    if (!o.labels && fs::is_regular_file(input, ec) && ext != ".txt" && ext != ".csv") {  // an audio file itself
      all.push_back({.name = input.string(), .path = input, .label = "", .extra = {}});
      continue;
    }
    auto list = detail::list_sources(input, o.labels, {.path = o.path_column, .label = o.label_column});
    if (!o.labels)
      for (auto& s : list.sources) s.label.clear();  // a folder's names are not true labels
    if (fs::is_directory(input, ec))
      for (auto& s : list.sources) s.name = (input / s.name).generic_string();  // as the user would open it
    for (auto& s : list.sources) all.push_back(std::move(s));
  }
  if (all.empty()) throw Error(ErrorCode::kInvalidData, "input", "no audio files found in the inputs");
  return all;
}

// The aggregated probabilities of a file's segments: softmax of the mean
// logits (as the experiment's track accuracy), or the share of segments voting each class.
std::vector<float> mean_logits(const std::vector<std::vector<float>>& logits) {
  std::vector<double> sum(logits.front().size(), 0.0);
  for (const auto& z : logits)
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += z[k];
  std::vector<float> mean;
  mean.reserve(sum.size());
  for (double v : sum) mean.push_back(static_cast<float>(v / static_cast<double>(logits.size())));
  return mean;
}

std::vector<float> aggregate(const std::vector<std::vector<float>>& logits, PredictOptions::Aggregate how) {
  const std::size_t K = logits.front().size();
  const std::vector<float> sum = mean_logits(logits);  // a tie-break for votes
  if (how == PredictOptions::Aggregate::kMean) return softmax(sum);
  std::vector<float> share(K, 0.0f);
  for (const auto& z : logits)
    share[static_cast<std::size_t>(std::max_element(z.begin(), z.end()) - z.begin())] += 1.0f;
  std::size_t win = 0;  // the most votes; a tie goes to the higher mean logit
  for (std::size_t k = 0; k < K; ++k) {
    share[k] /= static_cast<float>(logits.size());
    if (share[k] > share[win] || (share[k] == share[win] && sum[k] > sum[win])) win = k;
  }
  share[win] = std::nextafter(share[win], 2.0f);  // one ulp: the winner of a tie stays first in the top-k
  return share;
}

WindowRequest window_request(const PredictOptions& o) {
  return {.segment = o.segment, .hop = o.segment_hop, .whole_only = o.no_segment, .pad_short = o.pad_short};
}

FileResult classify(const SavedModel& model, const detail::Source& src, const PredictOptions& o) {
  FileResult r;
  try {
    const Pipeline& p = model.pipeline();
    const Audio a = p.load(src.path);
    const int rate = a.sample_rate;
    const std::size_t n = a.samples.size();
    const std::vector<ClipWindow> windows = plan_windows(p, n, rate, window_request(o));
    const std::optional<double> served_segment = p.options().segment;
    r.windowed = windows.size() > 1 || o.segment || served_segment;
    std::vector<std::vector<float>> logits;
    std::vector<float> padded;
    for (const ClipWindow& w : windows) {
      const std::size_t have = std::min(w.length, n - std::min(n, w.begin));
      std::span<const float> piece = std::span<const float>(a.samples).subspan(w.begin, have);
      if (have < w.length) {  // past the end: zeros (a clip shorter than the user's segment)
        padded.assign(w.length, 0.0f);
        std::copy(piece.begin(), piece.end(), padded.begin());
        piece = padded;
      }
      const auto rows = p.run(piece, rate, src.name);
      const auto z = model.logits(rows, src.name);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const double t0 = static_cast<double>(w.begin) / rate + rows[i].offset;
        const double len = served_segment ? *served_segment : static_cast<double>(w.length) / rate;
        r.segments.push_back({t0, std::min(t0 + len, static_cast<double>(n) / rate), softmax(z[i]), z[i]});
        logits.push_back(z[i]);
      }
    }
    r.file = {0.0, static_cast<double>(n) / rate,
              aggregate(logits, r.windowed ? o.aggregate : PredictOptions::Aggregate::kMean), mean_logits(logits)};
  } catch (const std::exception& e) {  // Error, or libtorch's: the file's row says why
    const auto* error = dynamic_cast<const Error*>(&e);
    const std::string m = error && o.render ? error->message(o.render) : std::string(e.what());
    r.error = m.rfind(src.name, 0) == 0 && m.size() > src.name.size() + 2 ? m.substr(src.name.size() + 2) : m;
  }
  return r;
}

// Runs classify over the sources on `jobs` threads; results in source order.
std::vector<FileResult> classify_all(const SavedModel& model, const std::vector<detail::Source>& sources,
                                     const PredictOptions& o,
                                     const std::function<void(const PredictProgress&)>& progress) {
  std::vector<FileResult> results(sources.size());
  std::atomic<std::size_t> next{0};
  std::mutex report;
  PredictProgress prog{.done = 0, .total = sources.size(), .failed = 0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < sources.size();) {
      results[i] = classify(model, sources[i], o);
      std::lock_guard lock(report);
      ++prog.done;
      if (!results[i].error.empty()) ++prog.failed;
      if (progress) progress(prog);
    }
  };
  const int jobs = o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min<int>(jobs, static_cast<int>(sources.size())); ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return results;
}

std::string csv_header(const PredictOptions& o, bool segmented, const std::vector<std::string>& classes) {
  std::string h = "path";
  if (segmented) h += ",segment,start,end";
  if (o.labels) h += ",true_label";
  h += ",status,label,probability";
  for (int i = 2; i <= o.top_k; ++i) h += ",label_" + num(i) + ",probability_" + num(i);
  if (o.logits)
    for (const auto& c : classes) h.append(",").append(detail::csv_field(std::string("logit_").append(c)));
  return h + ",error\n";
}

// ,z0,z1,... in the shortest text that reads back as the same float.
std::string logit_fields(const std::vector<float>& z, std::size_t n_classes) {
  std::string out;
  char buf[32];
  for (std::size_t k = 0; k < n_classes; ++k) {
    if (k < z.size()) std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(z[k]));
    out.append(",").append(k < z.size() ? buf : "");
  }
  return out;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

// The file's rows: each segment (when segmented), then the file's own row.
std::string csv_rows(const detail::Source& src, const FileResult& r, const SavedModel& model, const PredictOptions& o,
                     bool segmented) {
  // Built with append: GCC 12 misreports "literal" + std::string&& under -Wrestrict.
  const std::string path = detail::csv_field(src.name);
  const std::string truth = o.labels ? std::string(",").append(detail::csv_field(src.label)) : "";
  const std::string empty_top = std::string(static_cast<std::size_t>(2 * o.top_k - 1), ',');
  const std::size_t K = o.logits ? model.classes().size() : 0;
  if (!r.error.empty())
    return path + (segmented ? ",file,," : "") + truth + ",failed," + empty_top + logit_fields({}, K) + "," +
           detail::csv_field(r.error) + "\n";
  std::string out;
  if (segmented)
    for (std::size_t i = 0; i < r.segments.size(); ++i)
      out += path + "," + num(i) + "," + seconds_text(r.segments[i].start) + "," + seconds_text(r.segments[i].end) +
             truth + ",ok," + top_fields(r.segments[i].probabilities, model.classes(), o.top_k) +
             logit_fields(r.segments[i].logits, K) + ",\n";
  out += path + (segmented ? ",file," + seconds_text(r.file.start) + "," + seconds_text(r.file.end) : "") + truth +
         ",ok," + top_fields(r.file.probabilities, model.classes(), o.top_k) + logit_fields(r.file.logits, K) + ",\n";
  return out;
}

}  // namespace

// The top k classes of a row as CSV fields: label,probability[,label_2,probability_2...].
std::string top_fields(const std::vector<float>& p, const std::vector<std::string>& classes, int k) {
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
  std::string out;
  char buf[32];
  for (int i = 0; i < k; ++i) {
    if (i) out += ',';
    if (static_cast<std::size_t>(i) >= order.size()) {
      out += ',';
      continue;
    }
    std::snprintf(buf, sizeof buf, "%.6f", std::min(1.0f, p[order[static_cast<std::size_t>(i)]]));
    out += detail::csv_field(classes[order[static_cast<std::size_t>(i)]]) + "," + buf;
  }
  return out;
}

// ---- live audio ----

StreamClassifier::StreamClassifier(const SavedModel& model, int sample_rate, std::optional<double> window,
                                   std::optional<double> every, bool pad_short)
    : model_(model), rate_(sample_rate) {
  if (sample_rate <= 0)
    throw_invalid_argument("sr", "the stream's sample rate sr=" + num(sample_rate) + " must be positive");
  const PipelineOptions& served = model.pipeline().options();
  const double w = window ? *window : served.pad_to ? *served.pad_to : served.segment ? *served.segment : 1.0;
  const double e = every ? *every : w / 2;
  if (!(w > 0 && std::isfinite(w) && w * sample_rate >= 1 && w * sample_rate <= 3600.0 * 192000))
    throw_invalid_argument("window", "window=" + num(w) + " must be positive seconds (at most an hour)");
  if (!(e > 0 && std::isfinite(e) && e * sample_rate >= 1))
    throw_invalid_argument("every", "every=" + num(e) + " must be positive seconds (at least one sample)");
  if (served.pad_to && w > *served.pad_to + 1e-9)
    throw_invalid_argument("window", "window=" + num(w) + " s is longer than the model's input (" +
                                         num(*served.pad_to) + " s): the rest of each window would be cut off");
  if (served.pad_to && w < *served.pad_to - 1e-9 && !pad_short)
    throw_invalid_argument("window", param_text("window", num(w)) + " s is shorter than the model's input (" +
                                         num(*served.pad_to) + " s): each window would be zero-padded, unlike " +
                                         "the clips it was trained on; leave out " + param_text("window") +
                                         ", or add " + param_text("pad_short") + " to pad on purpose");
  window_ = static_cast<std::size_t>(std::llround(w * sample_rate));
  every_ = static_cast<std::size_t>(std::max(1LL, std::llround(e * sample_rate)));
  next_end_ = window_;
}

StreamLabel StreamClassifier::label(std::size_t end_sample, std::size_t length) const {
  const std::size_t begin = end_sample - length;
  const std::span<const float> samples(buffer_.data() + (begin - buffer_start_), length);
  const std::string what = "stream at " + num(static_cast<double>(begin) / rate_) + " s";
  const auto rows = model_.pipeline().run(samples, rate_, what);
  const auto z = model_.logits(rows, what);
  return {static_cast<double>(begin) / rate_, static_cast<double>(end_sample) / rate_, softmax(mean_logits(z))};
}

std::vector<StreamLabel> StreamClassifier::accept(std::span<const float> samples) {
  buffer_.insert(buffer_.end(), samples.begin(), samples.end());
  total_ += samples.size();
  std::vector<StreamLabel> due;
  for (; next_end_ <= total_; next_end_ += every_, ++labels_) due.push_back(label(next_end_, window_));
  // Keep what the next window needs (from next_end_ - window_); compact once the dead part is the larger.
  // (and the last window's worth: finish() may label the stream's end).
  std::size_t keep_from = next_end_ > window_ ? next_end_ - window_ : 0;
  keep_from = std::min(keep_from, total_ > window_ ? total_ - window_ : 0);
  const std::size_t dead = std::min(keep_from, total_) - buffer_start_;
  if (dead > buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(dead));
    buffer_start_ += dead;
  }
  return due;
}

std::vector<StreamLabel> StreamClassifier::finish() {
  if (total_ == 0) throw Error(ErrorCode::kInvalidData, "input", "the stream ended before any audio arrived");
  std::vector<StreamLabel> last;
  if (labels_ > 0) {  // audio after the last label's end: one more window, aligned to the end (as predict's last)
    if (total_ > next_end_ - every_) last.push_back(label(total_, window_)), ++labels_;
    return last;
  }
  last.push_back(label(total_, total_));  // shorter than one window: padded as a short clip would be
  ++labels_;
  return last;
}

PredictSummary predict_files(const PredictOptions& options, std::string* csv_out,
                             const std::function<void(const PredictProgress&)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  options.validate();
  if (options.output.empty() && !csv_out) throw_invalid_argument("output", "give an output file");
  const SavedModel model = SavedModel::load(options.model);
  const PipelineOptions& served = model.pipeline().options();
  // The user's windows against the model's input, before any file is read (a file's own length is checked per file).
  const int probe_rate = served.sample_rate.value_or(16000);
  plan_windows(model.pipeline(), 0, probe_rate, window_request(options));
  const std::vector<detail::Source> sources = list_inputs(options);
  detail::set_torch_threads(1);  // parallel over files (jobs), not inside one small network
  const std::vector<FileResult> results = classify_all(model, sources, options, progress);

  const bool segmented = std::any_of(results.begin(), results.end(), [](const FileResult& r) { return r.windowed; });
  std::string csv = csv_header(options, segmented, model.classes());
  PredictSummary s;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    csv += csv_rows(sources[i], results[i], model, options, segmented);
    ++s.files;
    if (!results[i].error.empty()) {
      ++s.failed;
      continue;
    }
    if (segmented) s.segments += results[i].segments.size();
    if (results[i].windowed && !options.segment && !served.segment) {
      ++s.windowed_files;
      s.window_seconds = results[i].segments.front().end - results[i].segments.front().start;
    }
    if (options.labels) {
      const auto& p = results[i].file.probabilities;
      const auto best = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
      ++s.labelled;
      s.correct += model.classes()[best] == sources[i].label;
    }
  }
  if (options.output.empty()) {
    *csv_out += csv;
  } else {
    detail::AtomicFile f(options.output);
    f.write(csv.data(), csv.size());
    f.commit();
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace melnorm
