// The CNN experiments: metrics, perturbations, the BatchNorm axes, and whole
// (small) experiments through the library and the CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/sha256.h"
#include "experiment/metrics.h"
#include "experiment/perturb.h"
#include "experiment/validation_split.h"
#include "melnorm/augment.h"
#include "melnorm/error.h"
#include "melnorm/experiment.h"
#include "melnorm/model.h"
#include "melnorm/render.h"
#include "test_util.h"

namespace melnorm {
namespace {

using detail::Condition;
using testing::TempDir;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Two classes a CNN separates easily: a low and a high tone in noise.
std::filesystem::path tone_corpus(const TempDir& dir) { return testing::tone_corpus(dir.path()); }

ExperimentOptions small_experiment(const TempDir& dir, const std::filesystem::path& out) {
  ExperimentOptions o;
  o.data = tone_corpus(dir);
  o.features = resolve_pipeline_options({{"n_fft", "256"}, {"hop_length", "128"}, {"n_mels", "16"}, {"pad_to", "0.5"}});
  o.methods = {NormalizeOptions{.method = "zscore"}, NormalizeOptions{.method = "minmax", .scope = Scope::kGlobal}};
  o.bn_axes = {BnAxis::kChannel, BnAxis::kTime};
  o.seeds = {1, 2};
  o.model = {.blocks = 2, .channels = 4, .max_channels = 8};
  o.train = {.epochs = 3, .batch_size = 8, .learning_rate = 1e-2, .val_fraction = 0.1, .threads = 1};
  o.eval_gains_db = {-20};
  o.eval_click = true;
  o.out_dir = out;
  return o;
}

// results.csv without the train_seconds column (wall time differs run to run).
std::string results_without_times(const std::filesystem::path& csv) {
  std::stringstream in(read_file(csv)), out;
  for (std::string line; std::getline(in, line);) out << line.substr(0, line.rfind(',')) << '\n';
  return out.str();
}

TEST(ExperimentMetrics, AccuracyMacroF1AndConfusion) {
  const auto s = detail::score({0, 0, 1, 1, 2}, {0, 1, 1, 1, 0}, 3);
  EXPECT_DOUBLE_EQ(s.accuracy, 3.0 / 5.0);
  // F1: class 0 2*1/(2+1+1) = 0.5; class 1 2*2/(4+1+0) = 0.8; class 2 0
  EXPECT_NEAR(s.macro_f1, (0.5 + 0.8 + 0.0) / 3, 1e-12);
  EXPECT_EQ(s.confusion[0][1], 1u);
  EXPECT_EQ(s.confusion[2][0], 1u);
}

TEST(ExperimentMetrics, ConfidenceIntervalIsStudentT) {
  const auto iv = detail::mean_ci95({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(iv.mean, 2.0);
  EXPECT_DOUBLE_EQ(iv.sd, 1.0);
  EXPECT_NEAR(iv.half_width, 4.303 / std::sqrt(3.0), 1e-9);
  EXPECT_EQ(detail::mean_ci95({0.7}).half_width, 0.0);
}

TEST(ExperimentPerturb, GainScalesAndClips) {
  const std::vector<float> y = {0.5f, -0.05f, 0.02f};
  const auto quiet = detail::perturb(y, Condition::gain(-20), 1);
  EXPECT_NEAR(quiet[0], 0.05f, 1e-7);
  const auto loud = detail::perturb(y, Condition::gain(20), 1);
  EXPECT_EQ(loud[0], 1.0f);  // clipped at full scale
  EXPECT_EQ(loud[1], -0.5f);
}

TEST(ExperimentPerturb, GainThenPcm16QuantizationRoundsToTheGrid) {
  const std::vector<float> y = {0.5f, -0.05f, 1e-5f, 0.99999f, -1.0f};
  const Condition c = Condition::gain(0, 16);
  EXPECT_EQ(c.name(), "gain0dB-pcm16");
  const auto q = detail::perturb(y, c, 1);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double steps = double(q[i]) * 32768;
    EXPECT_EQ(steps, std::round(steps)) << i;  // on the PCM16 grid
    if (i != 3) {                              // 3 is clipped
      EXPECT_LE(std::abs(double(q[i]) - y[i]), 0.5 / 32768 + 1e-9) << i;
    }
  }
  EXPECT_EQ(q[2], 0.0f);              // below half a step: digital silence
  EXPECT_EQ(q[3], 32767.0f / 32768);  // clipped to the largest code
  const auto quiet = detail::perturb(y, Condition::gain(-40, 16), 1);
  EXPECT_EQ(quiet[0], 164.0f / 32768);  // 0.005 * 32768 = 163.84 -> 164
}

TEST(ExperimentPerturb, OneClickAndNoiseAtTheSnrDeterministically) {
  const auto y = testing::sine(440, 8000, 8000, 0.1);
  const auto c = detail::perturb(y, Condition::click(), 7);
  std::size_t changed = 0, where = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    if (c[i] != y[i]) ++changed, where = i;
  EXPECT_EQ(changed, 1u);
  EXPECT_EQ(c[where], 1.0f);
  EXPECT_GE(where, 800u);
  EXPECT_LT(where, 7200u);
  const auto n1 = detail::perturb(y, Condition::noise(10), 3);
  EXPECT_EQ(n1, detail::perturb(y, Condition::noise(10), 3));
  double ps = 0, pn = 0;
  for (std::size_t i = 0; i < y.size(); ++i) ps += y[i] * y[i], pn += (n1[i] - y[i]) * (n1[i] - y[i]);
  EXPECT_NEAR(10 * std::log10(ps / pn), 10.0, 0.3);
}

TEST(ExperimentOptionsCheck, BadOptionsNameTheProblem) {
  TempDir dir;
  ExperimentOptions o = small_experiment(dir, dir / "out");
  o.features.pad_to.reset();
  EXPECT_THROW(
      try { run_experiment(o); } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("fixed-size input"), std::string::npos) << e.what();
        throw;
      },
      Error);
  EXPECT_THROW(parse_bn_axis("batch"), Error);
  o = small_experiment(dir, dir / "out");
  o.holdout_column = "speaker";
  o.holdout_value = "theo";
  try {
    run_experiment(o);
    ADD_FAILURE() << "no error for a missing holdout column";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'speaker'"), std::string::npos) << e.what();
  }
  o = small_experiment(dir, dir / "out");
  o.train.epochs = 0;
  EXPECT_THROW(run_experiment(o), Error);
}

TEST(Experiment, SmallGridWritesResultsAndIsReproducible) {
  TempDir dir;
  const auto o = small_experiment(dir, dir / "run1");
  const ExperimentSummary s = run_experiment(o);
  EXPECT_EQ(s.runs, 8u);
  EXPECT_EQ(s.test_rows, 4u);  // every fifth clip of each label: 2 of 12 per class
  EXPECT_GE(s.best_clean_accuracy, 0.75);
  for (const char* f : {"results.csv", "results.md", "accuracy_vs_gain.png", "confusion.png"})
    EXPECT_TRUE(std::filesystem::exists(o.out_dir / f)) << f;
  const std::string csv = read_file(o.out_dir / "results.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "method,scope,axis,db_ref,db_floor,train_augment,bn_axis,seed,condition,level,accuracy,macro_f1,epochs,"
            "best_epoch,train_seconds");
  {  // epochs: the configured count on every row; best_epoch: the one kept, within it
    std::stringstream in(csv);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream fields(line);
      for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
      ASSERT_EQ(f.size(), 15u) << line;
      EXPECT_EQ(f[5], "none") << line;
      EXPECT_EQ(f[12], "3") << line;
      EXPECT_GE(std::stoi(f[13]), 1) << line;
      EXPECT_LE(std::stoi(f[13]), 3) << line;
    }
  }
  EXPECT_NE(csv.find("minmax,global,all,max,absolute,none,time,2,gain-20dB,clip,"), std::string::npos);
  const std::string md = read_file(o.out_dir / "results.md");
  EXPECT_NE(md.find("| zscore:local | channel |"), std::string::npos);
  EXPECT_NE(md.find("## Files"), std::string::npos) << md;
  EXPECT_NE(md.find("- `accuracy_vs_gain.png`: "), std::string::npos) << md;
  EXPECT_NE(md.find("**"), std::string::npos);
  EXPECT_NE(md.find(" (sd "), std::string::npos);  // 2 seeds: mean ± CI and the standard deviation
  // The same seeds and threads give the same numbers.
  auto again = o;
  again.out_dir = dir / "run2";
  run_experiment(again);
  EXPECT_EQ(results_without_times(o.out_dir / "results.csv"), results_without_times(again.out_dir / "results.csv"));
}

