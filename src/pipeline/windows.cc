// The windows a classifier of fixed-length input sees of a clip (predict's
// segments): the whole clip is always covered, nothing is padded unless asked.
#include <cmath>
#include <cstdio>

#include "core/format.h"
#include "melnorm/error.h"
#include "melnorm/kaldi.h"
#include "melnorm/pipeline.h"

namespace melnorm {

using detail::num;

std::optional<std::size_t> Pipeline::input_samples(int sample_rate) const {
  if (options_.segment) return static_cast<std::size_t>(std::llround(*options_.segment * sample_rate));
  if (options_.pad_to) return static_cast<std::size_t>(std::llround(*options_.pad_to * sample_rate));
  if (!options_.target_frames) return std::nullopt;
  // The most samples whose frames fit in target_frames (frames grow with samples).
  PipelineOptions free = options_;
  free.target_frames.reset();
  const Pipeline untargeted(free);
  const auto frames = static_cast<std::size_t>(*options_.target_frames);
  std::size_t lo = 1, hi = 1;
  while (untargeted.n_frames(hi, sample_rate) <= frames) lo = hi, hi *= 2;
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    (untargeted.n_frames(mid, sample_rate) <= frames ? lo : hi) = mid;
  }
  return lo;
}

namespace {

std::size_t samples_of(double seconds, int rate, const char* param) {
  if (!(seconds > 0 && std::isfinite(seconds)))
    throw_invalid_argument(param, param_text(param, num(seconds)) + " must be positive seconds");
  const auto n = static_cast<std::size_t>(std::llround(seconds * rate));
  if (n == 0)
    throw_invalid_argument(param,
                           param_text(param, num(seconds)) + " is shorter than one sample at " + num(rate) + " Hz");
  return n;
}

std::string seconds_of(std::size_t n, int rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g s", static_cast<double>(n) / rate);
  return buf;
}

}  // namespace

std::vector<ClipWindow> plan_windows(const Pipeline& model, std::size_t n, int rate, const WindowRequest& r) {
  const PipelineOptions& served = model.options();
  if (served.segment) {  // trained on segments: the pipeline cuts its own
    if (r.segment)
      throw_invalid_argument("segment", "this model cuts its own segments of " + num(*served.segment) + " s (it was " +
                                            "trained on segments): leave out " + param_text("segment"));
    return {{0, n}};
  }
  const std::optional<std::size_t> input = model.input_samples(rate);
  std::size_t window = 0, hop = 0;
  if (r.segment) {
    window = samples_of(*r.segment, rate, "segment");
    if (input && window > *input)
      throw_invalid_argument("segment", param_text("segment", num(*r.segment)) +
                                            " s is longer than the model's input (" + seconds_of(*input, rate) +
                                            "): the rest of each segment would be cut off");
    if (input && window < *input && !r.pad_short)
      throw_invalid_argument("segment", param_text("segment", num(*r.segment)) +
                                            " s is shorter than the model's input (" + seconds_of(*input, rate) +
                                            "): each segment would be zero-padded, unlike the clips it was trained " +
                                            "on; leave out " + param_text("segment") + " (long files are classified " +
                                            "in windows of the model's length), or add " + param_text("pad_short") +
                                            " to pad on purpose");
    hop = r.hop ? samples_of(*r.hop, rate, "segment_hop") : window;
  } else if (input && n > *input) {
    if (r.whole_only)
      throw_invalid_argument("no_segment", "the file is " + seconds_of(n, rate) + ", longer than the model's input (" +
                                               seconds_of(*input, rate) + "), and " + param_text("no_segment") +
                                               " refuses to classify it in windows; leave it out to classify the " +
                                               "whole file in windows of " + seconds_of(*input, rate));
    window = *input;
    hop = r.hop ? samples_of(*r.hop, rate, "segment_hop") : std::max<std::size_t>(1, window / 2);
  } else {
    if (r.hop && !input)
      throw_invalid_argument("segment_hop", param_text("segment_hop") + " goes with " + param_text("segment") +
                                                " (this model takes clips of any length)");
    return {{0, n}};  // one window: the clip as it is (the pipeline pads a short one to the model's input)
  }
  // One window: a model of fixed input pads the clip as it padded its training clips.
  if (n <= window) return {{0, input ? n : window}};
  std::vector<ClipWindow> out;
  for (std::size_t begin = 0; begin + window <= n; begin += hop) out.push_back({begin, window});
  if (out.back().begin + window < n) out.push_back({n - window, window});  // the last, aligned to the end
  return out;
}

}  // namespace melnorm
