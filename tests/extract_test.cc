// melnorm extract: labels, segments, failures, resume after kill -9,
// determinism across --jobs, training-only statistics, option changes.
#include <atomic>
#include <fstream>
#include <sstream>

#include "core/ordered_parallel_map.h"
#include "dataset/output_format.h"
#include "dataset/sources.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/extract.h"
#include "melnorm/npy.h"
#include "melnorm/stats.h"
#include "test_util.h"

namespace melnorm {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_audio;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::vector<std::string>> manifest(const fs::path& out) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_text(out / "manifest.csv"));
  std::string line;
  while (std::getline(in, line)) rows.push_back(detail::parse_csv_line(line));
  return rows;
}

// Every file under `a` equals the same file under `b` (and nothing is missing).
void expect_same_tree(const fs::path& a, const fs::path& b) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (!e.is_regular_file()) continue;
    const auto rel = fs::relative(e.path(), a);
    ASSERT_TRUE(fs::exists(b / rel)) << rel;
    EXPECT_EQ(read_text(e.path()), read_text(b / rel)) << rel;
    ++n;
  }
  std::size_t m = 0;
  for (const auto& e : fs::recursive_directory_iterator(b)) m += e.is_regular_file();
  EXPECT_EQ(n, m);
}

ExtractOptions small_options(const fs::path& in, const fs::path& out) {
  ExtractOptions o;
  o.input = in;
  o.out_dir = out;
  o.features = resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"hop_length", "64"}, {"n_mels", "20"}});
  o.jobs = 2;
  return o;
}

TEST(Sources, LabelsFromFoldersAndCsv) {
  TempDir dir;
  write_audio(dir / "corpus" / "cat" / "a.wav", testing::sine(300, 8000, 800), 1, 8000,
              SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_audio(dir / "corpus" / "dog" / "b.flac", testing::sine(300, 8000, 800), 1, 8000,
              SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  std::ofstream(dir / "corpus" / "notes.txt") << "not audio, not listed";
  auto list = detail::list_sources(dir / "corpus", std::nullopt);
  ASSERT_EQ(list.sources.size(), 2u);
  EXPECT_EQ(list.sources[0].name, "cat/a.wav");
  EXPECT_EQ(list.sources[0].label, "cat");
  EXPECT_EQ(list.sources[1].label, "dog");
  std::ofstream(dir / "labels.csv")
      << "path,label,split,speaker\ncorpus/cat/a.wav,meow,train,\"Smith, J\"\ncorpus/dog/b.flac,woof,test,x\n";
  list = detail::list_sources(dir / "corpus", dir / "labels.csv");
  ASSERT_EQ(list.sources.size(), 2u);
  EXPECT_EQ(list.extra_columns, (std::vector<std::string>{"split", "speaker"}));
  EXPECT_EQ(list.split_column, 0u);
  EXPECT_EQ(list.sources[0].label, "meow");
  EXPECT_EQ(list.sources[0].extra[1], "Smith, J");
  EXPECT_TRUE(fs::exists(list.sources[1].path));
  std::ofstream(dir / "bad.csv") << "file,class\nx.wav,1\n";
  EXPECT_THROW(detail::list_sources(dir / "corpus", dir / "bad.csv"), Error);
}

TEST(Extract, WritesOneNpyPerClipWithTheManifest) {
  TempDir dir;
  write_audio(dir / "in" / "cat" / "a.wav", testing::sine(300, 8000, 8000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_audio(dir / "in" / "dog" / "b.wav", testing::sine(900, 16000, 4000), 1, 16000,
              SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  auto o = small_options(dir / "in", dir / "out");
  o.features.normalize = NormalizeOptions{.method = "minmax"};
  const ExtractSummary s = extract_dataset(o);
  EXPECT_EQ(s.rows, 2u);
  EXPECT_EQ(s.failed, 0u);
  const auto rows = manifest(dir / "out");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"source", "label", "offset", "output", "n_frames", "status", "error"}));
  EXPECT_EQ(rows[1][0], "cat/a.wav");
  EXPECT_EQ(rows[1][1], "cat");
  EXPECT_EQ(rows[1][3], "cat/a.npy");
  EXPECT_EQ(rows[1][4], std::to_string(1 + 8000 / 64));
  EXPECT_EQ(rows[2][4], std::to_string(1 + 2000 / 64));  // resampled 16 kHz -> 8 kHz
  const NpyArray a = read_npy(dir / "out" / "cat" / "a.npy");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{20, 126}));
  const auto v = a.to_float32();
  EXPECT_FLOAT_EQ(*std::max_element(v.begin(), v.end()), 1.0f);
  EXPECT_TRUE(fs::exists(dir / "out" / "options.json"));
}