TEST(Experiment, SegmentsGiveTrackAccuracyToo) {
  TempDir dir;
  auto o = small_experiment(dir, dir / "out");
  o.features.pad_to.reset();
  o.features.segment = 0.25;
  o.methods = {NormalizeOptions{.method = "zscore"}};
  o.bn_axes = {BnAxis::kFreq};
  o.seeds = {1};
  o.eval_gains_db.clear();
  run_experiment(o);
  const std::string csv = read_file(o.out_dir / "results.csv");
  EXPECT_NE(csv.find(",clean,segment,"), std::string::npos);
  EXPECT_NE(csv.find(",clean,track,"), std::string::npos);
  const std::string md = read_file(o.out_dir / "results.md");
  EXPECT_NE(md.find("(track level)"), std::string::npos);
  // No gains in the grid: no gain chart, and results.md says why.
  EXPECT_FALSE(std::filesystem::exists(o.out_dir / "accuracy_vs_gain.png"));
  EXPECT_TRUE(std::filesystem::exists(o.out_dir / "confusion.png"));
  EXPECT_NE(md.find("No `accuracy_vs_gain.png`: the grid has no test gains"), std::string::npos) << md;
  // One seed: the value alone, and the preamble says why there is no interval.
  EXPECT_NE(md.find("n = 1, no interval"), std::string::npos) << md;
  EXPECT_EQ(md.find(" ± "), std::string::npos) << md;
  EXPECT_EQ(md.find(" (sd "), std::string::npos) << md;
}

