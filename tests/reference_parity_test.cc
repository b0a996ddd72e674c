// Parity with ../shared/reference/cases.json: librosa 0.10.2 melspectrogram
// (+ power_to_db / amplitude_to_db) and torchaudio 0.13.1 MelSpectrogram.
#include <nlohmann/json.hpp>

#include <fstream>

#include "melnorm/mel_spectrogram.h"
#include "melnorm/npy.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::reference_dir;

nlohmann::json load_cases() {
  const auto path = reference_dir() / "cases.json";
  std::ifstream in(path);
  if (!in) return nlohmann::json::array();
  return nlohmann::json::parse(in)["cases"];
}

std::vector<nlohmann::json> cases_of_kind(const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& c : load_cases())
    if (c.value("kind", std::string("mel")) == kind) out.push_back(c);
  return out;
}

std::vector<float> load_f32(const std::string& name, std::vector<std::size_t>* shape = nullptr) {
  const NpyArray a = read_npy(reference_dir() / name);
  if (shape) *shape = a.shape;
  return a.to_float32();
}

using testing::relative_frobenius;

double max_abs_diff(const std::vector<float>& got, const std::vector<float>& want) {
  double m = 0;
  for (std::size_t i = 0; i < want.size(); ++i) m = std::max(m, std::abs(double(got[i]) - want[i]));
  return m;
}

}  // namespace
}  // namespace melnorm

namespace nlohmann {
// Test names print the case's name, not the whole JSON object.
inline void PrintTo(const json& j, std::ostream* os) { *os << j.value("name", std::string("?")); }
}  // namespace nlohmann

