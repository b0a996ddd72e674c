// melnorm normalize / fit-stats / methods / mel --pcen, run as a user would.
#include <fstream>

#include "melnorm/normalize.h"
#include "melnorm/npy.h"
#include "melnorm/pcen.h"
#include "melnorm/stats.h"
#include "test_util.h"

#ifdef MELNORM_CLI_PATH
namespace melnorm {
namespace {

using testing::run_command;
using testing::TempDir;

const std::string kCli = MELNORM_CLI_PATH;

std::string q(const std::filesystem::path& p) { return testing::shell_quote(p); }

std::vector<float> write_batch(const std::filesystem::path& path, std::size_t B, std::size_t F, std::size_t T,
                               unsigned seed) {
  auto x = testing::white_noise(B * F * T, seed, 30.0);
  for (float& v : x) v -= 50.0f;
  const std::size_t shape[] = {B, F, T};
  std::filesystem::create_directories(path.parent_path());  // write_npy writes into an existing folder
  write_npy(path, x, shape);
  return x;
}

TEST(CliNormalize, LocalMatchesTheLibraryWithLengths) {
  TempDir dir;
  auto x = write_batch(dir / "x.npy", 3, 4, 10, 1);
  const std::int64_t lengths[] = {10, 7, 3};
  testing::write_raw_npy(dir / "len.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", lengths,
                         sizeof lengths);
  const auto r = run_command(kCli + " normalize " + q(dir / "x.npy") + " -o " + q(dir / "y.npy") +
                             " --method zscore --axis band --lengths " + q(dir / "len.npy") + " --param ddof=1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::size_t lens[] = {10, 7, 3};
  Normalizer({.method = "zscore", .axis = Axis::kBand, .params = {{"ddof", 1}}})
      .apply(BatchView{x.data(), 3, 4, 10, lens});
  const NpyArray y = read_npy(dir / "y.npy");
  EXPECT_EQ(y.shape, (std::vector<std::size_t>{3, 4, 10}));
  EXPECT_EQ(y.to_float32(), x);
}

TEST(CliNormalize, FitStatsThenGlobal) {
  TempDir dir;
  write_batch(dir / "train" / "a.npy", 2, 4, 10, 2);
  write_batch(dir / "train" / "sub" / "b.npy", 1, 4, 6, 3);
  auto r = run_command(kCli + " fit-stats " + q(dir / "train") + " -o " + q(dir / "stats.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("3 spectrograms from 2 files"), std::string::npos) << r.output;
  const Stats stats = Stats::load(dir / "stats.json");
  EXPECT_EQ(stats.count(), (2 * 10 + 6) * 4u);

  auto x = testing::white_noise(4 * 5, 9, 30.0);
  const std::size_t shape[] = {4, 5};
  write_npy(dir / "test.npy", x, shape);
  r = run_command(kCli + " normalize " + q(dir / "test.npy") + " -o " + q(dir / "out.npy") +
                  " --method minmax --scope global --axis band --stats " + q(dir / "stats.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Normalizer({.method = "minmax", .scope = Scope::kGlobal, .axis = Axis::kBand}, &stats)
      .apply(BatchView{x.data(), 1, 4, 5});
  EXPECT_EQ(read_npy(dir / "out.npy").to_float32(), x);
}

TEST(CliNormalize, MethodsListsTheRegistry) {
  const auto r = run_command(kCli + " methods");
  ASSERT_EQ(r.exit_code, 0);
  for (const auto& m : normalization_methods()) EXPECT_NE(r.output.find(m.name), std::string::npos) << m.name;
  const auto j = run_command(kCli + " methods --json");
  EXPECT_NE(j.output.find("\"name\": \"robust-zscore\""), std::string::npos) << j.output;
}

TEST(CliNormalize, MelPcenUsesTheAudioRateAndHop) {
  TempDir dir;
  const std::string sample = (testing::samples_dir() / "3" / "3_george_8.wav").string();
  auto r = run_command(kCli + " mel " + q(sample) + " -o " + q(dir / "p.npy") +
                       " --pcen --n-fft 512 --hop 128 --n-mels 40 -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command(kCli + " mel " + q(sample) + " -o " + q(dir / "m.npy") +
                  " --power 1 --db off --n-fft 512 --hop 128 --n-mels 40 -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const NpyArray m = read_npy(dir / "m.npy");
  std::vector<float> want = m.to_float32();
  Pcen({.sr = 8000, .hop_length = 128, .input_scale = 2147483648.0}, m.shape[0]).process(want, m.shape[1]);
  EXPECT_EQ(read_npy(dir / "p.npy").to_float32(), want);
}

struct BadCase {
  const char* name;
  std::string args;
  std::string expected;
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class CliNormalizeBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliNormalizeBadInput, FailsWithAMessageAndWritesNothing) {
  TempDir dir;
  write_batch(dir / "x.npy", 2, 4, 6, 5);
  const std::size_t shape1[] = {24};
  write_npy(dir / "flat.npy", testing::white_noise(24), shape1);
  const std::int64_t long_lengths[] = {6, 9};
  testing::write_raw_npy(dir / "long.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", long_lengths,
                         sizeof long_lengths);
  Stats other(8, {{"n_mels", "8"}});
  const std::vector<float> v(16, 1.0f);
  other.update(v.data(), 8, 2);
  other.save(dir / "stats8.json");
  std::ofstream(dir / "bad.json") << "{\"format\": \"melnorm-stats\", \"vers";
  {
    auto nan = testing::white_noise(4 * 6);
    nan[2 * 6 + 3] = std::nanf("");
    const std::size_t s2[] = {4, 6};
    write_npy(dir / "nan.npy", nan, s2);
    const std::size_t s5[] = {5, 6};
    write_npy(dir / "wide.npy", testing::white_noise(30), s5);
  }
  std::filesystem::create_directories(dir / "empty");
  std::string args = GetParam().args;
  for (const char* name : {"x", "flat", "long", "stats8", "bad", "none", "empty", "nan", "wide"}) {
    const std::string key = std::string("@") + name;
    const std::string ext =
        std::string(name) == "empty"                                                                          ? ""
        : (std::string(name).find("stats") == 0 || std::string(name) == "bad" || std::string(name) == "none") ? ".json"
                                                                                                              : ".npy";
    for (auto pos = args.find(key); pos != std::string::npos; pos = args.find(key))
      args.replace(pos, key.size(), q(dir / (std::string(name) + ext)));
  }
  const auto r = run_command(kCli + " " + args + " -o " + q(dir / "out.npy"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(GetParam().expected), std::string::npos) << "expected '" << GetParam().expected << "' in:\n"
                                                                   << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.npy"));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CliNormalizeBadInput,
    ::testing::Values(
        BadCase{"unknown_method", "normalize @x --method l2", "--method 'l2' is not known; allowed: minmax"},
        BadCase{"global_without_stats", "normalize @x --method zscore --scope global",
                "scope global needs fitted statistics"},
        BadCase{"stats_with_local", "normalize @x --method zscore --stats @stats8",
                "--stats is used only with --scope global"},
        BadCase{"band_mismatch", "normalize @x --method zscore --scope global --stats @stats8",
                "the statistics were fitted on 8 bands, these spectrograms have 4"},
        BadCase{"corrupt_stats", "normalize @x --method zscore --scope global --stats @bad",
                "not a valid melnorm statistics file"},
        BadCase{"missing_stats", "normalize @x --method zscore --scope global --stats @none",
                "no such statistics file"},
        BadCase{"wrong_rank", "normalize @flat --method zscore", "must be [F, T] or [B, F, T], got a 1-D array"},
        BadCase{"lengths_too_long", "normalize @x --method zscore --lengths @long",
                "lengths[1]=9 is longer than the 6 frames"},
        BadCase{"bad_param", "normalize @x --method zscore --param ddof=2", "ddof=2 must be in [0, 1]"},
        BadCase{"unknown_param", "normalize @x --method minmax --param gain=1",
                "method minmax has no parameter 'gain'"},
        BadCase{"bad_axis", "normalize @x --method zscore --axis time",
                "axis='time' is not supported; allowed: all, band, frame"},
        BadCase{"fit_stats_nothing", "fit-stats @empty", "no .npy feature files found"},
        BadCase{"fit_stats_rank", "fit-stats @flat", "must be [F, T] or [B, F, T], got a 1-D array"},
        BadCase{"fit_stats_nan", "fit-stats @x @nan", "nan.npy: spectrogram value at band 2, frame 3 is NaN"},
        BadCase{"fit_stats_band_mismatch", "fit-stats @x @wide", "wide.npy: has 5 bands, the files before it 4"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace melnorm
#endif