TEST(Experiment, DbRefsAndFloorsAreGridDimensions) {
  TempDir dir;
  auto o = small_experiment(dir, dir / "out");
  o.methods = {NormalizeOptions{.method = "minmax"}, NormalizeOptions{.method = "pcen"}};
  o.db_refs = {"max", "p99.5"};
  o.db_floors = {DbFloor::kAbsolute, DbFloor::kRelative};
  o.bn_axes = {BnAxis::kChannel};
  o.seeds = {1};
  o.train.epochs = 1;
  o.eval_bits = 16;
  const ExperimentSummary s = run_experiment(o);
  EXPECT_EQ(s.runs, 5u);  // minmax x 2 refs x 2 floors, and PCEN (no dB) once
  const std::string csv = read_file(o.out_dir / "results.csv");
  for (const char* row :
       {"minmax,local,all,max,absolute,none,channel,1,clean,", "minmax,local,all,max,relative,none,channel,1,clean,",
        "minmax,local,all,p99.5,absolute,none,channel,1,clean,",
        "minmax,local,all,p99.5,relative,none,channel,1,clean,", "pcen,local,all,,,none,channel,1,clean,"})
    EXPECT_NE(csv.find(row), std::string::npos) << row;
  const std::string md = read_file(o.out_dir / "results.md");
  EXPECT_NE(md.find("| normalization | dB ref / floor | BatchNorm axis |"), std::string::npos) << md;
  EXPECT_NE(md.find("| minmax:local | p99.5/relative | channel |"), std::string::npos) << md;
  EXPECT_NE(md.find("| pcen:local | – | channel |"), std::string::npos) << md;
  EXPECT_NE(md.find(" gain-20dB | gain-20dB-pcm16 |"), std::string::npos) << md;  // the float and the PCM16 twin
  EXPECT_NE(csv.find(",gain-20dB-pcm16,clip,"), std::string::npos);
  o.db_refs = {"max", "p120"};
  try {
    run_experiment(o);
    ADD_FAILURE() << "p120 accepted";
  } catch (const Error& e) { EXPECT_NE(std::string(e.what()).find("p120"), std::string::npos) << e.what(); }
  o.db_refs = {"off"};
  EXPECT_THROW(run_experiment(o), Error);
  o.db_refs = {"max"};
  o.eval_bits = 4;
  EXPECT_THROW(run_experiment(o), Error);
  o.eval_bits = 16;
  o.eval_gains_db.clear();
  EXPECT_THROW(run_experiment(o), Error);
  o.eval_gains_db = {-20};
  o.train_click_fraction = 1.5;
  EXPECT_THROW(run_experiment(o), Error);
}

