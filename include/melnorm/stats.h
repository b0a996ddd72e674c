// Dataset statistics in one streaming pass: count, mean and variance
// (exact two-pass moments per row, combined with Chan et al.'s parallel
// update across rows, files and workers: Welford's method in blocks), min, max
// and a fixed-resolution histogram for percentiles, per mel band and
// overall. Memory depends on n_bands and the value range, never on how many
// spectrograms were seen. Saved as versioned JSON with the fingerprint of the
// feature options it was fitted under.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace melnorm {

// Feature options the statistics belong to: option name -> value as text
// ("n_mels" -> "128", "db" -> "max"). Compared key by key.
using Fingerprint = std::map<std::string, std::string>;

// The batch layout of an array shape: [F, T] is one spectrogram, [B, F, T]
// a batch. Throws Error "<what>: spectrograms must be [F, T] or [B, F, T], got a N-D array".
// (Here rather than in normalize.h: fitting statistics reads batches too, and
// normalize depends on stats, not the reverse.)
struct BatchShape {
  std::size_t batch, bands, frames;
};
BatchShape batch_shape(std::span<const std::size_t> shape, const std::string& what);

// Count, mean, sum of squared deviations (M2), min and max of a set of values.
struct Moments {
  std::uint64_t count = 0;
  double mean = 0.0;
  double m2 = 0.0;
  double min = 0.0;
  double max = 0.0;

  // Adds n values whose own mean and M2 are known (Chan et al.'s parallel update).
  void merge(const Moments& other);
  // Variance with `ddof` delta degrees of freedom (0: population, 1: unbiased); 0 when undefined.
  double variance(int ddof = 0) const;
  double stddev(int ddof = 0) const;
};

// Moments of `n` values, computed in double (two passes over the values).
Moments moments_of(const float* values, std::size_t n, std::size_t stride = 1);

// Counts of values in bins of fixed width; the covered range grows as needed.
class Histogram {
 public:
  explicit Histogram(double resolution = 0.01) : resolution_(resolution) {}
  void add(const float* values, std::size_t n);
  // Same, when the values' min and max are already known.
  void add(const float* values, std::size_t n, float lo, float hi);
  void merge(const Histogram& other);
  // The q-th percentile (0..100), to within `resolution`, numpy's "linear"
  // definition on the binned values; clamped to [lo, hi] (the exact min/max).
  double percentile(double q, double lo, double hi) const;
  std::uint64_t total() const;
  double resolution() const { return resolution_; }
  std::int64_t first_bin() const { return first_bin_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }
  void assign(std::int64_t first_bin, std::vector<std::uint64_t> counts) {
    first_bin_ = first_bin;
    counts_ = std::move(counts);
  }

 private:
  void grow_to(std::int64_t lo, std::int64_t hi);
  double resolution_;
  std::int64_t first_bin_ = 0;
  std::vector<std::uint64_t> counts_;
};

class Stats {
 public:
  static constexpr int kFormatVersion = 1;
  static constexpr double kDefaultResolution = 0.01;  // histogram bin width (dB for log-mel features)

  Stats() = default;
  explicit Stats(std::size_t n_bands, Fingerprint fingerprint = {}, double resolution = kDefaultResolution);

  // Adds one spectrogram [n_bands][frames] (row-major, row stride `frames`),
  // of which only the first `valid_frames` frames count. Throws Error on
  // NaN/Inf (with the position) or a band count other than n_bands().
  void update(const float* spectrogram, std::size_t n_bands, std::size_t frames, std::size_t valid_frames);
  void update(const float* spectrogram, std::size_t n_bands, std::size_t frames) {
    update(spectrogram, n_bands, frames, frames);
  }
  // Many spectrograms at once, band by band: one band's histogram stays in
  // cache while every item's row is counted (several times faster than one
  // update() per item for large batches). Same result as one update() each.
  struct Item {
    const float* data;         // [n_bands][frames]
    std::size_t frames;        // row stride
    std::size_t valid_frames;  // frames that count
  };
  void update(std::span<const Item> items, std::size_t n_bands);
  // Combines statistics of other data (e.g. another worker's); the result
  // equals one pass over both. Throws Error when band counts or fingerprints differ.
  void merge(const Stats& other);

  std::size_t n_bands() const { return bands_.size(); }
  std::uint64_t count() const { return overall_.count; }
  const Moments& overall() const { return overall_; }
  const Moments& band(std::size_t b) const { return bands_.at(b); }
  // All bands' histograms merged (computed on each call).
  Histogram overall_histogram() const;
  const Histogram& band_histogram(std::size_t b) const { return band_hists_.at(b); }
  // q in [0, 100]; `band` unset: over all bands.
  double percentile(double q, std::optional<std::size_t> band = std::nullopt) const;

  const Fingerprint& fingerprint() const { return fingerprint_; }
  void set_fingerprint(Fingerprint f) { fingerprint_ = std::move(f); }
  // Throws Error naming the first option whose value differs (or is missing).
  void check_fingerprint(const Fingerprint& features) const;

  // Versioned JSON, written atomically. load() throws Error naming the file
  // and what is wrong (missing, not JSON, truncated, wrong version).
  void save(const std::filesystem::path& path) const;
  static Stats load(const std::filesystem::path& path);
  // The same JSON as a string (exact: doubles read back bit for bit), for
  // sending statistics between processes. `origin` names the source in errors.
  std::string to_json() const;
  static Stats from_json(const std::string& text, const std::string& origin = "statistics");

 private:
  Fingerprint fingerprint_;
  double resolution_ = kDefaultResolution;
  Moments overall_;
  std::vector<Moments> bands_;
  std::vector<Histogram> band_hists_;
};

// Fits statistics on .npy feature files ([F, T] or [B, F, T], any float
// dtype), reading them in groups of about 64 MB and updating band by band.
// The fingerprint is {"n_mels": F}. Throws Error naming the file for a bad
// rank, a band count that differs from the first file's, or NaN/Inf.
struct FitSummary {
  std::size_t files = 0;
  std::size_t spectrograms = 0;
};
Stats fit_stats(std::span<const std::filesystem::path> files, FitSummary* summary = nullptr);

}  // namespace melnorm
