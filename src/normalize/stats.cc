#include "melnorm/stats.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/format.h"
#include "io/atomic_file.h"
#include "io/limits.h"
#include "io/text_file.h"
#include "melnorm/error.h"
#include "melnorm/npy.h"
#include "normalize/method.h"

namespace melnorm {

using detail::num;

BatchShape batch_shape(std::span<const std::size_t> shape, const std::string& what) {
  if (shape.size() == 2) return {1, shape[0], shape[1]};
  if (shape.size() == 3) return {shape[0], shape[1], shape[2]};
  throw Error(ErrorCode::kInvalidData, "X",
              what + ": spectrograms must be [F, T] or [B, F, T], got a " + num(shape.size()) + "-D array");
}

// ---- Moments ----

void Moments::merge(const Moments& o) {
  if (o.count == 0) return;
  if (count == 0) {
    *this = o;
    return;
  }
  const double na = static_cast<double>(count), nb = static_cast<double>(o.count), n = na + nb;
  const double delta = o.mean - mean;
  mean += delta * (nb / n);
  m2 += o.m2 + delta * delta * (na * nb / n);
  min = std::min(min, o.min);
  max = std::max(max, o.max);
  count += o.count;
}

double Moments::variance(int ddof) const {
  if (count <= static_cast<std::uint64_t>(std::max(ddof, 0))) return 0.0;
  return m2 / (static_cast<double>(count) - ddof);
}

double Moments::stddev(int ddof) const { return std::sqrt(variance(ddof)); }

Moments moments_of(const float* v, std::size_t n, std::size_t stride) {
  Moments m;
  if (n == 0) return m;
  // Four partial sums so the loops vectorise without reassociating by hand.
  double sum[4] = {}, dev[4] = {}, sq[4] = {};
  float lo = v[0], hi = v[0];
  std::size_t i = 0;
  if (stride == 1) {
    for (; i + 4 <= n; i += 4)
      for (int j = 0; j < 4; ++j) {
        sum[j] += v[i + j];
        lo = std::min(lo, v[i + j]);
        hi = std::max(hi, v[i + j]);
      }
  }
  for (; i < n; ++i) {
    const float x = v[i * stride];
    sum[0] += x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  m.count = n;
  m.mean = ((sum[0] + sum[1]) + (sum[2] + sum[3])) / static_cast<double>(n);
  // Second pass with the compensating term (Chan, Golub, LeVeque).
  i = 0;
  if (stride == 1) {
    for (; i + 4 <= n; i += 4)
      for (int j = 0; j < 4; ++j) {
        const double d = v[i + j] - m.mean;
        sq[j] += d * d;
        dev[j] += d;
      }
  }
  for (; i < n; ++i) {
    const double d = v[i * stride] - m.mean;
    sq[0] += d * d;
    dev[0] += d;
  }
  const double m2 = (sq[0] + sq[1]) + (sq[2] + sq[3]), comp = (dev[0] + dev[1]) + (dev[2] + dev[3]);
  m.m2 = std::max(0.0, m2 - comp * comp / static_cast<double>(n));
  m.min = lo;
  m.max = hi;
  return m;
}

namespace detail {

Moments extremes_of(const float* v, std::size_t n, std::size_t stride) {
  Moments m{.count = n, .mean = std::nan(""), .m2 = std::nan("")};
  if (n == 0) return m;
  float lo = v[0], hi = v[0];
  if (stride == 1) {
    float l4[4] = {v[0], v[0], v[0], v[0]}, h4[4] = {v[0], v[0], v[0], v[0]};
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (int j = 0; j < 4; ++j) l4[j] = std::min(l4[j], v[i + j]), h4[j] = std::max(h4[j], v[i + j]);
    for (; i < n; ++i) lo = std::min(lo, v[i]), hi = std::max(hi, v[i]);
    for (int j = 0; j < 4; ++j) lo = std::min(lo, l4[j]), hi = std::max(hi, h4[j]);
  } else {
    for (std::size_t i = 0; i < n; ++i) lo = std::min(lo, v[i * stride]), hi = std::max(hi, v[i * stride]);
  }
  m.min = lo, m.max = hi;
  return m;
}

}  // namespace detail

// ---- Histogram ----

namespace {
using detail::kMaxHistogramBins;
using detail::kMaxHistogramIndex;
}  // namespace

void Histogram::grow_to(std::int64_t lo, std::int64_t hi) {
  if (counts_.empty()) {
    first_bin_ = lo;
    counts_.assign(static_cast<std::size_t>(hi - lo + 1), 0);
    return;
  }
  const std::int64_t cur_hi = first_bin_ + static_cast<std::int64_t>(counts_.size()) - 1;
  const std::int64_t new_lo = std::min(lo, first_bin_), new_hi = std::max(hi, cur_hi);
  // Indices are within +-kMaxHistogramIndex (add() and from_json check), so this cannot overflow.
  if (new_hi - new_lo + 1 > kMaxHistogramBins)
    throw Error(ErrorCode::kInvalidData, "stats",
                "values span " + num(new_lo * resolution_) + " .. " + num(new_hi * resolution_) + ": more than " +
                    num(static_cast<double>(kMaxHistogramBins) * resolution_) + " units at histogram resolution " +
                    num(resolution_) + "; dataset statistics are meant for log-scaled (dB) features");
  if (new_lo < first_bin_) counts_.insert(counts_.begin(), static_cast<std::size_t>(first_bin_ - new_lo), 0);
  counts_.resize(static_cast<std::size_t>(new_hi - new_lo + 1), 0);
  first_bin_ = new_lo;
}

void Histogram::add(const float* values, std::size_t n) {
  if (n == 0) return;
  const auto [lo, hi] = std::minmax_element(values, values + n);
  add(values, n, *lo, *hi);
}

namespace {
// floor(x) as an integer without a libm call (baseline x86-64 has no roundsd).
inline std::int64_t floor_to_int(double x) {
  const auto i = static_cast<std::int64_t>(x);
  return i - (static_cast<double>(i) > x);
}
}  // namespace

void Histogram::add(const float* values, std::size_t n, float lo, float hi) {
  if (n == 0) return;
  const double inv = 1.0 / resolution_;
  for (const float v : {lo, hi})  // before the conversion to an integer bin index
    if (!(std::fabs(v * inv) <= static_cast<double>(kMaxHistogramIndex)))
      throw Error(ErrorCode::kInvalidData, "stats",
                  "value " + num(v) + " is beyond the histogram's range (|value| <= " +
                      num(static_cast<double>(kMaxHistogramIndex) * resolution_) + " at resolution " +
                      num(resolution_) + "); dataset statistics are meant for log-scaled (dB) features");
  grow_to(floor_to_int(lo * inv), floor_to_int(hi * inv));
  std::uint64_t* c = counts_.data() - first_bin_;
  for (std::size_t i = 0; i < n; ++i) ++c[floor_to_int(values[i] * inv)];
}

void Histogram::merge(const Histogram& o) {
  if (o.counts_.empty()) return;
  grow_to(o.first_bin_, o.first_bin_ + static_cast<std::int64_t>(o.counts_.size()) - 1);
  const std::size_t off = static_cast<std::size_t>(o.first_bin_ - first_bin_);
  for (std::size_t i = 0; i < o.counts_.size(); ++i) counts_[off + i] += o.counts_[i];
}

std::uint64_t Histogram::total() const {
  std::uint64_t t = 0;
  for (auto c : counts_) t += c;
  return t;
}

double Histogram::percentile(double q, double lo, double hi) const {
  if (!(q >= 0.0 && q <= 100.0)) throw_invalid_argument("q", "q=" + num(q) + " must be a percentile in [0, 100]");
  const std::uint64_t n = total();
  if (n == 0) throw Error(ErrorCode::kInvalidData, "stats", "percentile of empty statistics");
  if (q == 0.0) return lo;
  if (q == 100.0) return hi;
  // numpy "linear": the value at fractional rank q/100 * (n - 1) of the sorted data.
  const double rank = q / 100.0 * static_cast<double>(n - 1);
  const auto below = static_cast<std::uint64_t>(std::floor(rank));
  auto value_at = [&](std::uint64_t index) {  // centre of the bin holding sorted value `index`
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
      seen += counts_[b];
      if (seen > index) return (static_cast<double>(first_bin_ + static_cast<std::int64_t>(b)) + 0.5) * resolution_;
    }
    return hi;
  };
  const double a = value_at(below), b = value_at(std::min(below + 1, n - 1));
  return std::clamp(a + (b - a) * (rank - static_cast<double>(below)), lo, hi);
}

// ---- Stats ----

Stats::Stats(std::size_t n_bands, Fingerprint fingerprint, double resolution)
    : fingerprint_(std::move(fingerprint)),
      resolution_(resolution),
      bands_(n_bands),
      band_hists_(n_bands, Histogram(resolution)) {
  if (!(resolution > 0)) throw_invalid_argument("resolution", "resolution=" + num(resolution) + " must be positive");
}

void Stats::update(const float* s, std::size_t n_bands, std::size_t frames, std::size_t valid_frames) {
  const Item item{s, frames, valid_frames};
  update(std::span<const Item>(&item, 1), n_bands);
}

void Stats::update(std::span<const Item> items, std::size_t n_bands) {
  if (n_bands != bands_.size())
    throw Error(ErrorCode::kInvalidArgument, "n_mels",
                "spectrogram has " + num(n_bands) + " bands but the statistics have " + num(bands_.size()));
  for (const Item& it : items)
    if (it.valid_frames > it.frames)
      throw_invalid_argument("lengths",
                             "length " + num(it.valid_frames) + " is longer than the " + num(it.frames) + " frames");
  // Moments first (they find NaN/Inf before anything is counted), then the histograms band-major.
  std::vector<Moments> row_moments(items.size() * n_bands);
  for (std::size_t i = 0; i < items.size(); ++i) {
    for (std::size_t b = 0; b < n_bands; ++b) {
      const float* row = items[i].data + b * items[i].frames;
      const std::size_t n = items[i].valid_frames;
      const Moments m = moments_of(row, n);
      if (n && !std::isfinite(m.mean + m.m2)) {
        for (std::size_t t = 0; t < n; ++t)
          if (!std::isfinite(row[t]))
            throw Error(ErrorCode::kInvalidData, "X",
                        "spectrogram value at band " + num(b) + ", frame " + num(t) + " is " +
                            (std::isnan(row[t]) ? "NaN" : "infinite") + "; features must be finite");
      }
      row_moments[i * n_bands + b] = m;
    }
  }
  for (std::size_t b = 0; b < n_bands; ++b) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Moments& m = row_moments[i * n_bands + b];
      bands_[b].merge(m);
      overall_.merge(m);
      band_hists_[b].add(items[i].data + b * items[i].frames, items[i].valid_frames, static_cast<float>(m.min),
                         static_cast<float>(m.max));
    }
  }
}