namespace melnorm {
namespace {

std::string case_name(const ::testing::TestParamInfo<nlohmann::json>& info) {
  std::string n = info.param["name"].get<std::string>();
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

TEST(ReferenceData, CasesJsonIsPresent) {
  ASSERT_TRUE(std::filesystem::exists(reference_dir() / "cases.json"))
      << "reference data not found at " << reference_dir()
      << "; configure with -DMELNORM_REFERENCE_DIR=<path to shared/reference>";
  EXPECT_GE(cases_of_kind("mel").size(), 27u);
  EXPECT_GE(cases_of_kind("torchaudio_defaults").size(), 4u);
}

// --- librosa 0.10.2: feature.melspectrogram, power_to_db / amplitude_to_db ---

class LibrosaMelReference : public ::testing::TestWithParam<nlohmann::json> {
 protected:
  MelSpectrogramOptions options() const {
    const auto& c = GetParam();
    const auto& p = c["params"];
    MelSpectrogramOptions o = preset_options(Preset::kLibrosa, c["sr"].get<double>());
    o.stft.n_fft = p["n_fft"];
    o.stft.hop_length = p["hop_length"];
    o.stft.window = parse_window(p["window"].get<std::string>());
    o.stft.center = p["center"];
    o.stft.pad_mode = parse_pad_mode(p["pad_mode"].get<std::string>());
    o.mel.n_mels = p["n_mels"];
    o.mel.fmin = p["fmin"];
    if (!p["fmax"].is_null()) o.mel.fmax = p["fmax"].get<double>();
    o.mel.scale = p["htk"].get<bool>() ? MelScale::kHtk : MelScale::kSlaney;
    o.mel.norm = p["norm"].is_null() ? FilterNorm::kNone : parse_filter_norm(p["norm"].get<std::string>());
    o.power = p["power"];
    return o;
  }
  std::vector<float> input() const { return load_f32(GetParam()["input"]); }
};

TEST_P(LibrosaMelReference, MelWithinRelativeFrobenius1e5) {
  MelSpectrogramOptions o = options();
  std::vector<std::size_t> shape;
  const auto want = load_f32(GetParam()["mel"], &shape);
  const Matrix got = MelSpectrogram(o).compute_linear(input());
  ASSERT_EQ((std::vector<std::size_t>{got.rows, got.cols}), shape);
  EXPECT_LT(relative_frobenius(got.data, want), 1e-5);
}

TEST_P(LibrosaMelReference, DbRef1Within0p01Db) {
  MelSpectrogramOptions o = options();
  o.db.reference = DbReference::kValue;
  o.db.ref_value = 1.0;
  o.db.top_db.reset();
  const auto want = load_f32(GetParam()["db_ref1"]);
  const Matrix got = MelSpectrogram(o).compute(input());
  ASSERT_EQ(got.data.size(), want.size());
  EXPECT_LT(max_abs_diff(got.data, want), 0.01);
}

TEST_P(LibrosaMelReference, DbRefMaxTop80Within0p01Db) {
  MelSpectrogramOptions o = options();
  o.db.reference = DbReference::kMax;
  o.db.top_db = 80.0;
  const auto want = load_f32(GetParam()["db_refmax_top80"]);
  const Matrix got = MelSpectrogram(o).compute(input());
  ASSERT_EQ(got.data.size(), want.size());
  EXPECT_LT(max_abs_diff(got.data, want), 0.01);
}

INSTANTIATE_TEST_SUITE_P(Cases, LibrosaMelReference, ::testing::ValuesIn(cases_of_kind("mel")), case_name);

// --- torchaudio 0.13.1: transforms.MelSpectrogram(sample_rate=sr), all defaults ---

class TorchaudioDefaultsReference : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(TorchaudioDefaultsReference, PresetMatchesWithinRelativeFrobenius1e5) {
  const auto& c = GetParam();
  MelSpectrogramOptions o = preset_options(Preset::kTorchaudio, c["sr"].get<double>());
  // The preset must be torchaudio's defaults, as the case records them.
  const auto& p = c["params"];
  EXPECT_EQ(o.stft.n_fft, p["n_fft"].get<int>());
  EXPECT_EQ(o.stft.hop_length, p["hop_length"].get<int>());
  EXPECT_EQ(o.mel.n_mels, p["n_mels"].get<int>());
  EXPECT_EQ(to_string(o.stft.pad_mode), p["pad_mode"].get<std::string>());
  EXPECT_EQ(to_string(o.mel.scale), p["mel_scale"].get<std::string>());
  EXPECT_TRUE(p["norm"].is_null() && o.mel.norm == FilterNorm::kNone);
  std::vector<std::size_t> shape;
  const auto want = load_f32(c["mel"], &shape);
  const Matrix got = MelSpectrogram(o).compute_linear(load_f32(c["input"]));
  ASSERT_EQ((std::vector<std::size_t>{got.rows, got.cols}), shape);
  EXPECT_LT(relative_frobenius(got.data, want), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Cases, TorchaudioDefaultsReference, ::testing::ValuesIn(cases_of_kind("torchaudio_defaults")),
                         case_name);

}  // namespace
}  // namespace melnorm

// --- seed 001's normalize_melspec (torch semantics) and librosa.pcen ---

#include "melnorm/normalize.h"
#include "melnorm/pcen.h"

namespace melnorm {
namespace {

TEST(Seed001Reference, ZscoreMinmaxWithin1e6) {
  const auto cases = cases_of_kind("seed001_normalize_melspec");
  ASSERT_EQ(cases.size(), 1u);
  const auto& c = cases[0];
  std::vector<std::size_t> shape;
  std::vector<float> x = load_f32(c["input"], &shape);
  const auto want = load_f32(c["output"]);
  ASSERT_EQ(shape.size(), 3u);
  Normalizer n({.method = "zscore-minmax", .params = {{"eps", c["eps"].get<double>()}}});
  n.apply(BatchView{x.data(), shape[0], shape[1], shape[2]});
  EXPECT_LT(max_abs_diff(x, want), 1e-6);
}

class LibrosaPcenReference : public ::testing::TestWithParam<nlohmann::json> {
 protected:
  PcenOptions options() const {
    const auto& c = GetParam();
    const auto& p = c["params"]["pcen"];
    return {.sr = c["sr"].get<double>(),
            .hop_length = c["params"]["hop_length"].get<int>(),
            .gain = p["gain"],
            .bias = p["bias"],
            .power = p["power"],
            .time_constant = p["time_constant"],
            .eps = p["eps"],
            .input_scale = p["input_scale"]};
  }
  double relative_error(const std::vector<float>& got, const std::vector<float>& want) const {
    return relative_frobenius(got, want);
  }
};

TEST_P(LibrosaPcenReference, OneCallWithinRelativeError1e4) {
  std::vector<std::size_t> shape;
  std::vector<float> m = load_f32(GetParam()["mel"], &shape);
  const auto want = load_f32(GetParam()["pcen"]);
  Pcen(options(), shape[0]).process(m, shape[1]);
  EXPECT_LT(relative_error(m, want), 1e-4);
}

TEST_P(LibrosaPcenReference, StreamingInChunksEqualsOneCall) {
  std::vector<std::size_t> shape;
  const std::vector<float> m = load_f32(GetParam()["mel"], &shape);
  const std::size_t F = shape[0], T = shape[1];
  std::vector<float> whole = m;
  Pcen(options(), F).process(whole, T);
  Pcen streaming(options(), F);
  std::vector<float> chunked(m.size());
  for (std::size_t start = 0; start < T;) {
    const std::size_t n = std::min<std::size_t>(start % 2 ? 3 : 5, T - start);  // uneven chunks
    std::vector<float> chunk(F * n);
    for (std::size_t b = 0; b < F; ++b) std::copy_n(&m[b * T + start], n, &chunk[b * n]);
    streaming.process(chunk, n);
    for (std::size_t b = 0; b < F; ++b) std::copy_n(&chunk[b * n], n, &chunked[b * T + start]);
    start += n;
  }
  EXPECT_EQ(chunked, whole);
}

INSTANTIATE_TEST_SUITE_P(Cases, LibrosaPcenReference, ::testing::ValuesIn(cases_of_kind("pcen")), case_name);

}  // namespace
}  // namespace melnorm
