// OUTDIR after crashes: kill -9 at random moments, a full disk, a second
// writer, outputs among the inputs. Whatever happened, the OUTDIR a resume
// completes equals a clean run's file for file, with nothing else in it.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "melnorm/error.h"
#include "melnorm/extract.h"
#include "test_util.h"

namespace melnorm {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every entry under `dir`, hidden ones and folders included: path -> bytes ("/" for a folder).
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> t;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    t[fs::relative(e.path(), dir).generic_string()] = e.is_directory() ? "/" : read_bytes(e.path());
  return t;
}

// `other` holds exactly the entries of `clean`, byte for byte.
void expect_identical(const fs::path& clean, const fs::path& other) {
  const auto a = tree(clean), b = tree(other);
  std::string missing, extra, differ;
  for (const auto& [name, bytes] : a) {
    const auto it = b.find(name);
    if (it == b.end()) missing += " " + name;
    else if (it->second != bytes) differ += " " + name;
  }
  for (const auto& [name, bytes] : b)
    if (!a.count(name)) extra += " " + name;
  EXPECT_EQ(missing, "") << other;
  EXPECT_EQ(extra, "") << other;
  EXPECT_EQ(differ, "") << other;
}

// Runs argv with output to `log`; `file_size_limit` > 0 sets RLIMIT_FSIZE:
// a write past it fails with EFBIG, as on a full disk, or with `die_at_limit`
// kills the process (SIGXFSZ) in the middle of writing that file.
pid_t spawn(const std::vector<std::string>& args, const fs::path& log, rlim_t file_size_limit = 0,
            bool die_at_limit = false) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0) ::_exit(126);
  if (file_size_limit) {
    const rlimit limit{file_size_limit, file_size_limit};
    ::signal(SIGXFSZ, die_at_limit ? SIG_DFL : SIG_IGN);
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(126);
  }
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// The exit status, or 128 + the signal.
int wait_for(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

#ifdef MELNORM_CLI_PATH

constexpr int kClips = 120;  // 2 s each: a clean run takes ~1 s with --jobs 2

// Short noise clips in two label folders, a labels CSV with a split column,
// and a clean run of each configuration to compare with.
class OutdirCrash : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    std::ofstream csv(*dir_ / "labels.csv");
    csv << "path,label,split\n";
    for (int i = 0; i < kClips; ++i) {
      const std::string label = i % 2 ? "b" : "a";
      const std::string name = label + "/" + testing::numbered("clip", i, ".wav");
      testing::write_audio(*dir_ / "in" / name, testing::white_noise(16000, i + 1), 1, 8000,
                           SF_FORMAT_WAV | SF_FORMAT_PCM_16);
      csv << "in/" << name << "," << label << "," << (i % 4 == 3 ? "test" : "train") << "\n";
    }
    csv.close();
    for (const bool packed : {false, true}) {
      const auto t0 = std::chrono::steady_clock::now();
      const pid_t pid = spawn(args(packed, clean(packed)), *dir_ / "clean.log");
      ASSERT_EQ(wait_for(pid), 0) << read_bytes(*dir_ / "clean.log");
      seconds_[packed] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // npy: one file per 1 s segment; packed: global z-score fitted on the train rows.
  static std::vector<std::string> args(bool packed, const fs::path& out) {
    std::vector<std::string> a = {MELNORM_CLI_PATH,
                                  "extract",
                                  (*dir_ / "in").string(),
                                  "-o",
                                  out.string(),
                                  "--sr",
                                  "8000",
                                  "--n-fft",
                                  "4096",
                                  "--hop",
                                  "16",
                                  "--n-mels",
                                  "32",
                                  "--jobs",
                                  "2",
                                  "-q"};
    const std::vector<std::string> npy = {"--segment", "1"};
    const std::vector<std::string> pk = {"--labels",    (*dir_ / "labels.csv").string(),
                                         "--pad-to",    "1",
                                         "--format",    "packed",
                                         "--normalize", "zscore",
                                         "--scope",     "global",
                                         "--fit-stats"};
    a.insert(a.end(), packed ? pk.begin() : npy.begin(), packed ? pk.end() : npy.end());
    return a;
  }
  static fs::path clean(bool packed) { return *dir_ / (packed ? "clean-packed" : "clean-npy"); }

  // kill -9 at 20 random moments (uniform over a clean run's duration), each
  // run resuming the last; a run that completes first is checked and its
  // OUTDIR started afresh. Then a run to completion.
  static void kill_anywhere(bool packed, unsigned seed) {
    const fs::path out = *dir_ / (packed ? "killed-packed" : "killed-npy"), log = *dir_ / "killed.log";
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> moment(0.0, seconds_[packed]);
    int kills = 0, completed = 0;
    for (int attempt = 0; kills < 20 && attempt < 60; ++attempt) {
      const pid_t pid = spawn(args(packed, out), log);
      std::this_thread::sleep_for(std::chrono::duration<double>(moment(gen)));
      ::kill(pid, SIGKILL);
      const int status = wait_for(pid);
      if (status == 128 + SIGKILL) {
        ++kills;
        continue;
      }
      ASSERT_EQ(status, 0) << read_bytes(log);
      expect_identical(clean(packed), out);
      fs::remove_all(out);
      ++completed;
    }
    EXPECT_EQ(kills, 20) << "runs completed before their kill: " << completed;
    ASSERT_EQ(wait_for(spawn(args(packed, out), log)), 0) << read_bytes(log);
    expect_identical(clean(packed), out);
  }

  static std::unique_ptr<TempDir> dir_;
  static double seconds_[2];
};

std::unique_ptr<TempDir> OutdirCrash::dir_;
double OutdirCrash::seconds_[2];

TEST_F(OutdirCrash, KillNineAtTwentyRandomMomentsThenResumeEqualsACleanRunNpy) { kill_anywhere(false, 16); }

TEST_F(OutdirCrash, KillNineAtTwentyRandomMomentsThenResumeEqualsACleanRunPacked) { kill_anywhere(true, 61); }

TEST_F(OutdirCrash, ASecondExtractIntoTheSameOutdirIsRefusedNamingTheFirst) {
  const fs::path out = *dir_ / "concurrent";
  const pid_t first = spawn(args(false, out), *dir_ / "first.log");
  // The first holds OUTDIR once its pid is in the lock file.
  for (int i = 0; i < 5000 && read_bytes(out / ".lock").find('\n') == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_EQ(read_bytes(out / ".lock"), std::to_string(first) + "\n");
  const fs::path log = *dir_ / "second.log";
  EXPECT_EQ(wait_for(spawn(args(false, out), log)), 1);
  const auto said = lines(read_bytes(log));
  ASSERT_EQ(said.size(), 1u) << read_bytes(log);
  EXPECT_NE(said[0].find("is being written by another melnorm extract (pid " + std::to_string(first) + ")"),
            std::string::npos)
      << said[0];
  EXPECT_NE(said[0].find(out.string()), std::string::npos) << said[0];
  ASSERT_EQ(wait_for(first), 0) << read_bytes(*dir_ / "first.log");
  expect_identical(clean(false), out);
}

// A full disk: a small tmpfs in a private mount namespace (unshare), filled
// but for half of what the run needs; then the filler is removed and the run resumed.
TEST_F(OutdirCrash, AFullDiskStopsWithOneLineNamingTheFileAndTheResumeEqualsACleanRun) {
  std::uintmax_t need = 0;  // tmpfs counts whole pages
  for (const auto& e : fs::recursive_directory_iterator(clean(false)))
    if (e.is_regular_file()) need += (e.file_size() + 4095) / 4096 * 4096;
  const std::uintmax_t size = need + (1 << 20), filler = size - need / 2;
  const fs::path mnt = *dir_ / "mnt", script = *dir_ / "full.sh";
  fs::create_directories(mnt);
  std::string run_args;
  for (const auto& a : args(false, mnt / "out")) run_args.append(" ").append(testing::shell_quote(a));
  const std::string d = testing::shell_quote(dir_->path());
  std::ofstream(script) << "mount -t tmpfs -o size=" << size << " tmpfs " << testing::shell_quote(mnt)
                        << " || exit 77\n"
                        << "head -c " << filler << " /dev/zero > " << testing::shell_quote(mnt / "filler") << "\n"
                        << run_args << " > " << d << "/full.log 2>&1; echo $? > " << d << "/full.rc\n"
                        << "rm " << testing::shell_quote(mnt / "filler") << "\n"
                        << run_args << " > " << d << "/resume.log 2>&1; echo $? > " << d << "/resume.rc\n"
                        << "cp -a " << testing::shell_quote(mnt / "out") << " " << d << "/full-resumed\n";
  const std::string sh = "sh " + testing::shell_quote(script);
  const auto r =
      testing::run_command("if unshare -rm true 2>/dev/null; then unshare -rm " + sh +
                           "; elif unshare -m true 2>/dev/null; then unshare -m " + sh + "; else exit 77; fi");
  if (r.exit_code == 77)
    GTEST_SKIP() << "no mount namespace for a small tmpfs here (unshare -rm or root): " << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_bytes(*dir_ / "full.rc"), "1\n");
  const auto said = lines(read_bytes(*dir_ / "full.log"));
  ASSERT_EQ(said.size(), 1u) << read_bytes(*dir_ / "full.log");
  EXPECT_NE(said[0].find((mnt / "out").string() + "/"), std::string::npos) << said[0];
  EXPECT_NE(said[0].find("No space left on device"), std::string::npos) << said[0];
  EXPECT_EQ(read_bytes(*dir_ / "resume.rc"), "0\n") << read_bytes(*dir_ / "resume.log");
  expect_identical(clean(false), *dir_ / "full-resumed");
}

// The same without privileges: a file size limit makes the first row file fail.
TEST_F(OutdirCrash, AnUnwritableRowStopsTheRunAndTheResumeEqualsACleanRun) {
  const fs::path out = *dir_ / "fsize", log = *dir_ / "fsize.log";
  EXPECT_EQ(wait_for(spawn(args(false, out), log, 20000)), 1);
  const auto said = lines(read_bytes(log));
  ASSERT_EQ(said.size(), 1u) << read_bytes(log);
  EXPECT_NE(said[0].find((out / "a" / "clip0_s0000.npy").string() + ": write failed: File too large"),
            std::string::npos)
      << said[0];
  ASSERT_EQ(wait_for(spawn(args(false, out), log)), 0) << read_bytes(log);
  expect_identical(clean(false), out);
}

// Killed half-way through writing a row file (the first row): the resume
// leaves no trace of the half-written temporary.
TEST_F(OutdirCrash, KilledWhileWritingARowLeavesNoTemporaryAfterTheResume) {
  const fs::path out = *dir_ / "died", log = *dir_ / "died.log";
  EXPECT_EQ(wait_for(spawn(args(false, out), log, 20000, true)), 128 + SIGXFSZ) << read_bytes(log);
  ASSERT_EQ(wait_for(spawn(args(false, out), log)), 0) << read_bytes(log);
  expect_identical(clean(false), out);
}

#endif  // MELNORM_CLI_PATH

// ---- in-process: the lock, and outputs among the inputs ----

ExtractOptions tiny_options(const fs::path& in, const fs::path& out) {
  ExtractOptions o;
  o.input = in;
  o.out_dir = out;
  o.features = resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"hop_length", "64"}, {"n_mels", "20"}});
  o.jobs = 1;
  return o;
}