void Stats::merge(const Stats& o) {
  if (o.bands_.size() != bands_.size())
    throw Error(ErrorCode::kInvalidArgument, "stats",
                "cannot merge statistics of " + num(o.bands_.size()) + " bands into " + num(bands_.size()));
  if (o.resolution_ != resolution_)
    throw Error(ErrorCode::kInvalidArgument, "stats", "cannot merge statistics with different histogram resolutions");
  o.check_fingerprint(fingerprint_);
  overall_.merge(o.overall_);
  for (std::size_t b = 0; b < bands_.size(); ++b) {
    bands_[b].merge(o.bands_[b]);
    band_hists_[b].merge(o.band_hists_[b]);
  }
}

double Stats::percentile(double q, std::optional<std::size_t> band) const {
  if (band) {
    if (*band >= bands_.size())
      throw_invalid_argument("band", "band " + num(*band) + " is out of range (" + num(bands_.size()) + " bands)");
    return band_hists_[*band].percentile(q, bands_[*band].min, bands_[*band].max);
  }
  return overall_histogram().percentile(q, overall_.min, overall_.max);
}

Histogram Stats::overall_histogram() const {
  Histogram h(resolution_);
  for (const auto& b : band_hists_) h.merge(b);
  return h;
}

void Stats::check_fingerprint(const Fingerprint& features) const {
  // Every difference, not the first: one changed option (sr) moves others (fmax) with it.
  std::string differences;
  for (const auto& [key, value] : fingerprint_) {
    const auto it = features.find(key);
    const std::string got = it == features.end() ? "(not recorded)" : it->second;
    if (got != value)
      differences += (differences.empty() ? "" : "; ") + key + ": stats " + value + " vs features " + got;
  }
  if (!differences.empty())
    throw Error(ErrorCode::kInvalidArgument, "stats", "statistics do not match the features: " + differences);
}

