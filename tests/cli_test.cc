// The melnorm command, run as a user would: success paths and every bad
// input the core issue lists, each with a message naming the problem and
// no output file left behind.
#include <fstream>

#include "melnorm/audio.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/npy.h"
#include "test_util.h"

#ifdef MELNORM_CLI_PATH
namespace melnorm {
namespace {

using testing::run_command;
using testing::samples_dir;
using testing::TempDir;

const std::string kCli = MELNORM_CLI_PATH;
const std::string kSample = (samples_dir() / "7" / "7_lucas_12.wav").string();

std::string q(const std::filesystem::path& p) { return testing::shell_quote(p); }

TEST(Cli, VersionPrintsTheVersion) {
  const auto r = run_command(kCli + " --version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("melnorm 0."), std::string::npos) << r.output;
}

TEST(Cli, MelRefusesAnOutputFileInAMissingFolderNamingTheFolder) {
  TempDir dir;
  const auto missing = dir / "nonexistent";
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(missing / "x.npy"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the folder " + missing.string() + " does not exist"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST(Cli, MelWritesMelsByFramesFloat32) {
  TempDir dir;
  const auto out = dir / "out.npy";
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const NpyArray a = read_npy(out);
  EXPECT_EQ(a.dtype, DType::kFloat32);
  ASSERT_EQ(a.shape.size(), 2u);
  EXPECT_EQ(a.shape[0], 128u);
  // Default dB: ref = max, top_db 80: the peak is 0 dB and nothing is below -80.
  const auto v = a.to_float32();
  EXPECT_FLOAT_EQ(*std::max_element(v.begin(), v.end()), 0.0f);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -80.0f - 1e-4f);
}

TEST(Cli, ExplicitFlagsOverrideThePreset) {
  TempDir dir;
  const auto out = dir / "out.npy";
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(out) +
                             " --preset torchaudio --n-mels 40 --hop 80 --db off --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(r.output.empty()) << r.output;
  const NpyArray a = read_npy(out);
  EXPECT_EQ(a.shape[0], 40u);
  const AudioInfo info = audio_info(kSample);
  EXPECT_EQ(a.shape[1], 1 + static_cast<std::size_t>(info.frames) / 80);
}

TEST(Cli, NpyWaveformMatchesTheLibrary) {
  TempDir dir;
  std::vector<float> y = testing::white_noise(16000, 4);
  const std::size_t shape[] = {y.size()};
  write_npy(dir / "y.npy", y, shape);
  const auto r = run_command(kCli + " mel " + q(dir / "y.npy") + " --sr 16000 -o " + q(dir / "m.npy") +
                             " --db ref1 --top-db none --n-fft 512 --hop 128 --win-length 400 --window hamming"
                             " --pad-mode reflect --n-mels 64 --fmin 50 --fmax 7000 --mel-scale htk --mel-norm none"
                             " --power 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  MelSpectrogramOptions o = preset_options(Preset::kLibrosa, 16000);
  o.db.reference = DbReference::kValue;
  o.db.top_db.reset();
  o.stft = {.n_fft = 512,
            .hop_length = 128,
            .win_length = 400,
            .window = WindowType::kHamming,
            .center = true,
            .pad_mode = PadMode::kReflect};
  o.mel = {.n_mels = 64, .fmin = 50, .fmax = 7000, .scale = MelScale::kHtk, .norm = FilterNorm::kNone};
  o.power = 1;
  EXPECT_EQ(read_npy(dir / "m.npy").to_float32(), MelSpectrogram(o).compute(y).data);
}

TEST(Cli, ResamplesAudioWithSr) {
  TempDir dir;
  const auto r = run_command(kCli + " mel " + q(kSample) + " --sr 16000 -o " + q(dir / "m.npy") + " --hop 160");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const AudioInfo info = audio_info(kSample);
  const std::size_t resampled = static_cast<std::size_t>(std::ceil(info.frames * 2.0));
  EXPECT_EQ(read_npy(dir / "m.npy").shape[1], 1 + resampled / 160);
}

TEST(Cli, InfoShowsRateChannelsFramesDurationFormat) {
  const auto r = run_command(kCli + " info " + q(kSample));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* key : {"sample_rate: 8000", "channels:", "frames:", "duration:", "WAV"})
    EXPECT_NE(r.output.find(key), std::string::npos) << key << " in\n" << r.output;
  const auto j = run_command(kCli + " info --json " + q(kSample));
  EXPECT_NE(j.output.find("\"sample_rate\": 8000"), std::string::npos) << j.output;
}

struct BadCase {
  const char* name;
  std::string args;      // after "melnorm mel INPUT -o OUT"
  std::string input;     // "" = the sample
  std::string expected;  // substring of the message
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class CliBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliBadInput, FailsWithAMessageAndWritesNothing) {
  const auto c = GetParam();
  TempDir dir;
  std::string input = c.input.empty() ? kSample : c.input;
  if (input == "@corrupt") {
    input = (dir / "corrupt.wav").string();
    std::ofstream(input) << "RIFF\x10\x00\x00\x00WAVEfmt garbage that is not a header";
  } else if (input == "@empty") {
    input = (dir / "empty.wav").string();
    testing::write_audio(input, {}, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  } else if (input == "@nan") {
    input = (dir / "nan.npy").string();
    std::vector<float> y(4000, 0.1f);
    y[17] = std::nanf("");
    const std::size_t shape[] = {y.size()};
    write_npy(input, y, shape);
  } else if (input == "@short") {
    input = (dir / "short.npy").string();
    std::vector<float> y(300, 0.1f);
    const std::size_t shape[] = {y.size()};
    write_npy(input, y, shape);
  }
  const auto out = dir / "out.npy";
  const auto r = run_command(kCli + " mel " + q(input) + " -o " + q(out) + " " + c.args);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in:\n" << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one-line message:\n" << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    files += e.path().filename().string().find(".tmp-") != std::string::npos;
  EXPECT_EQ(files, 0u) << "temporary files left behind";
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CliBadInput,
    ::testing::Values(
        BadCase{"missing_file", "", "/nonexistent/clip.wav", "/nonexistent/clip.wav: no such file"},
        BadCase{"corrupt_file", "", "@corrupt", "corrupt.wav: cannot decode audio"},
        BadCase{"empty_audio", "", "@empty", "contains no audio (0 frames)"},
        BadCase{"nan_samples", "--sr 8000", "@nan", "nan.npy: sample 17 is NaN"},
        BadCase{"npy_without_sr", "", "@nan", "--sr: sr is required for a .npy waveform"},
        BadCase{"hop_zero", "--hop 0", "", "--hop: hop_length=0 must be a positive integer"},
        BadCase{"n_fft_below_win_length", "--n-fft 256 --win-length 512", "", "win_length=512 must be <= n_fft=256"},
        BadCase{"fmax_above_nyquist", "--fmax 5000", "", "--fmax: fmax=5000 must be <= sr/2 = 4000"},
        BadCase{"fmin_not_below_fmax", "--fmin 3000 --fmax 2000", "", "fmin=3000 must be < fmax=2000"},
        BadCase{"unknown_window", "--window kaiser", "", "--window: window='kaiser' is not a known window"},
        BadCase{"unknown_preset", "--preset kaldy", "",
                "unknown preset 'kaldy' (did you mean 'kaldi'?); allowed: librosa"},
        BadCase{"bad_power", "--power 3", "", "power=3 is not supported; allowed: 1 (magnitude), 2 (power)"},
        BadCase{"bad_db", "--db loud", "", "db='loud' is not supported; allowed: off, ref1, max"},
        BadCase{"bad_top_db", "--top-db lots", "", "top_db='lots' must be a number of dB or none"},
        BadCase{"negative_top_db", "--top-db -3", "", "top_db=-3 must be non-negative"},
        BadCase{"bad_pad_mode", "--pad-mode edge", "", "pad_mode='edge' is not supported"},
        BadCase{"too_short_no_center", "--sr 8000 --no-center", "@short",
                "input of 300 samples is shorter than n_fft=2048 with center=False"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Cli, UnknownFlagIsAUsageError) {
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o /tmp/x.npy --bogus 3");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--bogus"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace melnorm
#endif
