// Hostile files (issue 16): sizes and counts read from a file are checked
// before anything is allocated, work a tiny file can ask for is bounded, and
// each refusal is one line naming the file and the field.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/npy.h"
#include "melnorm/pipeline.h"
#include "melnorm/stats.h"
#include "test_util.h"

namespace melnorm {
namespace {

using testing::run_command;
using testing::TempDir;
namespace fs = std::filesystem;

std::string q(const fs::path& p) { return testing::shell_quote(p); }

// The message of the Error `f` throws ("" when it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) { return e.what(); }
  return "";
}

// A float32 .npy whose header claims `shape`, over `bytes` bytes of data.
fs::path hostile_npy(const TempDir& dir, const std::string& name, const std::string& shape, std::size_t bytes) {
  const std::vector<char> data(bytes, 0);
  const fs::path p = dir / name;
  testing::write_raw_npy(p, "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }", data.data(), bytes);
  return p;
}

bool single_line(const std::string& s) { return s.find('\n') == std::string::npos; }

TEST(HardeningNpy, ShapeWhoseCountWrapsToFourIsRefused) {
  TempDir dir;
  const auto p = hostile_npy(dir, "x.npy", "(4611686018427387905, 4)", 16);
  const std::string msg = error_of([&] { read_npy(p); });
  EXPECT_NE(msg.find("x.npy: shape (4611686018427387905, 4) has more elements than fit in memory"), std::string::npos)
      << msg;
  EXPECT_TRUE(single_line(msg)) << msg;
}

// Found by fuzz_npy (UBSan: memcpy from a null pointer): an empty array converts to no values.
TEST(HardeningNpy, EmptyArrayConvertsToNoValues) {
  TempDir dir;
  const NpyArray a = read_npy(hostile_npy(dir, "empty.npy", "(32, 0)", 0));
  EXPECT_EQ(a.size(), 0u);
  EXPECT_TRUE(a.to_float32().empty());
}

TEST(HardeningNpy, ShapesWhoseCountWrapsToZeroAreRefused) {
  TempDir dir;
  for (const std::string shape : {"(4294967296, 4294967296)", "(1, 2, 9223372036854775808)"}) {
    const auto p = hostile_npy(dir, "z.npy", shape, 0);
    const std::string msg = error_of([&] { read_npy(p); });
    EXPECT_NE(msg.find("z.npy: shape " + shape + " has more elements than fit in memory"), std::string::npos) << msg;
  }
}

TEST(HardeningNpy, MalformedShapesAreRefused) {
  TempDir dir;
  for (const std::string shape : {"(99999999999999999999999, 1)", "(4, -3)", "(4.5,)", "(2,, 2)", "(1, 1 1)"}) {
    const auto p = hostile_npy(dir, "m.npy", shape, 16);
    const std::string msg = error_of([&] { read_npy(p); });
    EXPECT_NE(msg.find("m.npy: "), std::string::npos) << shape << ": " << msg;
    EXPECT_NE(msg.find("shape"), std::string::npos) << shape << ": " << msg;
  }
}

TEST(HardeningNpy, EmptyArrayMayNotDeclareHugeDimensions) {
  TempDir dir;
  const auto p = hostile_npy(dir, "e.npy", "(1099511627776, 0)", 0);  // 2^40 bands of nothing
  const std::string msg = error_of([&] { read_npy(p); });
  EXPECT_NE(msg.find("e.npy: shape (1099511627776, 0)"), std::string::npos) << msg;
  // Small empty arrays stay readable.
  const auto ok = hostile_npy(dir, "ok.npy", "(128, 0)", 0);
  EXPECT_EQ(read_npy(ok).shape, (std::vector<std::size_t>{128, 0}));
}

TEST(HardeningNpy, TruncatedDataIsRefusedNamingBothSizes) {
  TempDir dir;
  const auto p = hostile_npy(dir, "t.npy", "(128, 4000000)", 16);
  const std::string msg = error_of([&] { read_npy(p); });
  EXPECT_NE(msg.find("t.npy: header says 2048000000 bytes of data, the file holds 16"), std::string::npos) << msg;
}

#ifdef MELNORM_CLI_PATH
const std::string kCli = MELNORM_CLI_PATH;

// `command` run with at most `mb` MB of address space.
testing::CommandResult run_limited(const std::string& command, int mb) {
  return run_command("ulimit -v " + std::to_string(mb * 1024) + " && " + command);
}

// Whether the CLI starts in 300 MB of address space (a sanitizer build reserves terabytes).
bool cli_fits_limit() {
  static const bool fits = run_limited(kCli + " --version", 300).exit_code == 0;
  return fits;
}
#define SKIP_UNLESS_CLI_FITS_LIMIT() \
  if (!cli_fits_limit()) GTEST_SKIP() << "the CLI does not start under ulimit -v 300 MB (sanitizer build?)"

TEST(HardeningNpy, TruncatedDataIsRefusedBeforeAllocating) {
  SKIP_UNLESS_CLI_FITS_LIMIT();
  TempDir dir;
  const auto p = hostile_npy(dir, "t.npy", "(128, 4000000)", 16);
  const auto r = run_limited(kCli + " normalize " + q(p) + " -o " + q(dir / "out.npy") + " --method minmax", 300);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("t.npy: header says 2048000000 bytes of data, the file holds 16"), std::string::npos)
      << r.output;
}