TEST(Experiment, TrainClickAugmentationClicksTheChosenShareOfTrainingRows) {
  TempDir dir;
  auto o = small_experiment(dir, dir / "plain");
  o.methods = {NormalizeOptions{.method = "zscore"}};
  o.bn_axes = {BnAxis::kChannel};
  EXPECT_EQ(run_experiment(o).train_click_rows, 0u);
  auto augmented = o;
  augmented.out_dir = dir / "augmented";
  augmented.train_click_fraction = 0.5;
  const auto s = run_experiment(augmented);
  const std::size_t train_rows = s.train_rows + s.val_rows;  // the val part is drawn from the train rows
  EXPECT_GE(s.train_click_rows, train_rows / 4);
  EXPECT_LE(s.train_click_rows, train_rows * 3 / 4);
  EXPECT_NE(read_file(augmented.out_dir / "results.md")
                .find("Training augmentation: 50.0% of the training rows (" + std::to_string(s.train_click_rows) +
                      " of " + std::to_string(train_rows)),
            std::string::npos);
  augmented.train_click_fraction = 1.0;
  augmented.out_dir = dir / "all";
  EXPECT_EQ(run_experiment(augmented).train_click_rows, train_rows);
}

TEST(ExperimentPerturb, AFixedTrainingGainIsTheTestConditionsGain) {
  std::vector<float> y(3000);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = 0.9f * static_cast<float>(std::sin(0.05 * static_cast<double>(i)));
  EXPECT_EQ(augment(y, {.gain_db = DbRange{-40, -40}, .bits = 16}, 1, 1, 1),
            detail::perturb(y, Condition::gain(-40, 16), 1));
  EXPECT_EQ(augment(y, {.gain_db = DbRange{12, 12}}, 1, 1, 1), detail::perturb(y, Condition::gain(12), 1));
}

