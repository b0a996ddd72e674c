// Every normalization method x scope x axis on small hand-computed arrays,
// constant input, padded batches, bad input, and the registry.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "melnorm/error.h"
#include "melnorm/normalize.h"
#include "melnorm/pcen.h"
#include "normalize/method.h"
#include "test_util.h"

namespace melnorm {
namespace {

std::vector<float> run(const NormalizeOptions& o, std::vector<float> x, std::size_t batch, std::size_t bands,
                       std::size_t frames, std::vector<std::size_t> lengths = {}, const Stats* stats = nullptr) {
  Normalizer n(o, stats);
  n.apply(BatchView{x.data(), batch, bands, frames, lengths});
  return x;
}

void expect_near(const std::vector<float>& got, const std::vector<double>& want, double tol = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// A 2-band, 3-frame spectrogram: band 0 = 1 2 3, band 1 = 4 6 8.
const std::vector<float> kX = {1, 2, 3, 4, 6, 8};

TEST(Normalize, MinMaxLocalAllBandFrame) {
  expect_near(run({.method = "minmax"}, kX, 1, 2, 3), {0, 1 / 7., 2 / 7., 3 / 7., 5 / 7., 1});
  expect_near(run({.method = "minmax", .axis = Axis::kBand}, kX, 1, 2, 3), {0, .5, 1, 0, .5, 1});
  expect_near(run({.method = "minmax", .axis = Axis::kFrame}, kX, 1, 2, 3), {0, 0, 0, 1, 1, 1});
}

TEST(Normalize, ZscorePopulationAndUnbiased) {
  // band 0: mean 2, population std sqrt(2/3), unbiased std 1
  const double s = std::sqrt(2.0 / 3.0);
  expect_near(run({.method = "zscore", .axis = Axis::kBand}, kX, 1, 2, 3), {-1 / s, 0, 1 / s, -1 / s, 0, 1 / s});
  expect_near(run({.method = "zscore", .axis = Axis::kBand, .params = {{"ddof", 1}}}, kX, 1, 2, 3),
              {-1, 0, 1, -1, 0, 1});
  // frame axis: (1, 4) -> mean 2.5, std 1.5
  expect_near(run({.method = "zscore", .axis = Axis::kFrame}, kX, 1, 2, 3), {-1, -1, -1, 1, 1, 1});
}

TEST(Normalize, ZscoreMinmaxEqualsMinmaxUpToEps) {
  // The fact behind the seed-001 recipe: min-max after a per-item affine map equals min-max.
  std::vector<float> x = testing::white_noise(40 * 30, 7, 20.0);
  const auto a = run({.method = "zscore-minmax"}, x, 1, 40, 30);
  const auto b = run({.method = "minmax"}, x, 1, 40, 30);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6);
}

TEST(Normalize, RobustClipsToPercentiles) {
  std::vector<float> x(101);
  for (int i = 0; i <= 100; ++i) x[i] = static_cast<float>(i);
  x[100] = 1e6f;  // an outlier: the 99th percentile is 99 + 0.01 * (1e6 - 99)... numpy linear
  const auto y = run({.method = "robust", .params = {{"low", 10}, {"high", 90}}}, x, 1, 1, 101);
  EXPECT_NEAR(y[0], 0.0, 1e-6);    // below p10 = 10: clipped
  EXPECT_NEAR(y[50], 0.5, 1e-6);   // (50 - 10) / 80
  EXPECT_NEAR(y[100], 1.0, 1e-6);  // outlier clipped
}

TEST(Normalize, RobustZscoreUsesMedianAndIqr) {
  const std::vector<float> x = {1, 2, 3, 4, 100};  // median 3, p25 2, p75 4
  expect_near(run({.method = "robust-zscore"}, x, 1, 1, 5), {-1, -0.5, 0, 0.5, 48.5});
}

// Every registered method, `none` included: what its declaration promises.
std::vector<const MethodInfo*> every_method() {
  std::vector<const MethodInfo*> all;
  for (const auto& m : normalization_methods()) all.push_back(&m);
  all.push_back(&no_normalization());
  return all;
}

std::vector<Axis> axes_of(const MethodInfo& m) {
  if (m.supports_frame_axis()) return {Axis::kAll, Axis::kBand, Axis::kFrame};
  return {Axis::kAll, Axis::kBand};
}

TEST(Normalize, ConstantInputGivesZerosNeverNaN) {
  // Statistics methods: zeros (but a fixed affine map, whisper's). Others stay finite: a filter's output of a
  // constant input, the identity's the input itself.
  for (const MethodInfo* m : every_method()) {
    const float c = m->input == MethodInput::kLinearMagnitude ? 0.25f : -7.5f;
    for (Axis axis : axes_of(*m)) {
      const auto y = run({.method = m->name, .axis = axis}, std::vector<float>(12, c), 1, 3, 4);
      for (float v : y) {
        if (m->kind == MethodKind::kStatistics && m->constant_to_zero)
          EXPECT_EQ(v, 0.0f) << m->name << " " << to_string(axis);
        else if (m->kind == MethodKind::kIdentity) EXPECT_EQ(v, c) << m->name;
        else EXPECT_TRUE(std::isfinite(v)) << m->name << " " << to_string(axis);
      }
    }
  }
}

TEST(Normalize, EveryMethodRefusesNaNAndLeavesTheInput) {
  for (const MethodInfo* m : every_method()) {
    std::vector<float> x = {1, 2, 3, 4, std::nanf(""), 8};
    const std::vector<float> before = x;
    try {
      Normalizer({.method = m->name}).apply(BatchView{x.data(), 1, 2, 3});
      ADD_FAILURE() << m->name << " accepted NaN";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("item 0, band 1, frame 1 is NaN"), std::string::npos)
          << m->name << ": " << e.what();
    }
    EXPECT_EQ(std::memcmp(x.data(), before.data(), x.size() * 4), 0) << m->name << ": input changed on error";
  }
}

TEST(Normalize, EveryMethodZeroesPaddingAndHonoursItsDeclaredScopesAndAxes) {
  for (const MethodInfo* m : every_method()) {
    std::vector<float> x = {1, 3, 99, 5, 7, 99};
    const std::size_t lengths[] = {2};
    Normalizer({.method = m->name}).apply(BatchView{x.data(), 1, 2, 3, lengths});
    EXPECT_EQ(x[2], 0.0f) << m->name;
    EXPECT_EQ(x[5], 0.0f) << m->name;
    if (!m->supports_frame_axis()) {
      EXPECT_THROW(Normalizer({.method = m->name, .axis = Axis::kFrame}), Error) << m->name;
    }
    if (!m->supports_global) {
      EXPECT_THROW(Normalizer({.method = m->name, .scope = Scope::kGlobal}), Error) << m->name;
    }
  }
}

TEST(Normalize, FilterMethodsStreamExactly) {
  // A method with state along time: chunks through stream() equal one apply().
  std::vector<float> x = testing::white_noise(3 * 50, 11, 1.0);
  for (float& v : x) v = std::abs(v);
  for (const MethodInfo* m : every_method()) {
    const Normalizer n({.method = m->name});
    auto stream = n.stream(3);
    ASSERT_EQ(stream != nullptr, m->kind == MethodKind::kFilter) << m->name;
    if (!stream) continue;
    std::vector<float> whole = x;
    n.apply(BatchView{whole.data(), 1, 3, 50});
    std::vector<float> chunked = x;
    for (std::size_t t0 = 0; t0 < 50; t0 += 7)
      stream->process(chunked.data() + t0, std::min<std::size_t>(7, 50 - t0), 50);
    EXPECT_EQ(chunked, whole) << m->name;
  }
}

TEST(Normalize, FrameRateComesFromTheContextUnlessGiven) {
  for (const MethodInfo* m : every_method()) {
    const NormalizeOptions n = in_context({.method = m->name}, {.sample_rate = 16000, .hop_length = 160});
    EXPECT_EQ(!n.params.empty(), m->needs_frame_rate()) << m->name;
  }
  const NormalizeOptions p =
      in_context({.method = "pcen", .params = {{"sr", 8000}}}, {.sample_rate = 16000, .hop_length = 160});
  EXPECT_EQ(p.params.at("sr"), 8000);
  EXPECT_EQ(p.params.at("hop_length"), 160);
  EXPECT_TRUE(in_context({.method = "pcen"}, {}).params.empty());
}

TEST(Normalize, PaddedFramesAreExcludedAndZeroed) {
  // item 0 valid 2 of 4 frames; the padding holds garbage that must not count.
  std::vector<float> x = {1, 3, 99, -99, 5, 7, 99, -99, /* item 1 */ 0, 1, 2, 3, 0, 1, 2, 3};
  const auto y = run({.method = "minmax"}, x, 2, 2, 4, {2, 4});
  expect_near(y, {0, 1 / 3., 0, 0, 2 / 3., 1, 0, 0, 0, 1 / 3., 2 / 3., 1, 0, 1 / 3., 2 / 3., 1});
  // a zero-length item becomes all zeros
  const auto z = run({.method = "zscore"}, x, 2, 2, 4, {0, 4});
  for (int i = 0; i < 8; ++i) EXPECT_EQ(z[i], 0.0f);
}

TEST(Normalize, GlobalUsesFittedStatistics) {
  Stats s(2);
  const std::vector<float> train = {0, 10, 0, 10, 20, 40, 20, 40};  // band 0: 0..10, band 1: 20..40
  s.update(train.data(), 2, 4);
  const std::vector<float> x = {5, 15, 30, 40};
  expect_near(run({.method = "minmax", .scope = Scope::kGlobal}, x, 1, 2, 2, {}, &s), {5 / 40., 15 / 40., 30 / 40., 1});
  expect_near(run({.method = "minmax", .scope = Scope::kGlobal, .axis = Axis::kBand}, x, 1, 2, 2, {}, &s),
              {0.5, 1.5, 0.5, 1.0});
  expect_near(run({.method = "minmax", .scope = Scope::kGlobal, .axis = Axis::kBand, .params = {{"clip", 1}}}, x, 1, 2,
                  2, {}, &s),
              {0.5, 1.0, 0.5, 1.0});
  // zscore global band: band 0 mean 5 std 5
  expect_near(run({.method = "zscore", .scope = Scope::kGlobal, .axis = Axis::kBand}, x, 1, 2, 2, {}, &s),
              {0, 2, 0, 1});
  // robust-zscore global from the histogram: to within its resolution
  const auto r = run({.method = "robust-zscore", .scope = Scope::kGlobal, .axis = Axis::kBand}, x, 1, 2, 2, {}, &s);
  EXPECT_NEAR(r[0], 0.0, 0.01);  // 5 is band 0's median
}

TEST(Normalize, BadInputIsAClearError) {
  std::vector<float> x = kX;
  x[4] = std::nanf("");
  const std::vector<float> before = x;
  Normalizer n({.method = "minmax"});
  try {
    n.apply(BatchView{x.data(), 1, 2, 3});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("item 0, band 1, frame 1 is NaN"), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::memcmp(x.data(), before.data(), x.size() * 4), 0) << "input changed on error";
  std::vector<float> y = kX;
  const std::size_t too_long[] = {4};
  EXPECT_THROW(n.apply(BatchView{y.data(), 1, 2, 3, too_long}), Error);
  EXPECT_THROW(Normalizer({.method = "l2"}), Error);
  EXPECT_THROW(Normalizer({.method = "minmax", .scope = Scope::kGlobal}), Error);  // no stats
  EXPECT_THROW(Normalizer({.method = "zscore", .params = {{"ddof", 3}}}), Error);
  EXPECT_THROW(Normalizer({.method = "zscore", .params = {{"gain", 1}}}), Error);
  EXPECT_THROW(Normalizer({.method = "robust", .params = {{"low", 90}, {"high", 10}}}), Error);
  EXPECT_THROW(Normalizer({.method = "pcen", .scope = Scope::kGlobal}), Error);
  Stats s(3);
  const std::vector<float> t(6, 1.0f);
  s.update(t.data(), 3, 2);
  Normalizer g({.method = "zscore", .scope = Scope::kGlobal}, &s);
  EXPECT_THROW(g.apply(BatchView{y.data(), 1, 2, 3}), Error);  // 2 bands vs 3
  EXPECT_THROW(parse_scope("dataset"), Error);
  EXPECT_THROW(parse_axis("time"), Error);
}

TEST(Registry, EveryMethodDeclaresDescriptionUnitRangeAndParameters) {
  std::string names;
  for (const MethodInfo* m : every_method()) {
    if (m->kind != MethodKind::kIdentity) names += (names.empty() ? "" : ", ") + m->name;
    EXPECT_FALSE(m->description.empty()) << m->name;
    EXPECT_FALSE(m->range.empty()) << m->name;
    EXPECT_EQ(m->unit.empty(), m->kind == MethodKind::kIdentity) << m->name << ": only none keeps the input's unit";
    EXPECT_EQ(find_method(m->name).unit, m->unit) << m->name;
    for (const auto& p : m->params) {
      EXPECT_LE(p.min, p.default_value) << m->name << "." << p.name;
      EXPECT_GE(p.max, p.default_value) << m->name << "." << p.name;
      const double pipeline_default = p.pipeline_default.value_or(p.default_value);
      EXPECT_TRUE(pipeline_default >= p.min && pipeline_default <= p.max) << m->name << "." << p.name;
    }
  }
  EXPECT_EQ(find_method("pcen").supports_global, false);
  EXPECT_EQ(find_method("pcen").input, MethodInput::kLinearMagnitude);
  EXPECT_TRUE(find_method("pcen").needs_frame_rate());
  try {
    find_method("l2");
    FAIL();
  } catch (const Error& e) {  // the listed methods, in registry order; none is accepted but not listed
    EXPECT_NE(std::string(e.what()).find("allowed: " + names), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("none"), std::string::npos) << e.what();
  }
}

// A method that declares extremes_only gets a group's min and max without its mean and M2: its maps must be
// those it makes from full moments (the NaN mean and M2 would show in them otherwise).
TEST(Registry, AnExtremesOnlyMethodMakesTheMapsOfFullMoments) {
  const std::vector<float> v = testing::white_noise(1001, 7, 3.0f);
  std::size_t checked = 0;
  for (const detail::MethodEntry& e : detail::method_entries()) {
    if (!e.extremes_only) continue;
    ASSERT_NE(e.transform, nullptr) << e.info.name;
    EXPECT_TRUE(e.percentiles.empty()) << e.info.name;
    const detail::Params defaults = [&](const std::string& name) {
      for (const auto& prm : e.info.params)
        if (prm.name == name) return prm.default_value;
      return 0.0;
    };
    for (std::size_t stride : {std::size_t{1}, std::size_t{3}}) {
      const std::size_t n = v.size() / stride;
      const detail::Transform full =
          e.transform({.moments = moments_of(v.data(), n, stride), .percentile = {}}, defaults);
      const detail::Transform fast =
          e.transform({.moments = detail::extremes_of(v.data(), n, stride), .percentile = {}}, defaults);
      for (float x : {-5.0f, -1.0f, 0.0f, 0.3f, 2.0f, 9.0f}) EXPECT_EQ(fast(x), full(x)) << e.info.name << " " << x;
      EXPECT_EQ(fast.zero, full.zero) << e.info.name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 2u);  // minmax, whisper
}

TEST(Registry, DocsListEveryMethod) {
  std::ifstream in(std::string(MELNORM_SOURCE_DIR) + "/docs/normalization.md");
  ASSERT_TRUE(in) << "docs/normalization.md";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(doc.find(methods_markdown()), std::string::npos)
      << "docs/normalization.md differs from the registry: regenerate its table with `melnorm methods --markdown`";
}

}  // namespace
}  // namespace melnorm