TEST(HardeningNpy, CliRefusesWrappedShapesWithExitOne) {
  TempDir dir;
  const auto four = hostile_npy(dir, "four.npy", "(4611686018427387905, 4)", 16);
  const auto zero = hostile_npy(dir, "zero.npy", "(1, 2, 9223372036854775808)", 0);
  for (const auto& p : {four, zero}) {
    for (const std::string& cmd : {" normalize " + q(p) + " -o " + q(dir / "out.npy") + " --method minmax",
                                   " fit-stats " + q(p) + " -o " + q(dir / "stats.json")}) {
      const auto r = run_command(kCli + cmd);
      EXPECT_EQ(r.exit_code, 1) << cmd << "\n" << r.output;
      EXPECT_NE(r.output.find(p.filename().string() + ": shape ("), std::string::npos) << cmd << "\n" << r.output;
      EXPECT_NE(r.output.find("has more elements than fit in memory"), std::string::npos) << r.output;
    }
  }
  EXPECT_FALSE(fs::exists(dir / "out.npy"));
  EXPECT_FALSE(fs::exists(dir / "stats.json"));
}
#endif

// ---- statistics files ----

nlohmann::json valid_stats_json(std::size_t bands) {
  Stats s(bands);
  std::vector<float> x(bands * 4);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -static_cast<float>(i % 7);
  s.update(x.data(), bands, 4);
  return nlohmann::json::parse(s.to_json());
}