// --train-gain/--train-bits as a grid dimension: each method trains without
// and with the perturbation; the same seeds give the same results.csv, and
// the perturbed arm learns from other features than the clean one.
TEST(Experiment, TrainPerturbationsAreAGridDimensionAndSeeded) {
  TempDir dir;
  auto o = small_experiment(dir, dir / "a");
  o.methods = {NormalizeOptions{.method = "zscore"}};
  o.bn_axes = {BnAxis::kChannel};
  o.seeds = {1};
  o.train_augmentations = augmentation_grid({std::nullopt, DbRange{-40, 0}}, {16}, {}, false, NoiseColor::kWhite);
  ASSERT_EQ(o.train_augmentations.size(), 2u);
  EXPECT_EQ(o.train_augmentations[0].name(), "pcm16");
  EXPECT_EQ(o.train_augmentations[1].name(), "gain-40:0+pcm16");
  EXPECT_EQ(run_experiment(o).runs, 2u);
  const std::string csv = results_without_times(o.out_dir / "results.csv");
  EXPECT_NE(csv.find(",gain-40:0+pcm16,channel,1,clean,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",pcm16,channel,1,clean,"), std::string::npos) << csv;
  EXPECT_NE(read_file(o.out_dir / "results.md").find("| zscore:local train=gain-40:0+pcm16 | channel |"),
            std::string::npos);
  auto again = o;
  again.out_dir = dir / "b";
  run_experiment(again);
  EXPECT_EQ(results_without_times(again.out_dir / "results.csv"), csv);
  auto bad = o;
  bad.train_augmentations = {Augmentation{.gain_db = DbRange{0, -40}}};
  try {
    run_experiment(bad);
    ADD_FAILURE() << "a reversed range ran";
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "gain_db");
    EXPECT_NE(std::string(e.what()).find("gain_db: the range from 0 to -40 dB must have its minimum first"),
              std::string::npos)
        << e.what();
  }
  bad.save_model = dir / "m";
  bad.train_augmentations = o.train_augmentations;
  EXPECT_THROW(run_experiment(bad), Error);  // two augmentations: two runs, not one model
}

// A pretrained model's features in an experiment: AST's (small: 16 bins, 50
// frames) with its fixed statistics beside local min-max, and the saved model
// computes AST's features, normalized with the same fixed statistics.
TEST(Experiment, AstPresetComparesItsFixedStatisticsWithLocalMinmaxAndSavesThem) {
  TempDir dir;
  ExperimentOptions o = small_experiment(dir, dir / "out");
  o.features = resolve_pipeline_options({{"preset", "ast"}, {"num_mel_bins", "16"}, {"target_frames", "50"}});
  o.methods = {NormalizeOptions{.method = "zscore", .scope = Scope::kFixed}, NormalizeOptions{.method = "minmax"}};
  o.bn_axes = {BnAxis::kChannel};
  o.seeds = {1};
  o.train.epochs = 10;
  o.save_models = dir / "models";
  const ExperimentSummary s = run_experiment(o);
  EXPECT_EQ(s.runs, 2u);
  EXPECT_GE(s.best_clean_accuracy, 0.75);
  const std::string csv = read_file(o.out_dir / "results.csv");
  EXPECT_NE(csv.find("zscore,fixed,all,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("minmax,local,all,"), std::string::npos) << csv;
  const SavedModel m = SavedModel::load(dir / "models" / "zscore-fixed_bn-channel_seed-1");
  const PipelineOptions& saved = m.pipeline().options();
  EXPECT_EQ(saved.frontend, Frontend::kKaldiFbank);
  EXPECT_EQ(saved.layout, Layout::kBinsFirst);  // the CNN's [bins, frames]
  ASSERT_TRUE(saved.normalize && saved.normalize->fixed_mean && saved.normalize->fixed_std);
  EXPECT_EQ(saved.normalize->scope, Scope::kFixed);
  EXPECT_DOUBLE_EQ(*saved.normalize->fixed_mean, -4.2677393);
  EXPECT_DOUBLE_EQ(*saved.normalize->fixed_std, 9.1379948);
  EXPECT_EQ(m.record().n_mels, 16u);
  EXPECT_EQ(m.record().frames, 50u);
}

TEST(ExperimentOptionsCheck, FixedMethodsAndKaldiFeaturesRefuseWhatTheyCannotDo) {
  TempDir dir;
  const auto refused = [&](ExperimentOptions o, const std::string& want) {
    try {
      run_experiment(o);
      ADD_FAILURE() << "not refused: " << want;
    } catch (const Error& e) {
      EXPECT_EQ(e.param(), "methods") << e.what();
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  };
  ExperimentOptions o = small_experiment(dir, dir / "out");
  o.methods = {NormalizeOptions{.method = "zscore", .scope = Scope::kFixed}};
  refused(o, "needs fixed statistics");  // features without mean and std
  o.features = resolve_pipeline_options({{"preset", "ast"}, {"num_mel_bins", "16"}, {"target_frames", "50"}});
  o.methods = {NormalizeOptions{.method = "minmax", .scope = Scope::kFixed}};
  refused(o, "allowed with :fixed: zscore");
  o.methods = {NormalizeOptions{.method = "pcen"}};
  refused(o, "linear mel magnitude");
  o.methods = {NormalizeOptions{.method = "zscore"}};
  o.db_refs = {"max"};
  try {
    run_experiment(o);
    ADD_FAILURE() << "db_refs with Kaldi's front end";
  } catch (const Error& e) { EXPECT_EQ(e.param(), "db_refs") << e.what(); }
}

TEST(Render, LineChartAndConfusionArePngs) {
  TempDir dir;
  LineChart chart{.title = "t",
                  .x_label = "x",
                  .y_label = "y",
                  .series = {{"a", {0, 1, 2}, {1, 2, NAN}}, {"b", {0, 1, 2}, {3, 1, 2}}}};
  render_line_chart(dir / "c.png", chart);
  EXPECT_EQ(read_file(dir / "c.png").substr(1, 3), "PNG");
  chart.series[0].y.pop_back();
  EXPECT_THROW(render_line_chart(dir / "d.png", chart), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "d.png"));
  render_confusion(dir / "m.png", {{3, 1}, {0, 4}}, {"cat", "dog"}, "confusion");
  EXPECT_EQ(read_file(dir / "m.png").substr(1, 3), "PNG");
  EXPECT_THROW(render_confusion(dir / "n.png", {{3, 1}}, {"cat", "dog"}, "x"), Error);
}

#ifdef MELNORM_CLI_PATH
TEST(CliExperiment, TrainRunsOneConfigurationAndBadFlagsExit2) {
  TempDir dir;
  tone_corpus(dir);
  const std::string base =
      std::string(MELNORM_CLI_PATH) + " train --data " + testing::shell_quote(dir / "corpus") +
      " --n-fft 256 --hop 128 --n-mels 16 --pad-to 0.5 --epochs 2 --blocks 2 --channels 4 --threads 1 -q";
  auto r =
      testing::run_command(base + " --method zscore:global --bn-axis freq -o " + testing::shell_quote(dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(read_file(dir / "out" / "results.csv").find("zscore,global,all,max,absolute,none,freq,1,clean,clip,"),
            std::string::npos);
  r = testing::run_command(base + " --bn-axis batch -o " + testing::shell_quote(dir / "out2"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bn axis 'batch' is not supported; allowed: channel, freq, time, none"), std::string::npos)
      << r.output;
  r = testing::run_command(base + " --method zscore:worldwide -o " + testing::shell_quote(dir / "out3"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out2" / "results.csv"));
}

// --data given what extract made: refused at once, in flags, naming the audio folder it came from.
// Extracts the tone corpus with the small experiment's features into dir/feats (extra: more flags).
std::filesystem::path extract_tones(const TempDir& dir, const std::string& extra = " --pad-to 0.5") {
  const auto e =
      testing::run_command(std::string(MELNORM_CLI_PATH) + " extract " + testing::shell_quote(dir / "corpus") + " -o " +
                           testing::shell_quote(dir / "feats") + " --n-fft 256 --hop 128 --n-mels 16 -q" + extra);
  EXPECT_EQ(e.exit_code, 0) << e.output;
  return dir / "feats";
}

// experiment --data OUTDIR trains on the extracted features: the same
// results as the audio they were made from, and a saved model whose pipeline
// computes those features from audio.
TEST(CliExperiment, TrainingOnAnOutdirGivesTheResultsOfItsAudio) {
  TempDir dir;
  auto o = small_experiment(dir, dir / "from_audio");
  o.eval_gains_db.clear(), o.eval_click = false;
  o.seeds = {1};
  run_experiment(o);
  auto from_outdir = o;
  from_outdir.data = extract_tones(dir);
  from_outdir.features = PipelineOptions{};  // the OUTDIR's
  from_outdir.out_dir = dir / "from_outdir";
  run_experiment(from_outdir);
  EXPECT_EQ(results_without_times(from_outdir.out_dir / "results.csv"),
            results_without_times(o.out_dir / "results.csv"));

  auto one = o;
  one.methods = {NormalizeOptions{.method = "minmax", .scope = Scope::kGlobal}};
  one.bn_axes = {BnAxis::kChannel};
  one.save_model = dir / "model_audio";
  one.out_dir = dir / "one_audio";
  run_experiment(one);
  auto one_outdir = from_outdir;
  one_outdir.methods = one.methods, one_outdir.bn_axes = one.bn_axes;
  one_outdir.save_model = dir / "model_outdir";
  one_outdir.out_dir = dir / "one_outdir";
  run_experiment(one_outdir);
  EXPECT_EQ(read_file(dir / "model_outdir" / "pipeline.json"), read_file(dir / "model_audio" / "pipeline.json"));
  EXPECT_EQ(read_file(dir / "model_outdir" / "stats.json"), read_file(dir / "model_audio" / "stats.json"));
}

// What an OUTDIR cannot give is refused by the flag, with the command that works.
TEST(CliExperiment, AnOutdirRefusesWhatNeedsItsAudioOrOtherFeaturesByFlag) {
  TempDir dir;
  tone_corpus(dir);
  const auto feats = extract_tones(dir);
  auto run = [&](const std::string& flags) {
    return testing::run_command(std::string(MELNORM_CLI_PATH) + " experiment --data " + testing::shell_quote(feats) +
                                " --seeds 1 --epochs 1 -q -o " + testing::shell_quote(dir / "out") + flags);
  };
  const auto gain = run(" --eval-gain -20");
  EXPECT_EQ(gain.exit_code, 2) << gain.output;
  EXPECT_NE(gain.output.find("holds features, not audio: a gain-shifted test condition needs the audio. Give --data " +
                             (dir / "corpus").string()),
            std::string::npos)
      << gain.output;
  EXPECT_NE(gain.output.find("or leave out --eval-gain"), std::string::npos) << gain.output;
  const auto mels = run(" --n-mels 32");
  EXPECT_EQ(mels.exit_code, 2) << mels.output;
  EXPECT_NE(mels.output.find("(--n-mels 16): leave out --n-mels 32"), std::string::npos) << mels.output;
  const auto aug = run(" --train-gain -40:0");
  EXPECT_NE(aug.output.find("perturbing the training clips needs the audio"), std::string::npos) << aug.output;
  EXPECT_NE(run(" --db-floors absolute,relative").output.find("extract an OUTDIR per variant"), std::string::npos);
  EXPECT_NE(run(" --methods pcen").output.find("pcen works on the linear magnitude"), std::string::npos);
  EXPECT_EQ(run("").exit_code, 0);  // the OUTDIR alone: features, labels and split from it
  EXPECT_EQ(run("").output.find("waveform"), std::string::npos);

  TempDir other;
  tone_corpus(other);
  const auto unpadded = extract_tones(other, "");
  const auto r = testing::run_command(std::string(MELNORM_CLI_PATH) + " train --data " +
                                      testing::shell_quote(unpadded) + " -q -o " + testing::shell_quote(other / "out"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("rows keep their clips' lengths; the CNN needs one size: extract with --pad-to or --segment"),
            std::string::npos)
      << r.output;
}
#endif

// ---- validation in whole groups (a speaker, a recording cut into slices) ----

// Each group's rows all on one side.
void expect_groups_whole(const std::vector<std::size_t>& groups, const std::vector<bool>& is_val) {
  std::map<std::size_t, std::set<bool>> sides;
  for (std::size_t i = 0; i < groups.size(); ++i) sides[groups[i]].insert(is_val[i]);
  for (const auto& [g, side] : sides) EXPECT_EQ(side.size(), 1u) << "group " << g << " is on both sides";
}

TEST(ValidationSplit, NoGroupIsInBothTrainingAndValidation) {
  std::vector<int> labels;
  std::vector<std::size_t> groups;
  for (std::size_t speaker = 0; speaker < 6; ++speaker)  // FSDD-like: every speaker says every digit 5 times
    for (int digit = 0; digit < 10; ++digit)
      for (int take = 0; take < 5; ++take) labels.push_back(digit), groups.push_back(speaker);
  for (std::uint64_t seed : {1, 2, 3}) {
    const auto is_val = detail::validation_split(labels, groups, 0.1, seed);
    expect_groups_whole(groups, is_val);
    const auto n_val = static_cast<std::size_t>(std::count(is_val.begin(), is_val.end(), true));
    EXPECT_EQ(n_val, 50u) << "one whole speaker (50 rows) covers every digit's share of 3";
    EXPECT_EQ(is_val, detail::validation_split(labels, groups, 0.1, seed)) << "deterministic";
  }
}

TEST(ValidationSplit, GroupsOfOneLabelAreStratified) {
  std::vector<int> labels;
  std::vector<std::size_t> groups;
  for (int label = 0; label < 3; ++label)  // 10 recordings per label, each cut into 3 slices
    for (std::size_t rec = 0; rec < 10; ++rec)
      for (int slice = 0; slice < 3; ++slice) labels.push_back(label), groups.push_back(label * 100 + rec);
  const auto is_val = detail::validation_split(labels, groups, 0.2, 7);
  expect_groups_whole(groups, is_val);
  std::map<int, int> per_label;
  for (std::size_t i = 0; i < labels.size(); ++i) per_label[labels[i]] += is_val[i];
  for (const auto& [label, n] : per_label) EXPECT_EQ(n, 6) << "label " << label << ": two recordings of three slices";
}

TEST(ValidationSplit, OneRowPerGroupKeepsThePerLabelSplitAndOneGroupIsRefused) {
  std::vector<int> labels;
  std::vector<std::size_t> groups;
  for (std::size_t i = 0; i < 40; ++i) labels.push_back(static_cast<int>(i % 4)), groups.push_back(i);
  const auto is_val = detail::validation_split(labels, groups, 0.2, 3);
  std::map<int, int> per_label;
  for (std::size_t i = 0; i < labels.size(); ++i) per_label[labels[i]] += is_val[i];
  for (const auto& [label, n] : per_label) EXPECT_EQ(n, 2) << label;

  const std::vector<std::size_t> one(labels.size(), 5);
  try {
    detail::validation_split(labels, one, 0.2, 3);
    ADD_FAILURE() << "one group accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.param()), "group_column");
    EXPECT_NE(std::string(e.what()).find("form 1 group"), std::string::npos) << e.what();
  }
}

// model.json is read from anywhere: a labels file given relative to the
// folder train ran in is recorded absolute, with its SHA-256.
TEST(Experiment, SavedModelRecordsTheLabelsFileAbsoluteWithItsSha256) {
  TempDir dir;
  auto o = small_experiment(dir, dir / "out");
  std::ofstream csv(dir / "labels.csv");
  csv << "path,label\n";
  for (const char* label : {"low", "high"})
    for (int i = 0; i < 12; ++i) csv << label << "/" << testing::numbered("clip", i, ".wav") << "," << label << "\n";
  csv.close();
  o.labels = "labels.csv";  // relative to the working folder
  o.methods = {NormalizeOptions{.method = "zscore"}};
  o.bn_axes = {BnAxis::kChannel};
  o.seeds = {1};
  o.train.epochs = 1;
  o.save_model = dir / "model";
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  try {
    run_experiment(o);
  } catch (...) {
    std::filesystem::current_path(cwd);
    throw;
  }
  std::filesystem::current_path(cwd);
  const SavedModel m = SavedModel::load(dir / "model");
  EXPECT_EQ(m.record().labels, (std::filesystem::absolute(dir.path()) / "labels.csv").lexically_normal().string());
  EXPECT_TRUE(std::filesystem::path(m.record().data).is_absolute()) << m.record().data;
  EXPECT_EQ(m.record().labels_sha256, detail::sha256_file(dir / "labels.csv"));
  EXPECT_EQ(m.record().epochs, 1);
  EXPECT_EQ(m.record().best_epoch, 1);
  // A model.json written before (the labels as given, relative) still loads.
  std::string json = read_file(dir / "model" / "model.json");
  const std::string abs = "\"" + m.record().labels + "\"";
  json.replace(json.find(abs), abs.size(), "\"labels.csv\"");
  std::ofstream(dir / "model" / "model.json") << json;
  EXPECT_EQ(SavedModel::load(dir / "model").record().labels, "labels.csv");
}

TEST(Experiment, GroupColumnKeepsGroupsOutOfValidationAndSaysSo) {
  TempDir dir;
  auto o = small_experiment(dir, dir / "out");
  std::ofstream csv(dir / "labels.csv");
  csv << "path,label,source\n";
  for (const char* label : {"low", "high"})
    for (int i = 0; i < 12; ++i)
      csv << label << "/" << testing::numbered("clip", i, ".wav") << "," << label << ",rec" << i / 3 << label << "\n";
  csv.close();
  o.labels = dir / "labels.csv";
  o.group_column = "source";
  o.methods = {NormalizeOptions{.method = "zscore"}};
  o.bn_axes = {BnAxis::kChannel};
  o.seeds = {1};
  o.train.val_fraction = 0.2;
  run_experiment(o);
  EXPECT_NE(read_file(o.out_dir / "results.md")
                .find("Validation (picks the best epoch): 0.2 of the train rows in whole 'source' groups"),
            std::string::npos)
      << read_file(o.out_dir / "results.md");
  o.group_column = "speaker";
  try {
    run_experiment(o);
    ADD_FAILURE() << "a missing group column accepted";
  } catch (const Error& e) { EXPECT_EQ(std::string(e.param()), "group_column"); }
}

}  // namespace
}  // namespace melnorm
