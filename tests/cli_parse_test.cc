// The command line itself: every parse error is one `melnorm: error:` line
// and exit status 2 (not CLI11's own codes), an unknown flag suggests the
// closest one, and --help lists every command, train and experiment too.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "test_util.h"

#ifdef MELNORM_CLI_PATH
namespace melnorm {
namespace {

using testing::run_command;
using testing::TempDir;

const std::string kCli = MELNORM_CLI_PATH;
const std::string kSample = (testing::samples_dir() / "7" / "7_lucas_12.wav").string();

std::string q(const std::filesystem::path& p) { return testing::shell_quote(p); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One line starting "melnorm: error: " and status 2, as the README promises.
void expect_parse_error(const testing::CommandResult& r) {
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(r.output.starts_with("melnorm: error: ")) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(CliParse, UnknownFlagSuggestsTheClosestFlag) {
  TempDir dir;
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(dir / "m.npy") + " --nmels 64");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "unknown option --nmels; did you mean --n-mels?")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "m.npy"));
}

TEST(CliParse, UnknownFlagWithValueAndDashesSuggests) {
  TempDir dir;
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(dir / "m.npy") + " --hopp=64");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "unknown option --hopp; did you mean --hop?")) << r.output;
}

// A refusal names flags, not Python keywords (packed needs --segment or --pad-to).
TEST(CliParse, PackedWithoutAFixedSizeNamesTheFlags) {
  TempDir dir;
  const auto r =
      run_command(kCli + " extract " + q(testing::samples_dir()) + " -o " + q(dir / "out") + " --format packed -q");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "--format packed needs fixed-size rows: add --segment SECONDS or --pad-to SECONDS"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "pad_to")) << r.output;
}

TEST(CliParse, FarFromEveryFlagSuggestsNothing) {
  TempDir dir;
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(dir / "m.npy") + " --zzzzzzzz 1");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "unknown option --zzzzzzzz")) << r.output;
  EXPECT_FALSE(contains(r.output, "did you mean")) << r.output;
}

TEST(CliParse, MissingRequiredOutputExits2) {
  const auto r = run_command(kCli + " mel " + q(kSample));
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "--output")) << r.output;
}

TEST(CliParse, BadConversionExits2) {
  TempDir dir;
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(dir / "m.npy") + " --n-mels many");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "many")) << r.output;
}

TEST(CliParse, MisspelledCommandSuggestsTheClosest) {
  const auto r = run_command(kCli + " trian --epochs 1");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "unknown command trian; did you mean train?")) << r.output;
}

TEST(CliParse, MissingCommandExits2) { expect_parse_error(run_command(kCli)); }

TEST(CliParse, HelpListsEveryCommand) {
  const auto r = run_command(kCli + " --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* command : {"mel", "info", "normalize", "fit-stats", "methods", "extract", "show"})
    EXPECT_TRUE(contains(r.output, std::string("\n  ") + command + " ")) << command << '\n' << r.output;
  // Listed as subcommands with their descriptions, not only in a footer.
  EXPECT_TRUE(contains(r.output, "\n  train ")) << r.output;
  EXPECT_TRUE(contains(r.output, "Train and evaluate one CNN configuration")) << r.output;
  EXPECT_TRUE(contains(r.output, "\n  experiment ")) << r.output;
  EXPECT_TRUE(contains(r.output, "Train and evaluate CNNs for every normalization")) << r.output;
}

TEST(CliParse, SubcommandHelpAndVersionExit0) {
  const auto help = run_command(kCli + " mel --help");
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_TRUE(contains(help.output, "--n-mels")) << help.output;
  EXPECT_EQ(run_command(kCli + " --version").exit_code, 0);
}

TEST(CliParse, ExperimentHelperParseErrorsExit2) {
  if (!std::filesystem::exists(std::filesystem::path(kCli).parent_path() / "melnorm-experiment"))
    GTEST_SKIP() << "melnorm-experiment not built (MELNORM_BUILD_EXPERIMENT=OFF)";
  const auto r = run_command(kCli + " train --epochz 3");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "did you mean --epochs?")) << r.output;
}

// Messages in the CLI's words: a flag before its command, another library's
// flag name, a misspelled method value, a parameter named inside a message.
TEST(CliParse, AFlagBeforeItsCommandSaysOptionsGoAfterTheCommand) {
  const auto r = run_command(kCli + " --sr 22050 mel " + q(kSample) + " -o /tmp/unused.npy");
  expect_parse_error(r);
  EXPECT_TRUE(contains(r.output, "--sr is an option of mel")) << r.output;
  EXPECT_TRUE(contains(r.output, "options go after the command")) << r.output;
}

TEST(CliParse, OtherLibrariesFlagNamesSuggestOurs) {
  TempDir dir;
  for (const auto& [theirs, ours] : std::vector<std::pair<std::string, std::string>>{
           {"--sample-rate 16000", "--sr"}, {"--hop-length 256", "--hop"}, {"--f-max 4000", "--fmax"}}) {
    const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(dir / "m.npy") + " " + theirs);
    expect_parse_error(r);
    EXPECT_TRUE(contains(r.output, "did you mean " + ours + "?")) << r.output;
  }
}

TEST(CliParse, AnUnknownNormalizeValueNamesTheFlagTypedAndTheClosestMethod) {
  TempDir dir;
  const auto r = run_command(kCli + " mel " + q(kSample) + " -o " + q(dir / "m.npy") + " --normalize z-score");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(r.output.starts_with("melnorm: error: --normalize: --normalize 'z-score' is not known")) << r.output;
  EXPECT_TRUE(contains(r.output, "did you mean zscore?")) << r.output;
  EXPECT_FALSE(contains(r.output, "--method")) << r.output;
}

TEST(CliParse, LibraryMessagesNameFlagsNotKeywords) {
  TempDir dir;
  const auto r = run_command(kCli + " extract " + q(testing::samples_dir()) + " -o " + q(dir / "out") +
                             " --normalize zscore --scope global --fit-stats -q");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "name the column with --split-column")) << r.output;
  EXPECT_TRUE(contains(r.output, "--fit-on all")) << r.output;
  EXPECT_FALSE(contains(r.output, "split_column")) << r.output;
  EXPECT_FALSE(contains(r.output, "fit_on=")) << r.output;
}

TEST(CliParse, ALabelsCsvWithOtherColumnsNamesTheFlagsThatNameThem) {
  TempDir dir;
  std::ofstream(dir / "labels.csv") << "file,class\n7/7_lucas_12.wav,7\n";
  const auto r = run_command(kCli + " extract " + q(testing::samples_dir()) + " -o " + q(dir / "out") + " --labels " +
                             q(dir / "labels.csv") + " -q");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "got 'file,class'")) << r.output;
  EXPECT_TRUE(contains(r.output, "give --path-column and --label-column")) << r.output;
  const auto named = run_command(kCli + " extract " + q(testing::samples_dir()) + " -o " + q(dir / "out2") +
                                 " --labels " + q(dir / "labels.csv") + " --path-column file --label-column label -q");
  EXPECT_TRUE(contains(named.output, "no column 'label'; the header has: file, class")) << named.output;
  EXPECT_TRUE(contains(named.output, "name the columns with --path-column and --label-column")) << named.output;
}

}  // namespace
}  // namespace melnorm
#endif  // MELNORM_CLI_PATH