TEST(HardeningStats, BandCountIsCheckedAgainstTheEntriesFirst) {
  nlohmann::json j = valid_stats_json(3);
  j["n_bands"] = 20000000;
  const std::string msg = error_of([&] { Stats::from_json(j.dump(), "s.json"); });
  EXPECT_NE(msg.find("s.json: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("n_bands=20000000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3 band entries"), std::string::npos) << msg;
}

#ifdef MELNORM_CLI_PATH
TEST(HardeningStats, BandCountIsRefusedBeforeAllocating) {
  SKIP_UNLESS_CLI_FITS_LIMIT();
  TempDir dir;
  nlohmann::json j = valid_stats_json(3);
  j["n_bands"] = 20000000;
  std::ofstream(dir / "s.json") << j.dump();
  std::vector<float> x(3 * 4, 0.0f);
  const std::size_t shape[] = {3, 4};
  write_npy(dir / "x.npy", x, shape);
  const auto r = run_limited(kCli + " normalize " + q(dir / "x.npy") + " -o " + q(dir / "out.npy") +
                                 " --method standard --scope global --stats " + q(dir / "s.json"),
                             300);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("s.json: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("3 band entries for n_bands=20000000"), std::string::npos) << r.output;
}
#endif

TEST(HardeningStats, HistogramBinsOutOfRangeAreRefused) {
  nlohmann::json j = valid_stats_json(2);
  j["bands"][0]["histogram"]["first_bin"] = std::numeric_limits<std::int64_t>::max();  // last bin overflows
  std::string msg = error_of([&] { Stats::from_json(j.dump(), "h.json"); });
  EXPECT_NE(msg.find("h.json: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("first_bin"), std::string::npos) << msg;
}

TEST(HardeningStats, HistogramsSpanningTooManyBinsAreRefused) {
  nlohmann::json j = valid_stats_json(2);
  j["bands"][0]["histogram"]["first_bin"] = -(std::int64_t{1} << 40);
  j["bands"][1]["histogram"]["first_bin"] = std::int64_t{1} << 40;  // overall histogram: 2^41 bins
  std::string msg = error_of([&] { Stats::from_json(j.dump(), "h.json"); });
  EXPECT_NE(msg.find("h.json: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("bins"), std::string::npos) << msg;
}

TEST(HardeningStats, HistogramCountsThatWrapAreRefused) {
  nlohmann::json j = valid_stats_json(1);
  auto& band = j["bands"][0];
  const std::uint64_t count = band["count"].get<std::uint64_t>();
  band["histogram"]["counts"] = {std::numeric_limits<std::uint64_t>::max(), count + 1};  // sums to count, wrapped
  std::string msg = error_of([&] { Stats::from_json(j.dump(), "w.json"); });
  EXPECT_NE(msg.find("w.json: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("counts"), std::string::npos) << msg;
}

TEST(HardeningStats, ValuesBeyondTheHistogramRangeAreRefused) {
  Stats s(2);
  const float x[] = {1e30f, 1e30f, 0.0f, 0.0f};  // band 0 far out of any bin index
  const std::string msg = error_of([&] { s.update(x, 2, 2); });
  EXPECT_NE(msg.find("histogram"), std::string::npos) << msg;
}

// ---- audio: amplification and overflow ----

TEST(HardeningAudio, UpsamplingRatioIsBounded) {
  TempDir dir;
  const auto p = dir / "one_hz.wav";
  testing::write_audio(p, std::vector<float>(4000, 0.25f), 1, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);  // 8 KB, 1 Hz
  const std::string msg = error_of([&] { load_audio(p, {.sample_rate = 16000}); });
  EXPECT_NE(msg.find("one_hz.wav: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("ratio 16000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at most 256"), std::string::npos) << msg;
  EXPECT_TRUE(single_line(msg)) << msg;
}

TEST(HardeningAudio, ResampledSizeIsBounded) {
  Audio a{.sample_rate = 8000, .channels = 1, .samples = std::vector<float>(9'000'000, 0.0f)};
  const std::string msg = error_of([&] { resample(a, 8000 * 256); });  // 2.3e9 samples
  EXPECT_NE(msg.find("samples"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2147483648"), std::string::npos) << msg;
}

fs::path huge_float_wav(const TempDir& dir) {
  std::vector<float> y(16000);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = (i % 2 ? -3e38f : 3e38f);
  const auto p = dir / "big.wav";
  testing::write_audio(p, y, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  return p;
}

TEST(HardeningAudio, SamplesWhosePowerOverflowsAreRefused) {
  TempDir dir;
  const auto p = huge_float_wav(dir);
  std::string msg = error_of([&] { load_audio(p); });
  EXPECT_NE(msg.find("big.wav: sample 0"), std::string::npos) << msg;
  MelSpectrogram mel(MelSpectrogramOptions{.sample_rate = 16000});
  const std::vector<float> y(16000, 3e38f);
  msg = error_of([&] { mel.compute(y); });
  EXPECT_NE(msg.find("sample 0"), std::string::npos) << msg;
}

TEST(HardeningAudio, SpectrogramSizeIsBounded) {
  MelSpectrogramOptions o{.sample_rate = 16000};
  o.stft.n_fft = 8192;
  o.stft.hop_length = 1;
  o.mel.n_mels = 1024;
  o.db.enabled = false;
  const MelSpectrogram mel(o);
  const std::vector<float> y(2'200'000, 0.0f);  // 2.2e6 frames x 1024 bands > 2^31
  const std::string msg = error_of([&] { mel.compute(y); });
  EXPECT_NE(msg.find("2147483648"), std::string::npos) << msg;
}

#ifdef MELNORM_CLI_PATH
TEST(HardeningAudio, CliRefusesOverflowingPowerNamingTheFile) {
  TempDir dir;
  const auto p = huge_float_wav(dir);
  for (const std::string sr : {"", " --sr 8000"}) {
    const auto r = run_command(kCli + " mel " + q(p) + " -o " + q(dir / "out.npy") + sr);
    EXPECT_EQ(r.exit_code, 1) << sr << "\n" << r.output;
    EXPECT_NE(r.output.find("big.wav: sample 0"), std::string::npos) << sr << "\n" << r.output;
    EXPECT_FALSE(fs::exists(dir / "out.npy")) << sr;
  }
}

TEST(HardeningAudio, CliRefusesAmplificationQuickly) {
  SKIP_UNLESS_CLI_FITS_LIMIT();
  TempDir dir;
  const auto p = dir / "one_hz.wav";
  testing::write_audio(p, std::vector<float>(4000, 0.25f), 1, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const auto r = run_limited(kCli + " mel " + q(p) + " -o " + q(dir / "out.npy") + " --sr 16000", 300);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("one_hz.wav: "), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out.npy"));
}
#endif

// Found by the sanitized suite (UBSan: memcpy from the null data() of an empty
// file read into memory): an empty file is refused, naming it.
TEST(HardeningAudio, AnEmptyFileIsRefusedNamingIt) {
  TempDir dir;
  std::ofstream(dir / "empty.wav").flush();
  const std::string msg = error_of([&] { load_audio(dir / "empty.wav"); });
  EXPECT_NE(msg.find("empty.wav"), std::string::npos) << msg;
  EXPECT_TRUE(single_line(msg)) << msg;
}

// ---- text files: sizes checked before reading (src/io/limits.h) ----

TEST(HardeningText, AStatisticsFileLargerThanTheLimitIsRefusedBeforeReading) {
  TempDir dir;
  const fs::path p = dir / "huge_stats.json";
  std::ofstream(p) << "{";
  fs::resize_file(p, (std::size_t{64} << 20) + 1);  // sparse: no disk, and it must not be read
  const std::string msg = error_of([&] { Stats::load(p); });
  EXPECT_NE(msg.find("huge_stats.json: 67108865 bytes, more than the 67108864"), std::string::npos) << msg;
  EXPECT_TRUE(single_line(msg)) << msg;
}

TEST(HardeningText, ALabelsLineLongerThanOneMebibyteIsRefusedNamingTheLine) {
  TempDir dir;
  testing::write_audio(dir / "in" / "x.wav", testing::white_noise(4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  std::ofstream(dir / "labels.csv") << "path,label\nin/x.wav,a\nin/x.wav," << std::string((1 << 20) + 1, 'b') << "\n";
  ExtractOptions o;
  o.input = dir / "in";
  o.labels = dir / "labels.csv";
  o.out_dir = dir / "out";
  o.features = resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"n_mels", "20"}});
  const std::string msg = error_of([&] { ExtractPlan plan(o); });
  EXPECT_NE(msg.find("labels.csv:3: a line of 1048586 bytes, more than the 1048576 allowed"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(HardeningText, AnOptionsRecordLargerThanTheLimitRefusesTheResume) {
  TempDir dir;
  testing::write_audio(dir / "in" / "x.wav", testing::white_noise(4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  ExtractOptions o;
  o.input = dir / "in";
  o.out_dir = dir / "out";
  o.features = resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"n_mels", "20"}});
  extract_dataset(o);
  fs::resize_file(dir / "out" / "options.json", (std::size_t{64} << 20) + 1);
  const std::string msg = error_of([&] { extract_dataset(o); });
  EXPECT_NE(msg.find("options.json: 67108865 bytes, more than the 67108864"), std::string::npos) << msg;
}

// Found by fuzz_pipeline_record (an uncaught nlohmann::type_error, abort): a
// pipeline record whose fingerprint holds a non-string is refused as one.
TEST(HardeningText, APipelineRecordWithANonStringFingerprintIsRefused) {
  const std::string record =
      R"({"format_version": 2, "options": {"sr": "8000"}, "fingerprint": {"sr": "8000", "center": 1}})";
  const std::string msg = error_of([&] { Pipeline::options_from_json(record, "rec.json"); });
  EXPECT_EQ(msg, "rec.json: fingerprint is not an object of strings");
}

}  // namespace
}  // namespace melnorm