TEST(Extract, SegmentAndPadArithmetic) {
  TempDir dir;
  write_audio(dir / "in" / "x" / "long.wav", testing::sine(300, 8000, 20000), 1, 8000,
              SF_FORMAT_WAV | SF_FORMAT_FLOAT);  // 2.5 s
  write_audio(dir / "in" / "x" / "short.wav", testing::sine(300, 8000, 4000), 1, 8000,
              SF_FORMAT_WAV | SF_FORMAT_FLOAT);  // 0.5 s
  auto o = small_options(dir / "in", dir / "seg");
  o.features.segment = 1.0;
  o.features.segment_hop = 0.5;
  extract_dataset(o);
  auto rows = manifest(dir / "seg");
  // long: starts 0, 0.5, 1.0, 1.5 (a segment must fit); short: one zero-padded segment
  ASSERT_EQ(rows.size(), 1u + 4 + 1);
  EXPECT_EQ(rows[1][2], "0.000");
  EXPECT_EQ(rows[4][2], "1.500");
  EXPECT_EQ(rows[4][3], "x/long_s0003.npy");
  for (std::size_t r = 1; r < rows.size(); ++r) EXPECT_EQ(rows[r][4], std::to_string(1 + 8000 / 64));
  // the third segment is samples 8000..16000 of the clip
  const auto seg = read_npy(dir / "seg" / "x" / "long_s0002.npy").to_float32();
  auto mel = o.features.mel;
  mel.sample_rate = 8000;
  const auto y = testing::sine(300, 8000, 20000);
  EXPECT_EQ(seg, MelSpectrogram(mel).compute(std::span<const float>(y).subspan(8000, 8000)).data);

  auto p = small_options(dir / "in", dir / "pad");
  p.features.pad_to = 1.0;
  p.format = "packed";
  extract_dataset(p);
  rows = manifest(dir / "pad");
  ASSERT_EQ(rows.size(), 3u);
  const NpyArray packed = read_npy(dir / "pad" / "features.npy");
  EXPECT_EQ(packed.shape, (std::vector<std::size_t>{2, 20, 1 + 8000 / 64}));
  EXPECT_EQ(rows[1][3], "0");
  EXPECT_EQ(rows[2][3], "1");
}