// --- every method x scope x axis against a brute-force reference ---

namespace melnorm {
namespace {

// Straightforward per-group reference: sorts for percentiles, double throughout.
double reference_percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double rank = q / 100.0 * static_cast<double>(v.size() - 1);
  const std::size_t k = static_cast<std::size_t>(rank);
  return k + 1 < v.size() ? v[k] + (v[k + 1] - v[k]) * (rank - k) : v[k];
}

std::vector<double> reference_group(const std::string& method, const std::vector<double>& g,
                                    const std::vector<double>& fit) {
  double mean = 0, var = 0;
  for (double v : fit) mean += v;
  mean /= fit.size();
  for (double v : fit) var += (v - mean) * (v - mean);
  const double lo = *std::min_element(fit.begin(), fit.end()), hi = *std::max_element(fit.begin(), fit.end());
  std::vector<double> out;
  for (double x : g) {
    if (method == "minmax") out.push_back((x - lo) / (hi - lo));
    else if (method == "zscore") out.push_back((x - mean) / std::sqrt(var / fit.size()));
    else if (method == "zscore-minmax") {
      const double s = std::sqrt(var / (fit.size() - 1)) + 1e-6;
      const double z = std::clamp((x - mean) / s, (lo - mean) / s, (hi - mean) / s);
      out.push_back((z - (lo - mean) / s) / ((hi - lo) / s));
    } else if (method == "robust") {
      const double a = reference_percentile(fit, 1), b = reference_percentile(fit, 99);
      out.push_back((std::clamp(x, a, b) - a) / (b - a));
    } else {  // robust-zscore
      out.push_back((x - reference_percentile(fit, 50)) /
                    (reference_percentile(fit, 75) - reference_percentile(fit, 25)));
    }
  }
  return out;
}

TEST(NormalizeExhaustive, EveryMethodScopeAxisMatchesBruteForce) {
  const std::size_t B = 3, F = 5, T = 17;
  auto train = testing::white_noise(B * F * T, 11, 30.0);
  auto x = testing::white_noise(B * F * T, 12, 30.0);
  Stats stats(F);
  for (std::size_t i = 0; i < B; ++i) stats.update(train.data() + i * F * T, F, T);
  auto at = [&](const std::vector<float>& v, std::size_t i, std::size_t b, std::size_t t) {
    return double(v[(i * F + b) * T + t]);
  };
  for (const std::string method : {"minmax", "zscore", "zscore-minmax", "robust", "robust-zscore"}) {
    const bool binned = method == "robust" || method == "robust-zscore";
    for (Scope scope : {Scope::kLocal, Scope::kGlobal}) {
      for (Axis axis : {Axis::kAll, Axis::kBand, Axis::kFrame}) {
        if (scope == Scope::kGlobal && axis == Axis::kFrame) continue;
        const auto got = run({.method = method, .scope = scope, .axis = axis}, x, B, F, T, {},
                             scope == Scope::kGlobal ? &stats : nullptr);
        // Global percentiles come from a 0.01-wide histogram: allow for that in the output's units.
        const double tol = scope == Scope::kGlobal && binned ? 0.002 : 2e-5;
        for (std::size_t i = 0; i < B; ++i) {
          // groups: list of (band, frame) positions sharing statistics
          std::vector<std::vector<std::pair<std::size_t, std::size_t>>> groups;
          if (axis == Axis::kAll) {
            groups.emplace_back();
            for (std::size_t b = 0; b < F; ++b)
              for (std::size_t t = 0; t < T; ++t) groups.back().push_back({b, t});
          } else if (axis == Axis::kBand) {
            for (std::size_t b = 0; b < F; ++b) {
              groups.emplace_back();
              for (std::size_t t = 0; t < T; ++t) groups.back().push_back({b, t});
            }
          } else {
            for (std::size_t t = 0; t < T; ++t) {
              groups.emplace_back();
              for (std::size_t b = 0; b < F; ++b) groups.back().push_back({b, t});
            }
          }
          for (const auto& group : groups) {
            std::vector<double> values, fit;
            for (auto [b, t] : group) values.push_back(at(x, i, b, t));
            if (scope == Scope::kLocal) fit = values;
            else
              for (std::size_t j = 0; j < B; ++j)
                for (std::size_t b = 0; b < F; ++b)
                  if (axis == Axis::kAll || b == group.front().first)
                    for (std::size_t t = 0; t < T; ++t) fit.push_back(at(train, j, b, t));
            const auto want = reference_group(method, values, fit);
            for (std::size_t k = 0; k < group.size(); ++k)
              ASSERT_NEAR(at(got, i, group[k].first, group[k].second), want[k], tol)
                  << method << " " << to_string(scope) << " " << to_string(axis) << " item " << i;
          }
        }
      }
    }
  }
}

TEST(Pcen, SmoothingCoefficientZeroPowerAndASeparateReference) {
  const std::size_t T = 6;
  std::vector<float> s = {1, 4, 2, 8, 3, 5}, ref = {2, 4, 4, 8, 8, 5};
  const double b = 0.3, gain = 0.9, bias = 2.0, eps = 1e-6;
  // librosa.pcen written out: M = lfilter([b], [1, b - 1], ref, zi = 1 - b); smooth = (eps + M)^-gain
  auto expected = [&](double power, bool with_ref) {
    std::vector<double> out;
    double z = 1 - b;
    for (std::size_t t = 0; t < T; ++t) {
      const double m = b * (with_ref ? ref[t] : s[t]) + z;
      z = (1 - b) * m;
      const double smooth = std::exp(-gain * (std::log(eps) + std::log1p(m / eps)));
      out.push_back(power == 0 ? std::log1p(s[t] * smooth)
                               : std::pow(bias, power) * std::expm1(power * std::log1p(s[t] * smooth / bias)));
    }
    return out;
  };
  for (double power : {0.0, 0.5}) {
    for (bool with_ref : {false, true}) {
      std::vector<float> x = s;
      Pcen p({.gain = gain, .bias = bias, .power = power, .eps = eps, .b = b}, 1);
      p.process(x.data(), with_ref ? ref.data() : nullptr, T, T, T);
      const auto want = expected(power, with_ref);
      for (std::size_t t = 0; t < T; ++t) EXPECT_NEAR(x[t], want[t], 1e-5 * std::max(1.0, std::abs(want[t])));
    }
  }
  EXPECT_THROW(Pcen({.b = 1.5}, 1), Error);
  EXPECT_THROW(Pcen({.power = -1}, 1), Error);
  EXPECT_DOUBLE_EQ(PcenOptions{.b = 0.25}.smoothing(), 0.25);
}

TEST(Normalize, GlobalMapsReproduceApply) {
  const std::size_t F = 4, T = 9;
  const auto train = testing::white_noise(2 * F * T, 21, 10.0);
  const auto x = testing::white_noise(F * T, 22, 10.0);
  Stats stats(F);
  stats.update(train.data(), F, T);
  stats.update(train.data() + F * T, F, T);
  for (const std::string method : {"minmax", "zscore", "zscore-minmax", "robust", "robust-zscore"}) {
    for (Axis axis : {Axis::kAll, Axis::kBand}) {
      const Normalizer n({.method = method, .scope = Scope::kGlobal, .axis = axis}, &stats);
      const auto maps = n.global_maps();
      ASSERT_EQ(maps.size(), axis == Axis::kBand ? F : 1u);
      std::vector<float> got = x;
      n.apply(BatchView{got.data(), 1, F, T, {}});
      for (std::size_t b = 0; b < F; ++b)
        for (std::size_t t = 0; t < T; ++t) {
          const auto& g = maps[axis == Axis::kBand ? b : 0];
          double z = (x[b * T + t] - g.shift1) * g.scale1;
          if (g.clamp) z = std::clamp(z, g.lo, g.hi);
          const double want = g.zero ? 0.0 : (z - g.shift2) * g.scale2;
          EXPECT_NEAR(got[b * T + t], want, 1e-5) << method;
        }
    }
  }
  EXPECT_TRUE(Normalizer({.method = "zscore"}).global_maps().empty());
}

}  // namespace
}  // namespace melnorm