namespace {

nlohmann::ordered_json moments_to_json(const Moments& m, const Histogram& h) {
  return {{"count", m.count}, {"mean", m.mean}, {"m2", m.m2},
          {"min", m.min},     {"max", m.max},   {"histogram", {{"first_bin", h.first_bin()}, {"counts", h.counts()}}}};
}

// A histogram's bins within the limits, its counts summing (without
// wrapping) to `count`. `where` names the entry ("bands[3]").
void check_histogram(const Histogram& h, std::uint64_t count, const std::string& where) {
  const auto bins = static_cast<std::int64_t>(std::min<std::size_t>(h.counts().size(), kMaxHistogramBins + 1));
  if (bins > kMaxHistogramBins)
    throw std::runtime_error(where + ".histogram.counts has more than " + std::to_string(kMaxHistogramBins) + " bins");
  if (h.first_bin() < -kMaxHistogramIndex || h.first_bin() > kMaxHistogramIndex - bins)
    throw std::runtime_error(where + ".histogram.first_bin " + std::to_string(h.first_bin()) + " puts bins beyond +-" +
                             std::to_string(kMaxHistogramIndex));
  std::uint64_t total = 0;
  for (const std::uint64_t c : h.counts())
    if (__builtin_add_overflow(total, c, &total))
      throw std::runtime_error(where + ".histogram.counts add up to more than 2^64");
  if (total != count) throw std::runtime_error(where + ".histogram.counts do not add up to count");
}

void moments_from_json(const nlohmann::json& j, Moments& m, Histogram& h, const std::string& where) {
  m.count = j.at("count").get<std::uint64_t>();
  m.mean = j.at("mean").get<double>();
  m.m2 = j.at("m2").get<double>();
  m.min = j.at("min").get<double>();
  m.max = j.at("max").get<double>();
  const auto& hj = j.at("histogram");
  h.assign(hj.at("first_bin").get<std::int64_t>(), hj.at("counts").get<std::vector<std::uint64_t>>());
  check_histogram(h, m.count, where);
}

// The bands' histograms merge into one (overall_histogram()) within the bin limit.
void check_overall_span(std::span<const Histogram> hists) {
  std::int64_t lo = kMaxHistogramIndex, hi = -kMaxHistogramIndex;
  for (const Histogram& h : hists) {
    if (h.counts().empty()) continue;
    lo = std::min(lo, h.first_bin());
    hi = std::max(hi, h.first_bin() + static_cast<std::int64_t>(h.counts().size()) - 1);
  }
  if (hi >= lo && hi - lo + 1 > kMaxHistogramBins)
    throw std::runtime_error("band histograms span " + std::to_string(hi - lo + 1) + " bins (first_bin " +
                             std::to_string(lo) + " .. " + std::to_string(hi) + "); at most " +
                             std::to_string(kMaxHistogramBins));
}

}  // namespace