TEST(Extract, BrokenFilesBecomeFailedRowsAndTheRestCompletes) {
  TempDir dir;
  for (int i = 0; i < 3; ++i)
    write_audio(dir / "in" / "ok" / testing::numbered("good", i, ".wav"), testing::white_noise(4000, i + 1), 1, 8000,
                SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  fs::create_directories(dir / "in" / "bad");
  std::ofstream(dir / "in" / "bad" / "broken.wav") << "RIFF....WAVEfmt this is not audio";
  write_audio(dir / "in" / "bad" / "empty.wav", {}, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  std::ofstream(dir / "in" / "bad" / "zero.flac");
  std::ofstream(dir / "in" / "bad" / "text.mp3") << "just some text pretending to be an mp3";
  auto o = small_options(dir / "in", dir / "out");
  const ExtractSummary s = extract_dataset(o);
  EXPECT_EQ(s.rows, 7u);
  EXPECT_EQ(s.failed, 4u);
  for (const auto& row : manifest(dir / "out")) {
    if (row[0] == "source") continue;
    const bool bad = row[0].rfind("bad/", 0) == 0;
    EXPECT_EQ(row[5], bad ? "failed" : "ok") << row[0];
    EXPECT_EQ(row[6].empty(), !bad) << row[0] << ": " << row[6];
    if (bad) { EXPECT_NE(row[6].find(row[0].substr(4)), std::string::npos) << "the reason names the file: " << row[6]; }
  }
}

// A WAV whose header promises 1 s of 8 kHz audio holding 0.125 s (cut short).
void write_truncated_wav(const fs::path& path) {
  write_audio(path, testing::white_noise(8000, 7), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  fs::resize_file(path, 44 + 1000 * 2);
}

TEST(Extract, ATruncatedFileIsAnOkRowWithAWarningNamingBothLengths) {
  TempDir dir;
  write_audio(dir / "in" / "a" / "good.wav", testing::white_noise(4000, 1), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_truncated_wav(dir / "in" / "a" / "cut.wav");
  std::vector<std::string> warnings;
  auto previous = set_warning_handler([&](std::string_view m) { warnings.emplace_back(m); });
  const ExtractSummary s = extract_dataset(small_options(dir / "in", dir / "out"));
  set_warning_handler(previous);
  EXPECT_EQ(s.failed, 0u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("cut.wav: its header promises 1.000 s (8000 frames) but the file holds 0.125 s (1000 "
                             "frames)"),
            std::string::npos)
      << warnings[0];
}

TEST(Extract, StrictMakesATruncatedFileAFailedRowWithTheWarningAsItsError) {
  TempDir dir;
  write_audio(dir / "in" / "a" / "good.wav", testing::white_noise(4000, 1), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_truncated_wav(dir / "in" / "a" / "cut.wav");
  auto o = small_options(dir / "in", dir / "out");
  o.strict = true;
  std::vector<std::string> warnings;
  auto previous = set_warning_handler([&](std::string_view m) { warnings.emplace_back(m); });
  const ExtractSummary s = extract_dataset(o);
  set_warning_handler(previous);
  EXPECT_EQ(s.rows, 2u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_TRUE(warnings.empty()) << warnings[0];  // the row says it, once
  for (const auto& row : manifest(dir / "out")) {
    if (row[0] != "a/cut.wav") continue;
    EXPECT_EQ(row[5], "failed");
    EXPECT_NE(row[6].find("strict: "), std::string::npos) << row[6];
    EXPECT_NE(row[6].find("cut.wav: its header promises 1.000 s"), std::string::npos) << row[6];
  }
  EXPECT_EQ(resolve_extract_options({{"input", "x"}, {"out_dir", "y"}, {"strict", "true"}}).strict, true);
}

TEST(Extract, JobsOneAndTwoAreByteIdentical) {
  TempDir dir;
  for (int i = 0; i < 24; ++i)
    write_audio(dir / "in" / std::to_string(i % 3) / testing::numbered("c", i, ".wav"),
                testing::white_noise(2000 + 500 * i, i + 1), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  for (int jobs : {1, 2}) {
    auto o = small_options(dir / "in", dir / testing::numbered("out", jobs, ""));
    o.jobs = jobs;
    o.features.normalize = NormalizeOptions{.method = "zscore", .scope = Scope::kGlobal, .axis = Axis::kBand};
    o.fit_stats = true;
    o.fit_on = FitOn::kAll;  // no split: every row, knowingly
    extract_dataset(o);
  }
  expect_same_tree(dir / "out1", dir / "out2");
}

TEST(Extract, FitStatsUsesTrainingRowsOnly) {
  TempDir dir;
  fs::create_directories(dir / "in");
  std::ofstream csv(dir / "labels.csv");
  csv << "path,label,split\n";
  for (int i = 0; i < 6; ++i) {
    const bool train = i < 4;
    // test clips are much louder: if they leaked into the statistics the mean would move
    auto y = testing::white_noise(4000, i + 1, train ? 0.01 : 0.9);
    write_audio(dir / "in" / testing::numbered("c", i, ".wav"), y, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    csv << "in/c" << i << ".wav,x," << (train ? "train" : "test") << "\n";
  }
  csv.close();
  auto o = small_options(dir / "in", dir / "out");
  o.labels = dir / "labels.csv";
  o.features.mel.db.reference = DbReference::kValue;
  o.features.normalize = NormalizeOptions{.method = "zscore", .scope = Scope::kGlobal};
  o.fit_stats = true;
  extract_dataset(o);
  const Stats fitted = Stats::load(dir / "out" / "stats.json");
  Stats want(20);
  auto mel = o.features.mel;
  mel.sample_rate = 8000;
  for (int i = 0; i < 4; ++i) {
    const Matrix m = MelSpectrogram(mel).compute(load_audio(dir / "in" / testing::numbered("c", i, ".wav")).samples);
    want.update(m.data.data(), m.rows, m.cols);
  }
  EXPECT_EQ(fitted.count(), want.count());
  EXPECT_NEAR(fitted.overall().mean, want.overall().mean, 1e-9);
}

TEST(Extract, OtherOptionsIntoAnExistingFolderAreRefused) {
  TempDir dir;
  write_audio(dir / "in" / "a" / "x.wav", testing::white_noise(4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  auto o = small_options(dir / "in", dir / "out");
  extract_dataset(o);
  const std::string before = read_text(dir / "out" / "manifest.csv");
  o.features.mel.mel.n_mels = 30;
  try {
    extract_dataset(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("n_mels: \"20\" vs \"30\""), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_text(dir / "out" / "manifest.csv"), before);
  o.features.mel.mel.n_mels = 20;  // the same options again: nothing left to do, nothing changes
  const ExtractSummary s = extract_dataset(o);
  EXPECT_EQ(s.resumed, 1u);
  EXPECT_EQ(read_text(dir / "out" / "manifest.csv"), before);
}

#ifdef MELNORM_CLI_PATH
TEST(Extract, KillNineThenResumeIsByteIdenticalToACleanRun) {
  // The real FSDD recordings, slow enough options that the kill lands mid-run.
  const fs::path fsdd = testing::reference_dir().parent_path() / "data" / "fsdd";
  ASSERT_TRUE(fs::exists(fsdd / "LABELS.csv")) << fsdd;
  TempDir dir;
  const std::string args = " " + testing::shell_quote(fsdd / "recordings") + " --labels " +
                           testing::shell_quote(fsdd / "LABELS.csv") +
                           " --sr 16000 --n-fft 4096 --hop 64 --n-mels 64 --normalize zscore --scope global"
                           " --fit-stats --pad-to 1 --format packed --jobs 2 -q -o ";
  const std::string cli = MELNORM_CLI_PATH;
  auto r = testing::run_command(cli + " extract" + args + testing::shell_quote(dir / "clean"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Start, wait until some rows are in the manifest, kill -9, resume.
  const std::string killed = testing::shell_quote(dir / "killed");
  r = testing::run_command(cli + " extract" + args + killed +
                           " & pid=$!; "
                           "while [ \"$(cat " +
                           killed +
                           "/manifest.csv 2>/dev/null | wc -l)\" -lt 500 ]; do sleep 0.01; done; "
                           "kill -9 $pid; wait $pid; echo killed");
  ASSERT_NE(r.output.find("killed"), std::string::npos) << r.output;
  ASSERT_FALSE(fs::exists(dir / "killed" / "features.npy")) << "the run finished before the kill";
  r = testing::run_command(cli + " extract" + args + killed);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_tree(dir / "clean", dir / "killed");
}
#endif

}  // namespace
}  // namespace melnorm

namespace melnorm {
namespace {

TEST(OrderedParallelMap, ConsumesInInputOrderAndStopsAtTheFirstError) {
  for (int jobs : {1, 2, 3}) {
    std::vector<std::size_t> seen;
    std::atomic<std::size_t> states{0};
    detail::ordered_parallel_map(
        5, 205, jobs, [&] { return states.fetch_add(1) + 1; },  // one state per thread
        [](std::size_t i, std::size_t&) { return i * i; },
        [&](std::size_t i, std::size_t&& r) {
          EXPECT_EQ(r, i * i);
          seen.push_back(i);
        });
    ASSERT_EQ(seen.size(), 200u);
    for (std::size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], 5 + k);
    EXPECT_LE(states.load(), static_cast<std::size_t>(jobs));
    std::size_t consumed = 0;
    EXPECT_THROW(detail::ordered_parallel_map(
                     0, 1000, jobs, [] { return 0; },
                     [](std::size_t i, int&) {
                       if (i == 40) throw Error(ErrorCode::kInvalidData, "i", "item 40");
                       return i;
                     },
                     [&](std::size_t, std::size_t&&) { ++consumed; }),
                 Error);
    // Never the failing item or one after it; with one job, every item before it.
    EXPECT_LE(consumed, 40u);
    if (jobs == 1) { EXPECT_EQ(consumed, 40u); }
  }
}

TEST(Extract, ReadsNpyWaveformsAtTheGivenRateAndRefusesWithoutOne) {
  TempDir dir;
  const std::vector<float> y = testing::sine(300, 8000, 8000);
  const std::size_t shape[] = {y.size()};
  fs::create_directories(dir / "in" / "tone");
  write_npy(dir / "in" / "tone" / "a.npy", y, shape);
  auto o = small_options(dir / "in", dir / "out");
  const ExtractSummary s = extract_dataset(o);
  ASSERT_EQ(s.rows, 1u);
  EXPECT_EQ(s.failed, 0u);
  const auto rows = manifest(dir / "out");
  EXPECT_EQ(rows[1][0], "tone/a.npy");
  EXPECT_EQ(rows[1][3], "tone/a.npy");  // the row mirrors the source's path
  auto mel = o.features.mel;
  mel.sample_rate = 8000;
  EXPECT_EQ(read_npy(dir / "out" / "tone" / "a.npy").to_float32(), MelSpectrogram(mel).compute(y).data);

  auto no_rate = small_options(dir / "in", dir / "out2");
  no_rate.features = resolve_pipeline_options({{"n_fft", "256"}, {"hop_length", "64"}, {"n_mels", "20"}});
  try {
    extract_dataset(no_rate);
    FAIL() << "a .npy waveform without sr must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "sr");
    EXPECT_NE(std::string(e.what()).find("tone/a.npy is a waveform file that stores no sample rate"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "out2"));
}

TEST(Extract, AnOutdirInsideTheInputFolderIsNotReadAsInput) {
  TempDir dir;
  write_audio(dir / "in" / "a.wav", testing::sine(300, 8000, 4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  auto o = small_options(dir / "in", dir / "in" / "features");
  extract_dataset(o);
  EXPECT_EQ(extract_dataset(o).sources, 1u);  // its a.npy row is not a clip: the re-run resumes
}

TEST(Extract, UnknownFormatsNameTheRegisteredOnes) {
  TempDir dir;
  try {
    resolve_extract_options({{"input", (dir / "in").string()}, {"out_dir", (dir / "o").string()}, {"format", "zip"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "format");
    EXPECT_NE(std::string(e.what()).find("allowed: npy, packed"), std::string::npos) << e.what();
  }
}

// A run refused before its first row (here: no train row to fit on) leaves
// nothing the corrected command trips over: it starts over with its options.
TEST(Extract, ARunRefusedBeforeItsFirstRowDoesNotBlockTheCorrectedRun) {
  TempDir dir;
  write_audio(dir / "in" / "a.wav", testing::sine(300, 8000, 8000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_audio(dir / "in" / "b.wav", testing::sine(900, 8000, 4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  std::ofstream(dir / "split.csv") << "path,label,split\na.wav,x,test\nb.wav,y,test\n";
  std::ofstream(dir / "fold.csv") << "path,label,fold\na.wav,x,train\nb.wav,y,test\n";
  auto o = small_options(dir / "in", dir / "out");
  o.features.normalize = NormalizeOptions{.method = "zscore", .scope = Scope::kGlobal};
  o.fit_stats = true;
  o.labels = dir / "split.csv";
  EXPECT_THROW(extract_dataset(o), Error);  // no row says train
  o.labels = dir / "fold.csv";
  o.split_column = "fold";
  const ExtractSummary s = extract_dataset(o);  // other options: accepted, as the refused run wrote no row
  EXPECT_EQ(s.rows, 2u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(manifest(dir / "out").size(), 3u);
}

// A clip added to the input says which, and what to do.
TEST(Extract, AChangedInputNamesTheFilesAddedAndRemoved) {
  TempDir dir;
  write_audio(dir / "in" / "a.wav", testing::sine(300, 8000, 8000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_audio(dir / "in" / "b.wav", testing::sine(900, 8000, 4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const auto o = small_options(dir / "in", dir / "out");
  extract_dataset(o);
  write_audio(dir / "in" / "c.wav", testing::sine(500, 8000, 4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  fs::remove(dir / "in" / "a.wav");
  write_audio(dir / "in" / "d.wav", testing::sine(700, 8000, 4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  try {
    extract_dataset(o);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("was made from other inputs: 2 files (e.g. c.wav, d.wav) added; 1 file (e.g. a.wav) removed"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("extract them into a new OUTDIR"), std::string::npos) << m;
  }
}

TEST(OutdirReader, ReadsBothFormatsRowsAsWritten) {
  TempDir dir;
  write_audio(dir / "in" / "cat" / "a.wav", testing::sine(300, 8000, 8000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_audio(dir / "in" / "dog" / "b.wav", testing::sine(900, 8000, 4000), 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  std::ofstream(dir / "in" / "dog" / "broken.wav") << "not audio";
  for (const std::string format : {"npy", "packed"}) {
    auto o = small_options(dir / "in", dir / format);
    o.features.pad_to = 1.0;
    o.features.dtype = DType::kFloat16;
    o.format = format;
    extract_dataset(o);
    const OutdirReader r(dir / format);
    EXPECT_EQ(r.format(), format);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r.columns().front(), "source");
    EXPECT_TRUE(r.ok(1));   // dog/b.wav
    EXPECT_FALSE(r.ok(2));  // dog/broken.wav
    EXPECT_THROW(r.features(2), Error);
    const Matrix m = r.features(1);
    EXPECT_EQ(m.rows, 20u);
    EXPECT_EQ(m.cols, 1 + 8000u / 64);
    const NpyArray expected =
        format == "npy" ? read_npy(dir / format / "dog" / "b.npy") : read_npy(dir / format / "features.npy");
    const auto all = expected.to_float32();
    const std::size_t offset = format == "npy" ? 0 : m.rows * m.cols;  // packed: the second ok row
    EXPECT_EQ(m.data, std::vector<float>(all.begin() + static_cast<std::ptrdiff_t>(offset),
                                         all.begin() + static_cast<std::ptrdiff_t>(offset + m.rows * m.cols)));
  }
  EXPECT_THROW(OutdirReader(dir / "in"), Error);  // not an OUTDIR
}

// Every registered output format (a new one is tested here without editing
// this test): a run interrupted after two sources resumes, and OutdirReader
// reads back the rows of the npy format bit for bit (float32).
TEST(OutdirReader, EveryFormatResumesAndReadsBackTheRowsItWrote) {
  TempDir dir;
  for (int i = 0; i < 4; ++i)
    write_audio(dir / "in" / ("c" + std::to_string(i) + ".wav"), testing::sine(300.0 + 100.0 * i, 8000, 6000), 1, 8000,
                SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const auto options_for = [&](const std::string& format, const fs::path& out) {
    auto o = small_options(dir / "in", out);
    o.features.pad_to = 1.0;  // rows of one size: every format takes them
    o.format = format;
    o.shard_size = 2;  // format shards resumes at a shard's end: the interrupt below comes after one
    return o;
  };
  extract_dataset(options_for("npy", dir / "reference"));
  const OutdirReader reference(dir / "reference");
  ASSERT_EQ(reference.size(), 4u);
  struct Interrupt {};
  for (const detail::OutputFormat* format : detail::output_formats()) {
    const fs::path out = dir / format->name;
    EXPECT_THROW(extract_dataset(options_for(format->name, out),
                                 [](const ExtractProgress& p) {
                                   if (p.sources_done == 2) throw Interrupt{};
                                 }),
                 Interrupt)
        << format->name;
    EXPECT_EQ(extract_dataset(options_for(format->name, out)).resumed, 2u) << format->name;
    const OutdirReader r(out);
    EXPECT_EQ(r.format(), format->name);
    ASSERT_EQ(r.size(), reference.size()) << format->name;
    for (std::size_t i = 0; i < r.size(); ++i)
      EXPECT_EQ(r.features(i).data, reference.features(i).data) << format->name << " row " << i;
  }
}

// A packed features.npy of the wrong size (truncated, grown, emptied) is
// refused naming the file and both sizes; a row view outlives its reader.
TEST(OutdirReader, DamagedPackedFileIsRefusedAndViewsOutliveTheReader) {
  TempDir dir;
  for (int i = 0; i < 3; ++i)
    write_audio(dir / "in" / ("c" + std::to_string(i) + ".wav"), testing::sine(300.0 + 100.0 * i, 8000, 6000), 1, 8000,
                SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  auto o = small_options(dir / "in", dir / "out");
  o.features.pad_to = 1.0;
  o.format = "packed";
  extract_dataset(o);
  const fs::path file = dir / "out" / "features.npy";
  const auto good_size = fs::file_size(file);

  std::optional<FeaturesView> view;
  std::vector<float> copy;
  {
    const OutdirReader r(dir / "out");
    view = r.features_view(2);
    copy = r.features(2).data;
  }
  ASSERT_TRUE(view.has_value());
  ASSERT_EQ(view->dtype, DType::kFloat32);
  const auto* values = static_cast<const float*>(view->data);
  EXPECT_EQ(std::vector<float>(values, values + copy.size()), copy);  // the reader is gone, the mapping is not
  view.reset();

  const auto refused_with = [&](std::uintmax_t size, const std::string& words) {
    fs::resize_file(file, size);
    try {
      const OutdirReader r(dir / "out");
      (void)r.features(0);
      ADD_FAILURE() << "a " << size << "-byte features.npy was read";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused_with(good_size - 1, std::to_string(good_size - 1) + " bytes");
  refused_with(good_size + 4, std::to_string(good_size) + " (3 rows");
  refused_with(0, "empty");
}

}  // namespace
}  // namespace melnorm
