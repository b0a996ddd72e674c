// Parity with ../shared/reference/frontends/cases.json: torchaudio 0.13.1
// compliance.kaldi (fbank, mfcc, spectrogram), OpenAI Whisper's log-mel, AST,
// BEATs and PANNs, each through melnorm::Pipeline with a preset or the Kaldi
// options by torchaudio's keyword names. Tolerances: the README's (log
// domain 0.03 absolute and 3e-4 relative Frobenius; linear 1e-4 relative).
#include <nlohmann/json.hpp>

#include <fstream>

#include "melnorm/npy.h"
#include "melnorm/pipeline.h"
#include "test_util.h"

namespace melnorm {
namespace {

std::filesystem::path frontends_dir() { return testing::reference_dir() / "frontends"; }

std::vector<nlohmann::json> frontend_cases() {
  std::ifstream in(frontends_dir() / "cases.json");
  if (!in) return {};
  const nlohmann::json all = nlohmann::json::parse(in);
  std::vector<nlohmann::json> out;
  for (const auto& c : all["cases"]) out.push_back(c);
  return out;
}

std::string value_text(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

// The pipeline options that reproduce a case: a preset, or the Kaldi front end with the case's keywords.
OptionValues frontend_case_options(const nlohmann::json& c) {
  const std::string kind = c["kind"];
  OptionValues v{{"sr", value_text(c["sr"])}};
  if (kind.rfind("kaldi.", 0) == 0) {
    v["frontend"] = "kaldi_" + kind.substr(6);
    v["layout"] = "time_first";
    for (const auto& [k, x] : c["params"].items()) v[k == "input_scale" ? "waveform_scale" : k] = value_text(x);
  } else if (kind == "whisper") {
    v["preset"] = c["params"]["n_mels"] == 128 ? "whisper-v3" : "whisper";
  } else {
    v["preset"] = kind;  // ast, beats, panns: the case's params are the preset's published values
  }
  return v;
}

namespace {

using testing::relative_frobenius;

bool linear_output(const nlohmann::json& c) {
  return c["params"].contains("use_log_fbank") && !c["params"]["use_log_fbank"].get<bool>();
}

class FrontendReference : public ::testing::TestWithParam<nlohmann::json> {};

TEST(FrontendReferenceData, CasesJsonHas97Cases) {
  ASSERT_TRUE(std::filesystem::exists(frontends_dir() / "cases.json")) << "not found: " << frontends_dir();
  EXPECT_EQ(frontend_cases().size(), 97u);
}

TEST_P(FrontendReference, PipelineMatchesTheOriginal) {
  const auto& c = GetParam();
  const NpyArray in = read_npy(frontends_dir() / c["input"].get<std::string>());
  const NpyArray out = read_npy(frontends_dir() / c["output"].get<std::string>());
  const std::vector<float> want = out.to_float32();
  const Pipeline p(resolve_pipeline_options(frontend_case_options(c)));
  const auto rows = p.run(in.to_float32(), c["sr"].get<int>());
  ASSERT_EQ(rows.size(), 1u);
  const Matrix& got = rows[0].features;
  ASSERT_EQ((std::vector<std::size_t>{got.rows, got.cols}), out.shape);
  const double rel = relative_frobenius(got.data, want);
  if (linear_output(c)) {
    EXPECT_LT(rel, 1e-4);
    return;
  }
  double worst = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    if (std::abs(double(got.data[i]) - want[i]) > worst) worst = std::abs(double(got.data[i]) - want[i]), at = i;
  EXPECT_LE(worst, 0.03) << "at " << at << ": " << got.data[at] << " vs " << want[at];
  double norm = 0;
  for (float w : want) norm += double(w) * w;
  // A reference of (nearly) zeros (subtract_mean of silence: float rounding) has no relative error to speak of.
  if (std::sqrt(norm / want.size()) > 1e-3) { EXPECT_LT(rel, 3e-4); }
}

std::string case_id(const ::testing::TestParamInfo<nlohmann::json>& info) {
  std::string n = info.param["id"].get<std::string>();
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Cases, FrontendReference, ::testing::ValuesIn(frontend_cases()), case_id);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FrontendReference);

}  // namespace
}  // namespace melnorm
