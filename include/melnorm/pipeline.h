// One feature pipeline: decode -> mono -> resample -> pad/segment -> mel ->
// dB (per item) -> normalization (local, or global with fitted Stats).
// `melnorm mel|extract|show`, melnorm.extract, melnorm.dask, melnorm.torch
// and melnorm.Pipeline all run this object, so the features a model is
// trained on and the features it sees in use are the same bytes.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "melnorm/audio.h"
#include "melnorm/matrix.h"
#include "melnorm/pipeline_options.h"
#include "melnorm/stats.h"

namespace melnorm {

// One row of a clip's features: a segment, or the whole (padded) clip.
// What Pipeline::run_file decoded: mono samples at `sample_rate` (after any resampling).
struct Decoded {
  std::size_t samples = 0;
  int sample_rate = 0;
};

struct PipelineRow {
  double offset = 0.0;  // seconds into the clip
  Matrix features;      // [bins][frames], or [frames][bins] with layout=time_first (run())
};

class Pipeline {
 public:
  static constexpr int kFormatVersion = 2;

  // Validates; with a global scope `stats` is required and must match the
  // features' fingerprint (refused naming the field and both values).
  explicit Pipeline(PipelineOptions options, std::optional<Stats> stats = std::nullopt);
  ~Pipeline();
  Pipeline(const Pipeline&);
  Pipeline& operator=(const Pipeline&);
  Pipeline(Pipeline&&) noexcept;
  Pipeline& operator=(Pipeline&&) noexcept;

  const PipelineOptions& options() const { return options_; }
  const Stats* stats() const { return stats_ ? &*stats_ : nullptr; }
  bool needs_stats() const;  // global scope
  // A copy that normalizes with these statistics (checked as the constructor does).
  Pipeline with_stats(Stats stats) const;

  // Every option, resolved ("sr" -> "16000", "fmax" -> "8000").
  OptionValues describe() const { return option_values(options_); }
  // What changes output bytes, resolved; statistics are of the features up to normalization.
  Fingerprint fingerprint() const { return fingerprint_of(options_); }
  Fingerprint features_fingerprint() const { return fingerprint_of(options_, OptionStage::kNormalize); }

  // Versioned JSON: {"format_version", "melnorm_version", "options", "fingerprint"}.
  std::string to_json() const;
  // `origin` names the source in errors (a file path); a record of another
  // format version, or one whose fingerprint disagrees with its options, is refused.
  static PipelineOptions options_from_json(const std::string& text, const std::string& origin);

  // Decodes a file (mono) at the pipeline's rate.
  Audio load(const std::filesystem::path& path) const;
  // One clip (mono samples at `sample_rate` Hz, resampled when the pipeline's
  // rate differs) -> its rows. Errors name `what` (the file, or "waveform").
  std::vector<PipelineRow> run(std::span<const float> samples, int sample_rate,
                               const std::string& what = "waveform") const;
  // The same in [bins][frames] whatever the layout (what datasets and the experiment's network read).
  std::vector<PipelineRow> run_bins_first(std::span<const float> samples, int sample_rate,
                                          const std::string& what = "waveform") const;
  // Before normalization, [bins][frames] (what statistics are fitted on).
  std::vector<PipelineRow> run_unnormalized(std::span<const float> samples, int sample_rate,
                                            const std::string& what = "waveform") const;
  // run(load(path)) for an audio file, the same bytes, decoded and framed in blocks where the options allow
  // (a file of 2^20 samples or more at the pipeline's rate, a decoder that streams: libsndfile's formats; no pad_to,
  // segment, target_frames or subtract_mean): peak memory is then the output plus a bounded working set, not the
  // waveform. Otherwise the file is loaded whole. `decoded`: set to what was decoded (mono samples at
  // their rate: the pipeline's, or the file's when it has none). Errors name `what` (default: the path).
  std::vector<PipelineRow> run_file(const std::filesystem::path& path, Decoded* decoded = nullptr,
                                    const std::string& what = "") const;
  // The same before normalization, [bins][frames] (run_unnormalized of the loaded file).
  std::vector<PipelineRow> run_file_unnormalized(const std::filesystem::path& path, Decoded* decoded = nullptr,
                                                 const std::string& what = "") const;
  // run_file's rows handed to `on_row` one by one as they are computed: a long file cut into segments
  // (segment, no pad_to) is decoded in blocks and each segment's row passed on as the decoder reaches it,
  // so memory holds a segment and its row, not the file or its output. The same rows, in order, as
  // run_file (normalized) or run_file_unnormalized. Returns what was decoded.
  Decoded for_each_file_row(const std::filesystem::path& path, bool normalized,
                            const std::function<void(PipelineRow&&)>& on_row, const std::string& what = "") const;
  // Rows (and frames per row) a clip of n samples at the pipeline's rate gives.
  std::size_t n_rows(std::size_t n_samples, int sample_rate) const;
  std::size_t n_frames(std::size_t n_samples, int sample_rate) const;
  // The samples one input of a model on these features holds: its segment,
  // pad_to, or the most that fit in target_frames; none for clips of any length.
  std::optional<std::size_t> input_samples(int sample_rate) const;

 private:
  struct Engines;
  struct RateEngines;                          // the front end and normalizer at one rate
  RateEngines& engine(int sample_rate) const;  // made on first use (a shared rate refuses a second)
  std::vector<PipelineRow> compute(std::span<const float> samples, int sample_rate, const std::string& what,
                                   bool normalized) const;
  std::function<void(int from)> said_resampled() const;  // the preset's "resampled to" note, once per rate
  std::vector<PipelineRow> compute_file(const std::filesystem::path& path, Decoded* decoded, const std::string& what,
                                        bool normalized) const;
  PipelineOptions options_;
  std::optional<Stats> stats_;
  std::shared_ptr<Engines> engines_;  // per sample rate; thread-safe
};

// [bins][frames] in the given layout (a transpose for time_first).
Matrix to_layout(Matrix features, Layout layout);

// Cuts a clip into the pieces the options ask for: (offset in samples, samples).
std::vector<std::pair<std::size_t, std::vector<float>>> cut_clip(const PipelineOptions& options,
                                                                 std::span<const float> samples, int sample_rate);

// A window of a clip, in samples: [begin, begin + length). A window that
// runs past the clip's end is padded with zeros (a clip shorter than the input).
struct ClipWindow {
  std::size_t begin = 0, length = 0;
};

// What the user asked of predict's windows (seconds).
struct WindowRequest {
  std::optional<double> segment, hop;  // segment / segment_hop: the user's windows
  bool whole_only = false;             // no_segment: refuse a clip longer than the model's input
  bool pad_short = false;              // a segment shorter than the model's input is padded on purpose
};

// The windows predict classifies of a clip of n samples at `rate` (the
// model's pipeline's rate). A clip longer than the model's input is covered
// whole: windows of the input's length every `hop` (default half of it), the
// last aligned to the clip's end, so no audio is dropped or invented; a
// `segment` shorter than the input is refused unless pad_short. A model
// trained on segments, or a clip that fits, is one window: the clip itself.
std::vector<ClipWindow> plan_windows(const Pipeline& model, std::size_t n, int rate, const WindowRequest& request);

}  // namespace melnorm