std::string Stats::to_json() const {
  nlohmann::ordered_json j;
  j["format"] = "melnorm-stats";
  j["version"] = kFormatVersion;
  j["fingerprint"] = fingerprint_;
  j["n_bands"] = bands_.size();
  j["histogram_resolution"] = resolution_;
  j["overall"] = moments_to_json(overall_, overall_histogram());
  j["bands"] = nlohmann::ordered_json::array();
  for (std::size_t b = 0; b < bands_.size(); ++b) j["bands"].push_back(moments_to_json(bands_[b], band_hists_[b]));
  return j.dump() + "\n";  // doubles are printed so that they read back exactly
}

void Stats::save(const std::filesystem::path& path) const {
  const std::string text = to_json();
  detail::AtomicFile out(path);
  out.write(text.data(), text.size());
  out.commit();
}

Stats Stats::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(ErrorCode::kIo, "stats", path.string() + ": no such statistics file");
  return from_json(detail::read_text_file(path, detail::kMaxJsonFileBytes, "stats"), path.string());
}

Stats Stats::from_json(const std::string& text, const std::string& origin) {
  const auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidData, "stats", origin + ": not a valid melnorm statistics file: " + why);
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("JSON parse error (truncated or corrupt?): ") + e.what());
  }
  try {
    if (j.value("format", std::string()) != "melnorm-stats") throw bad("no \"format\": \"melnorm-stats\"");
    const int version = j.at("version").get<int>();
    if (version != kFormatVersion)
      throw bad("version " + std::to_string(version) + " is not supported (this melnorm reads version " +
                std::to_string(kFormatVersion) + ")");
    // Counts are checked against the entries present before anything is sized by them.
    const std::size_t n_bands = j.at("n_bands").get<std::size_t>();
    const auto& bands = j.at("bands");
    if (!bands.is_array() || bands.size() != n_bands)
      throw bad("has " + std::to_string(bands.is_array() ? bands.size() : 0) +
                " band entries for n_bands=" + std::to_string(n_bands));
    Stats s(n_bands, j.at("fingerprint").get<Fingerprint>(), j.at("histogram_resolution").get<double>());
    Histogram overall(s.resolution_);  // redundant with the bands' histograms; checked for consistency
    moments_from_json(j.at("overall"), s.overall_, overall, "overall");
    for (std::size_t b = 0; b < n_bands; ++b)
      moments_from_json(bands[b], s.bands_[b], s.band_hists_[b], "bands[" + std::to_string(b) + "]");
    check_overall_span(s.band_hists_);
    return s;
  } catch (const Error& e) {
    if (std::string_view(e.what()).starts_with(origin)) throw;
    throw bad(e.what());
  } catch (const std::exception& e) { throw bad(e.what()); }
}