std::string refusal(const ExtractOptions& o) {
  try {
    extract_dataset(o);
  } catch (const Error& e) { return e.what(); }
  return "(not refused)";
}

TEST(OutdirLock, ASecondWriterInTheSameProcessIsRefusedUntilTheFirstFinishes) {
  TempDir dir;
  testing::write_audio(dir / "in" / "a" / "x.wav", testing::white_noise(4000), 1, 8000,
                       SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const ExtractPlan plan(tiny_options(dir / "in", dir / "out"));
  {
    ExtractWriter first(plan);
    const std::string said = refusal(plan.options());
    EXPECT_NE(said.find("OUTDIR " + (dir / "out").string() + " is being written by another melnorm extract (pid " +
                        std::to_string(::getpid()) + "); wait for it or choose another OUTDIR"),
              std::string::npos)
        << said;
    ExtractWorker worker(plan, first.stats());
    first.write(0, worker.process(0));
    first.finish();
    EXPECT_FALSE(fs::exists(dir / "out" / ".lock"));
    EXPECT_FALSE(fs::exists(dir / "out" / ".tmp"));
    EXPECT_EQ(extract_dataset(plan.options()).resumed, 1u);  // finished: OUTDIR is free again
  }
}

TEST(OutdirPaths, OutputsAmongTheInputsAreRefusedBeforeAnyWork) {
  TempDir dir;
  testing::write_audio(dir / "in" / "a" / "x.wav", testing::white_noise(4000), 1, 8000,
                       SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  std::string said = refusal(tiny_options(dir / "in", dir / "in/"));
  EXPECT_NE(said.find("OUTDIR " + (dir / "in/").string() + " is INPUT " + (dir / "in").string()), std::string::npos)
      << said;
  EXPECT_FALSE(fs::exists(dir / "in" / "options.json"));

  said = refusal(tiny_options(dir / "in" / "a", dir / "in"));
  EXPECT_NE(said.find("INPUT " + (dir / "in" / "a").string() + " is inside OUTDIR " + (dir / "in").string()),
            std::string::npos)
      << said;
  EXPECT_FALSE(fs::exists(dir / "in" / "options.json"));

  std::ofstream(dir / "in" / "manifest.csv") << "path,label\na/x.wav,cat\n";
  auto o = tiny_options(dir / "in", dir / "in");
  o.input = dir / "elsewhere";
  fs::create_directories(o.input);
  o.labels = dir / "in" / "manifest.csv";
  said = refusal(o);
  EXPECT_NE(said.find("labels " + o.labels->string() + " is inside OUTDIR " + (dir / "in").string()), std::string::npos)
      << said;
  EXPECT_EQ(read_bytes(dir / "in" / "manifest.csv"), "path,label\na/x.wav,cat\n");
}

// ---- a journal that does not describe OUTDIR (edited, copied from elsewhere) ----

// Two clips extracted to `out`, then `.progress` replaced by `journal`.
std::string resume_with_journal(const TempDir& dir, const std::string& journal) {
  testing::write_audio(dir / "in" / "a" / "x.wav", testing::white_noise(4000), 1, 8000,
                       SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  testing::write_audio(dir / "in" / "a" / "y.wav", testing::white_noise(4000, 2), 1, 8000,
                       SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const ExtractOptions o = tiny_options(dir / "in", dir / "out");
  extract_dataset(o);
  std::ofstream(dir / "out" / ".progress", std::ios::trunc) << journal;
  return refusal(o);
}

TEST(OutdirJournal, MoreSourcesDoneThanTheInputHasIsRefused) {
  TempDir dir;
  const std::string said = resume_with_journal(dir, "5 300 0 5 5 0\n");
  EXPECT_NE(said.find((dir / "out" / ".progress").string() + ": says 5 sources are done, the input has 2"),
            std::string::npos)
      << said;
}

TEST(OutdirJournal, AManifestShorterThanTheJournalSaysIsRefusedNotExtendedWithZeros) {
  TempDir dir;
  const std::string said = resume_with_journal(dir, "1 999999 0 1 1 0\n");
  EXPECT_NE(said.find("says manifest.csv holds 999999 bytes, it holds "), std::string::npos) << said;
  EXPECT_LT(fs::file_size(dir / "out" / "manifest.csv"), 999999u);
}

TEST(OutdirJournal, InconsistentCountsAndOverlongLinesAreRefused) {
  TempDir dir;
  EXPECT_NE(resume_with_journal(dir, "1 100 0 1 7 0\n").find("inconsistent counts (rows 1, ok 7, failed 0)"),
            std::string::npos);
  TempDir dir2;
  EXPECT_NE(resume_with_journal(dir2, std::string(300, '1') + "\n").find("line 1 is longer than a journal line"),
            std::string::npos);
}

// A packed run interrupted after one row; its manifest's n_frames edited.
TEST(OutdirJournal, APackedResumeRefusesAManifestRowThatIsNotAFrameCount) {
  TempDir dir;
  testing::write_audio(dir / "in" / "a" / "x.wav", testing::white_noise(4000), 1, 8000,
                       SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  testing::write_audio(dir / "in" / "a" / "y.wav", testing::white_noise(4000, 2), 1, 8000,
                       SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  ExtractOptions o = tiny_options(dir / "in", dir / "out");
  o.features = resolve_pipeline_options(
      {{"sr", "8000"}, {"n_fft", "256"}, {"hop_length", "64"}, {"n_mels", "20"}, {"pad_to", "0.5"}});
  o.format = "packed";
  {
    const ExtractPlan plan(o);
    ExtractWriter first(plan);
    first.write(0, ExtractWorker(plan, first.stats()).process(0));
  }  // no finish(): as if killed after the first row
  std::string manifest;
  {
    std::ifstream in(dir / "out" / "manifest.csv");
    manifest.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto ok = manifest.rfind(",ok,");
  const auto comma = manifest.rfind(',', ok - 1);
  ASSERT_NE(ok, std::string::npos) << manifest;
  manifest.replace(comma + 1, ok - comma - 1, "9x");
  std::ofstream(dir / "out" / "manifest.csv", std::ios::trunc) << manifest;
  const std::string said = refusal(o);
  EXPECT_NE(said.find("manifest.csv: n_frames '9x' is not a frame count"), std::string::npos) << said;
}

}  // namespace
}  // namespace melnorm
