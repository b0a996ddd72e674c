// Saved models and melnorm predict (issue 13, parts 1 and 2): the scripted
// network gives the trained one's logits; train --save-model then predict
// reproduces train's test accuracy on real FSDD recordings; segments of a long
// file aggregate to its class; a damaged model folder is refused naming the file.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>

#include "core/sha256.h"
#include "dataset/sources.h"
#include "experiment/classifier.h"
#include "melnorm/audio.h"
#include "melnorm/error.h"
#include "melnorm/model.h"
#include "melnorm/predict.h"
#include "test_util.h"

namespace melnorm {
namespace {

namespace fs = std::filesystem;
using testing::shell_quote;
using testing::TempDir;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// predictions.csv as rows of column -> value.
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& p) {
  std::stringstream in(read_file(p));
  std::string line;
  std::getline(in, line);
  const auto header = detail::parse_csv_line(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const auto f = detail::parse_csv_line(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    rows.push_back(row);
  }
  return rows;
}

TEST(SavedNetwork, ScriptedLogitsEqualTheTrainedNetworksBitForBit) {
  for (BnAxis axis : {BnAxis::kChannel, BnAxis::kFreq, BnAxis::kTime, BnAxis::kNone}) {
    detail::FeatureSet train;
    train.F = 12, train.T = 20;
    for (int i = 0; i < 16; ++i) {
      const auto x = testing::white_noise(train.F * train.T, static_cast<unsigned>(i + 1), 1.0 + (i % 2));
      train.x.insert(train.x.end(), x.begin(), x.end());
      train.y.push_back(i % 2);
    }
    const ModelOptions model{.blocks = 2, .channels = 4, .max_channels = 8, .bn_axis = axis};
    const auto net = detail::train_classifier(model, {.epochs = 2, .batch_size = 4, .val_fraction = 0, .threads = 1}, 1,
                                              train, {}, 2);
    TempDir dir;
    net->save(dir / "model.pt");
    const auto loaded = detail::load_classifier(dir / "model.pt", train.F, train.T, 2);
    EXPECT_EQ(net->logits(train.x.data(), train.size()), loaded->logits(train.x.data(), train.size()))
        << to_string(axis);
    EXPECT_THROW(detail::load_classifier(dir / "model.pt", train.F, train.T, 3), Error);  // output is 2 wide
  }
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(detail::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(detail::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(detail::sha256_hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

#ifdef MELNORM_CLI_PATH

const std::string kCli = MELNORM_CLI_PATH;

// Three tones in noise (label = folder): a fast, easy dataset.
fs::path tone_corpus(const TempDir& dir) {
  return testing::tone_corpus(dir.path(), {{"low", 300.0}, {"mid", 1000.0}, {"high", 2500.0}});
}

fs::path fsdd_dir() { return testing::reference_dir().parent_path() / "data" / "fsdd"; }

// One model trained once for the suite: FSDD's official split, 4 of the 6
// speakers (train: clips 5..29 of each; test: the official test clips 0..4).
class PredictFsdd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    std::stringstream in(read_file(fsdd_dir() / "LABELS.csv"));
    std::string line, train_csv, test_csv;
    std::getline(in, line);
    train_csv = test_csv = line + "\n";
    while (std::getline(in, line)) {
      const auto f = detail::parse_csv_line(line);
      const std::string& speaker = f[2];
      if (speaker == "lucas" || speaker == "yweweler") continue;
      const int index = std::stoi(fs::path(f[0]).stem().string().substr(fs::path(f[0]).stem().string().rfind('_') + 1));
      if (index < 30) train_csv += line + "\n";
      if (f[3] == "test") test_csv += line + "\n";
    }
    write_file(*dir_ / "labels.csv", train_csv);
    write_file(*dir_ / "test.csv", test_csv);
    train_output_ = new testing::CommandResult(testing::run_command(
        kCli + " train --data " + shell_quote(fsdd_dir()) + " --labels " + shell_quote(*dir_ / "labels.csv") +
        " --n-fft 256 --hop 128 --n-mels 32 --pad-to 1 --method zscore:global --epochs 4 --blocks 3 --channels 8"
        " --max-channels 32 --threads 2 -q -o " +
        shell_quote(*dir_ / "results") + " --save-model " + shell_quote(model())));
  }
  static void TearDownTestSuite() {
    delete train_output_;
    delete dir_;
  }
  void SetUp() override { ASSERT_EQ(train_output_->exit_code, 0) << train_output_->output; }
  static fs::path model() { return *dir_ / "model"; }

  static TempDir* dir_;
  static testing::CommandResult* train_output_;
};
TempDir* PredictFsdd::dir_ = nullptr;
testing::CommandResult* PredictFsdd::train_output_ = nullptr;

TEST_F(PredictFsdd, PredictOnTheTestRowsReproducesTrainsAccuracy) {
  const auto record = nlohmann::json::parse(read_file(model() / "model.json"));
  const double reported = record["training"]["test_accuracy"].get<double>();
  const auto r = testing::run_command(kCli + " predict " + shell_quote(model()) + " " + shell_quote(fsdd_dir()) +
                                      " --labels " + shell_quote(*dir_ / "test.csv") + " --jobs 2 --top-k 3 -o " +
                                      shell_quote(*dir_ / "predictions.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(*dir_ / "predictions.csv");
  ASSERT_EQ(rows.size(), record["training"]["test_rows"].get<std::size_t>());
  std::size_t right = 0;
  for (const auto& row : rows) right += row.at("label") == row.at("true_label");
  EXPECT_EQ(static_cast<double>(right) / static_cast<double>(rows.size()), reported);  // the same number
  char pct[32];
  std::snprintf(pct, sizeof pct, "accuracy %.2f%%", 100 * reported);
  EXPECT_NE(r.output.find(pct), std::string::npos) << r.output;
  // results.csv reports the same accuracy (4 decimals).
  std::snprintf(pct, sizeof pct, ",clean,clip,%.4f,", reported);
  EXPECT_NE(read_file(*dir_ / "results" / "results.csv").find(pct), std::string::npos);
  EXPECT_GT(reported, 0.2) << "better than chance (0.1)";
  EXPECT_FALSE(rows.front().at("label_3").empty());
}

// The digit the model recognizes best on the test clips: the segment test
// checks segmenting and aggregation, not the small test model's accuracy.
std::string best_recognized_digit(const fs::path& model, const fs::path& test_csv) {
  TempDir dir;
  const auto r = testing::run_command(kCli + " predict " + shell_quote(model) + " " + shell_quote(fsdd_dir()) +
                                      " --labels " + shell_quote(test_csv) + " -q -o " + shell_quote(dir / "p.csv"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::map<std::string, int> right;
  for (const auto& row : read_csv(dir / "p.csv"))
    right[row.at("true_label")] += row.at("label") == row.at("true_label");
  return std::max_element(right.begin(), right.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

// A 30 s file: 10 test clips of one digit, each in a 1 s slot (as the model's
// pad_to frames a clip), back to back, three times over.
TEST_F(PredictFsdd, SegmentsOfALongFileGiveItsClassByVoteAndByMean) {
  const std::string digit = best_recognized_digit(model(), *dir_ / "test.csv");
  std::vector<float> slots, track;
  for (int i = 0; i < 10; ++i) {
    const Audio a = load_audio(fsdd_dir() / "recordings" /
                               (digit + "_" + (i < 5 ? "george_" : "jackson_") + std::to_string(i % 5) + ".wav"));
    std::vector<float> slot(8000, 0.0f);
    std::copy_n(a.samples.begin(), std::min<std::size_t>(a.samples.size(), slot.size()), slot.begin());
    slots.insert(slots.end(), slot.begin(), slot.end());
  }
  for (int k = 0; k < 3; ++k) track.insert(track.end(), slots.begin(), slots.end());
  testing::write_audio(*dir_ / "long.wav", track, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  for (const std::string how : {"vote", "mean"}) {
    const fs::path out = *dir_ / ("segments-" + how + ".csv");
    const auto r =
        testing::run_command(kCli + " predict " + shell_quote(model()) + " " + shell_quote(*dir_ / "long.wav") +
                             " --segment 1 --aggregate " + how + " -q -o " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto rows = read_csv(out);
    ASSERT_EQ(rows.size(), 31u);  // 30 segments and the file
    EXPECT_EQ(rows[5].at("segment"), "5");
    EXPECT_EQ(rows[5].at("start"), "5.000");
    EXPECT_EQ(rows.back().at("segment"), "file");
    EXPECT_EQ(rows.back().at("label"), digit) << how;
  }
}

// A file longer than the model's 1 s input is classified whole: windows of
// 1 s every 0.5 s, the last aligned to the end (none of it dropped, none
// padded); --no-segment refuses it as a failed row; a --segment shorter than
// the input is refused unless --pad-short.
TEST_F(PredictFsdd, ALongFileIsClassifiedWholeInWindowsOfTheModelsInput) {
  std::vector<float> track;
  for (int i = 0; i < 5; ++i) {
    const Audio a = load_audio(fsdd_dir() / "recordings" / ("3_george_" + std::to_string(i) + ".wav"));
    track.insert(track.end(), a.samples.begin(), a.samples.end());
  }
  track.resize(8000 * 3 + 1234, 0.0f);  // 3.15 s: not a whole number of hops
  testing::write_audio(*dir_ / "long3.wav", track, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const std::string base = kCli + " predict " + shell_quote(model()) + " " + shell_quote(*dir_ / "long3.wav");
  const auto r = testing::run_command(base + " -o " + shell_quote(*dir_ / "w.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 file longer than the model's input: classified whole in windows of 1 s"),
            std::string::npos)
      << r.output;
  const auto rows = read_csv(*dir_ / "w.csv");
  ASSERT_EQ(rows.size(), 7u);  // windows at 0, 0.5, 1, 1.5, 2 and 2.154 (the end), and the file
  EXPECT_EQ(rows[1].at("start"), "0.500");
  EXPECT_EQ(rows[5].at("start"), "2.154");
  EXPECT_EQ(rows[5].at("end"), "3.154");
  EXPECT_EQ(rows.back().at("segment"), "file");
  EXPECT_EQ(rows.back().at("end"), "3.154");

  const auto whole = testing::run_command(base + " --no-segment -q -o " + shell_quote(*dir_ / "n.csv"));
  EXPECT_EQ(whole.exit_code, 1) << whole.output;
  const auto failed = read_csv(*dir_ / "n.csv");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].at("status"), "failed");
  EXPECT_NE(failed[0].at("error").find("longer than the model's input (1 s), and --no-segment refuses"),
            std::string::npos)
      << failed[0].at("error");

  const auto short_segment = testing::run_command(base + " --segment 0.5 -q -o " + shell_quote(*dir_ / "s.csv"));
  EXPECT_EQ(short_segment.exit_code, 2) << short_segment.output;
  EXPECT_NE(short_segment.output.find("--segment 0.5 s is shorter than the model's input (1 s)"), std::string::npos)
      << short_segment.output;
  EXPECT_NE(short_segment.output.find("add --pad-short to pad on purpose"), std::string::npos) << short_segment.output;
  EXPECT_FALSE(fs::exists(*dir_ / "s.csv"));
  const auto padded = testing::run_command(base + " --segment 0.5 --pad-short -q -o " + shell_quote(*dir_ / "p.csv"));
  EXPECT_EQ(padded.exit_code, 0) << padded.output;
  EXPECT_EQ(read_csv(*dir_ / "p.csv").size(), 8u);  // 0, 0.5, ..., 2.5, 2.654 and the file
}

TEST_F(PredictFsdd, BrokenAudioIsAFailedRowAndExitsOne) {
  TempDir in;
  fs::create_directories(in / "clips");
  fs::copy_file(fsdd_dir() / "recordings" / "7_george_0.wav", in / "clips" / "good.wav");
  write_file(in / "clips" / "broken.wav", "RIFF....WAVEfmt not really");
  const auto r = testing::run_command(kCli + " predict " + shell_quote(model()) + " " + shell_quote(in / "clips") +
                                      " -q -o " + shell_quote(in / "p.csv"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const auto rows = read_csv(in / "p.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("status"), "failed");
  EXPECT_FALSE(rows[0].at("error").empty());
  EXPECT_EQ(rows[1].at("status"), "ok");
}

// A copy of the model with `damage` done to it; predict must exit 1 with one
// line naming `file`, and write no predictions.
void expect_refused(const fs::path& model, const std::string& file,
                    const std::function<void(const fs::path&)>& damage) {
  TempDir dir;
  fs::copy(model, dir / "m", fs::copy_options::recursive);
  damage(dir / "m");
  const auto r = testing::run_command(kCli + " predict " + shell_quote(dir / "m") + " " +
                                      shell_quote(fsdd_dir() / "recordings" / "7_george_0.wav") + " -o " +
                                      shell_quote(dir / "p.csv"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find((dir / "m" / file).string()), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(fs::exists(dir / "p.csv"));
}

// Rewrites model.json's digest of `file` (as if the file had been saved so).
void reseal(const fs::path& model, const std::string& file) {
  auto j = nlohmann::json::parse(read_file(model / "model.json"));
  j["files"][file]["sha256"] = detail::sha256_file(model / file);
  j["files"][file]["bytes"] = fs::file_size(model / file);
  write_file(model / "model.json", j.dump(2));
}

TEST_F(PredictFsdd, DamagedModelFoldersAreRefusedNamingTheFile) {
  expect_refused(model(), "model.pt",
                 [](const fs::path& m) { fs::resize_file(m / "model.pt", fs::file_size(m / "model.pt") / 2); });
  expect_refused(model(), "model.pt", [](const fs::path& m) {  // truncated, and the record updated: torch refuses it
    fs::resize_file(m / "model.pt", fs::file_size(m / "model.pt") / 2);
    reseal(m, "model.pt");
  });
  expect_refused(model(), "model.json", [](const fs::path& m) {
    auto j = nlohmann::json::parse(read_file(m / "model.json"));
    j["format_version"] = 99;
    write_file(m / "model.json", j.dump(2));
  });
  expect_refused(model(), "model.json", [](const fs::path& m) { fs::resize_file(m / "model.json", 40); });
  expect_refused(model(), "stats.json", [](const fs::path& m) {  // statistics of other features
    auto s = nlohmann::json::parse(read_file(m / "stats.json"));
    s["fingerprint"]["hop_length"] = "64";
    write_file(m / "stats.json", s.dump());
    reseal(m, "stats.json");
  });
  expect_refused(model(), "pipeline.json", [](const fs::path& m) { fs::remove(m / "pipeline.json"); });
}

// ---- live audio (predict --stream) ----

// Four test clips back to back (about 1.9 s at 8 kHz), as a WAV and as raw s16le.
fs::path four_clips(const TempDir& dir) {
  std::vector<float> x;
  for (const char* name : {"3_george_1", "3_george_2", "5_jackson_3", "5_jackson_4"}) {
    const Audio a = load_audio(fsdd_dir() / "recordings" / (std::string(name) + ".wav"));
    x.insert(x.end(), a.samples.begin(), a.samples.end());
  }
  testing::write_audio(dir / "four.wav", x, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  std::ofstream raw(dir / "four.s16", std::ios::binary);
  for (float v : x) {
    const auto s = static_cast<std::int16_t>(std::lround(v * 32768.0f));
    raw.write(reinterpret_cast<const char*>(&s), 2);
  }
  return dir / "four.wav";
}

// The stream's labels, fed in odd-sized chunks, equal predict's segments of
// the same audio (segment = window, segment_hop = every): the same samples
// through the same pipeline and network.
TEST_F(PredictFsdd, StreamLabelsEqualPredictSegmentsOfTheSameAudio) {
  TempDir dir;
  const fs::path wav = four_clips(dir);
  const SavedModel model = SavedModel::load(PredictFsdd::model());
  const Audio a = load_audio(wav);
  StreamClassifier stream(model, a.sample_rate, 1.0, 0.25);
  std::vector<StreamLabel> labels;
  for (std::size_t i = 0; i < a.samples.size(); i += 777) {
    const auto due =
        stream.accept(std::span<const float>(a.samples).subspan(i, std::min<std::size_t>(777, a.samples.size() - i)));
    labels.insert(labels.end(), due.begin(), due.end());
  }
  const auto tail = stream.finish();  // the audio after the last label: one window aligned to the end, as predict's
  labels.insert(labels.end(), tail.begin(), tail.end());
  const auto r = testing::run_command(kCli + " predict " + shell_quote(PredictFsdd::model()) + " " + shell_quote(wav) +
                                      " --segment 1 --segment-hop 0.25 -q -o " + shell_quote(dir / "p.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_csv(dir / "p.csv");
  ASSERT_EQ(labels.size() + 1, rows.size());  // the segments, then the file's row
  ASSERT_GE(labels.size(), 3u);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    char start[32];
    std::snprintf(start, sizeof start, "%.3f", labels[i].start);
    EXPECT_EQ(rows[i].at("start"), start) << i;
    EXPECT_EQ(top_fields(labels[i].probabilities, model.classes(), 1),
              rows[i].at("label") + "," + rows[i].at("probability"))
        << i;
  }
}

TEST_F(PredictFsdd, StreamFromStdinEqualsTheFileFedAsIfLiveAndAnEmptyStreamIsRefused) {
  TempDir dir;
  const fs::path wav = four_clips(dir);
  const std::string cmd = kCli + " predict " + shell_quote(PredictFsdd::model()) + " --stream --every 0.5 --window 1";
  const auto from_file = testing::run_command(cmd + " " + shell_quote(wav));
  const auto from_stdin = testing::run_command(cmd + " --rate 8000 < " + shell_quote(dir / "four.s16"));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.output;
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.output;
  EXPECT_EQ(from_stdin.output, from_file.output);
  EXPECT_EQ(std::count(from_file.output.begin(), from_file.output.end(), '\n'), 4)
      << from_file.output;  // header + 2 labels + the last window, aligned to the stream's end
  EXPECT_EQ(from_file.output.rfind("start,end,label,probability\n0.000,1.000,", 0), 0u) << from_file.output;

  const auto empty = testing::run_command(cmd + " < /dev/null");
  EXPECT_EQ(empty.exit_code, 1) << empty.output;
  EXPECT_EQ(empty.output, "melnorm: error: INPUT: stdin: the stream ended before any audio arrived\n");
}

TEST(SaveModel, SavingOverAFolderThatIsNotAModelIsRefused) {
  TempDir dir;
  fs::create_directories(dir / "mine");
  write_file(dir / "mine" / "notes.txt", "mine");
  const auto r = testing::run_command(kCli + " train --data " + shell_quote(tone_corpus(dir)) +
                                      " --n-fft 256 --hop 128 --n-mels 16 --pad-to 0.5 --epochs 1"
                                      " --blocks 1 --channels 2 --threads 1 -q -o " +
                                      shell_quote(dir / "r") + " --save-model " + shell_quote(dir / "mine"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("is not a saved model"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(dir / "mine" / "notes.txt"), "mine");
}

// kill -9 at random moments of train --save-model over an earlier model:
// DIR is always a whole model (the old or the new one), never half written,
// and the next save removes what a killed one left.
TEST(SaveModel, AKilledSaveLeavesTheOldOrTheNewModelNeverHalf) {
  TempDir dir;
  const std::string train = kCli + " train --data " + shell_quote(tone_corpus(dir)) +
                            " --n-fft 256 --hop 128 --n-mels 16 --pad-to 0.5 --epochs 1 --blocks 1 --channels 2"
                            " --threads 1 -q -o " +
                            shell_quote(dir / "r") + " --save-model " + shell_quote(dir / "m");
  ASSERT_EQ(testing::run_command(train).exit_code, 0);
  std::mt19937 rng(7);
  for (int i = 0; i < 6; ++i) {
    const double delay = std::uniform_real_distribution<double>(0.05, 1.5)(rng);
    testing::run_command(train + " & pid=$!; sleep " + std::to_string(delay) + "; kill -9 $pid; wait $pid");
    EXPECT_NO_THROW(SavedModel::load(dir / "m")) << "killed after " << delay << " s";
  }
  ASSERT_EQ(testing::run_command(train).exit_code, 0);
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find(".m.tmp-"), std::string::npos) << e.path();
}

TEST(PredictCli, HelpListsPredict) {
  const auto r = testing::run_command(kCli + " --help");
  EXPECT_NE(r.output.find("\n  predict "), std::string::npos) << r.output;
  const auto p = testing::run_command(kCli + " predict --help");
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_NE(p.output.find("--aggregate"), std::string::npos) << p.output;
}

TEST(ExperimentSaveModels, OneFolderPerRunAndBestLinksTheBestValidation) {
  TempDir dir;
  const auto r = testing::run_command(
      kCli + " experiment --data " + shell_quote(tone_corpus(dir)) +
      " --n-fft 256 --hop 128 --n-mels 16 --pad-to 0.5 --methods zscore,minmax:global --bn-axes channel --seeds 1,2"
      " --epochs 2 --blocks 1 --channels 2 --val-fraction 0.2 --threads 1 -q -o " +
      shell_quote(dir / "r") + " --save-models " + shell_quote(dir / "models"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  double best_val = -1;
  std::string best;
  for (const char* run : {"zscore-local_bn-channel_seed-1", "zscore-local_bn-channel_seed-2",
                          "minmax-global_bn-channel_seed-1", "minmax-global_bn-channel_seed-2"}) {
    const SavedModel m = SavedModel::load(dir / "models" / run);
    EXPECT_EQ(m.pipeline().needs_stats(), std::string(run).starts_with("minmax")) << run;
    if (m.record().val_accuracy > best_val) best_val = m.record().val_accuracy, best = run;
  }
  ASSERT_TRUE(fs::is_symlink(dir / "models" / "best"));
  EXPECT_EQ(fs::read_symlink(dir / "models" / "best").string(), best);
  EXPECT_NO_THROW(SavedModel::load(dir / "models" / "best"));
  for (const auto& e : fs::directory_iterator(dir / "models"))  // no temporaries left
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

#endif  // MELNORM_CLI_PATH

}  // namespace
}  // namespace melnorm