Stats fit_stats(std::span<const std::filesystem::path> files, FitSummary* summary) {
  constexpr std::size_t kGroupBytes = std::size_t{64} << 20;
  std::optional<Stats> stats;
  std::vector<std::vector<float>> group;  // decoded files waiting for a band-major update
  std::vector<Stats::Item> items;
  std::vector<std::size_t> item_file;  // which file each item came from, for error messages
  std::vector<std::filesystem::path> group_files;
  std::size_t group_bytes = 0, spectrograms = 0;
  auto flush = [&] {
    if (items.empty()) return;
    try {
      stats->update(items, stats->n_bands());
    } catch (const Error& e) {
      // Locate the file: re-run item by item on a scratch copy.
      Stats probe(stats->n_bands());
      for (std::size_t i = 0; i < items.size(); ++i) {
        try {
          probe.update(std::span<const Stats::Item>(&items[i], 1), stats->n_bands());
        } catch (const Error& inner) {
          throw Error(inner.code(), inner.param(), group_files[item_file[i]].string() + ": " + inner.what());
        }
      }
      throw;
    }
    group.clear();
    items.clear();
    item_file.clear();
    group_files.clear();
    group_bytes = 0;
  };
  for (const auto& file : files) {
    const NpyArray in = read_npy(file);
    const auto [B, F, T] = batch_shape(in.shape, file.string());
    if (!stats) stats.emplace(F, Fingerprint{{"n_mels", std::to_string(F)}});
    if (F != stats->n_bands())
      throw Error(ErrorCode::kInvalidData, "n_mels",
                  file.string() + ": has " + std::to_string(F) + " bands, the files before it " +
                      std::to_string(stats->n_bands()));
    group.push_back(in.to_float32());
    group_files.push_back(file);
    for (std::size_t i = 0; i < B; ++i) {
      items.push_back({group.back().data() + i * F * T, T, T});
      item_file.push_back(group_files.size() - 1);
    }
    spectrograms += B;
    group_bytes += group.back().size() * sizeof(float);
    if (group_bytes >= kGroupBytes) flush();
  }
  flush();
  if (!stats) throw Error(ErrorCode::kInvalidData, "path", "no feature files given");
  if (summary) *summary = {files.size(), spectrograms};
  return std::move(*stats);
}

}  // namespace melnorm
