// The option schema and the pipeline: one declaration, a complete
// fingerprint, and no silent mismatch.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <fstream>
#include <set>
#include <sstream>

#include "melnorm/error.h"
#include "melnorm/extract.h"
#include "melnorm/pipeline.h"
#include "melnorm/presets.h"
#include "test_util.h"

namespace melnorm {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A value other than the default for every option that changes output bytes.
// A new schema row without an entry here fails EveryByteChangingOptionIsInTheFingerprint.
const std::map<std::string, std::string>& other_values() {
  static const std::map<std::string, std::string> v = {
      {"sr", "16000"},
      {"pad_to", "1"},
      {"segment", "0.5"},
      {"segment_hop", "0.25"},
      {"n_fft", "512"},
      {"win_length", "400"},
      {"hop_length", "100"},
      {"window", "hamming"},
      {"center", "false"},
      {"pad_mode", "reflect"},
      {"power", "1"},
      {"fft_precision", "double"},
      {"n_mels", "40"},
      {"fmin", "20"},
      {"fmax", "7000"},
      {"mel_scale", "htk"},
      {"htk", "true"},
      {"norm", "none"},
      {"db", "p99.5"},
      {"top_db", "60"},
      {"amin", "1e-8"},
      {"db_floor", "relative"},
      {"normalize", "minmax"},
      {"pcen", "true"},
      {"db_floor_percentile", "5"},
      {"scope", "global"},
      {"axis", "band"},
      {"params", "ddof=1"},
      {"dtype", "float16"},
      {"waveform_scale", "32768"},
      {"frontend", "kaldi_fbank"},
      {"target_frames", "100"},
      {"mean", "-4"},
      {"std", "9"},
      {"layout", "time_first"},
      // Kaldi's front end (base_for sets frontend=kaldi_*).
      {"frame_length", "20"},
      {"frame_shift", "5"},
      {"snip_edges", "false"},
      {"round_to_power_of_two", "false"},
      {"remove_dc_offset", "false"},
      {"preemphasis_coefficient", "0.5"},
      {"window_type", "hamming"},
      {"blackman_coeff", "0.4"},
      {"dither", "0.1"},
      {"dither_seed", "7"},
      {"energy_floor", "0.5"},
      {"raw_energy", "false"},
      {"use_energy", "true"},
      {"htk_compat", "true"},
      {"num_mel_bins", "40"},
      {"low_freq", "100"},
      {"high_freq", "-400"},
      {"vtln_warp", "1"},
      {"use_log_fbank", "false"},
      {"use_power", "false"},
      {"subtract_mean", "true"},
      {"num_ceps", "20"},
      {"cepstral_lifter", "0"},
  };
  return v;
}

// The options a row's other value needs to make sense (segment_hop needs segment, ...).
OptionValues base_for(const std::string& name) {
  OptionValues base{{"sr", "22050"}};
  if (name == "segment_hop") base["segment"] = "0.5";
  if (name == "scope" || name == "axis") base["normalize"] = "zscore";
  if (name == "params") base["normalize"] = "zscore";
  if (name == "db_floor_percentile") base["db_floor"] = "noise";
  if (name == "mean" || name == "std") {
    base["normalize"] = "zscore", base["scope"] = "fixed";
    base[name == "mean" ? "std" : "mean"] = "3";
    base[name] = "2";
  }
  const OptionSpec& spec = find_option(name);
  if (spec.frontends.find("kaldi") != std::string::npos) base["sr"] = "16000";  // 25 ms: an even window
  if (spec.frontends.find("kaldi") != std::string::npos)
    base["frontend"] = spec.frontends.find("kaldi_fbank") != std::string::npos ? "kaldi_fbank" : "kaldi_mfcc";
  return base;
}

TEST(Schema, EveryByteChangingOptionIsInTheFingerprint) {
  for (const OptionSpec& spec : pipeline_schema()) {
    if (!spec.changes_output) continue;
    SCOPED_TRACE(spec.name);
    ASSERT_TRUE(other_values().count(spec.name)) << "no test value for schema row " << spec.name;
    OptionValues base = base_for(spec.name), changed = base;
    changed[spec.name] = other_values().at(spec.name);
    const PipelineOptions a = resolve_pipeline_options(base), b = resolve_pipeline_options(changed);
    const std::string field = spec.alias_of.empty() ? spec.name : spec.alias_of;
    auto fa = fingerprint_of(a), fb = fingerprint_of(b);
    if (spec.allowed == "1") continue;  // vtln_warp: one value is supported
    // Rows added after fingerprints were first recorded are absent at their defaults.
    ASSERT_TRUE(fa.count(field) || fb.count(field));
    const bool added_later = !fa.count(field);
    if (added_later) fa[field] = "(default)";
    EXPECT_NE(fa.at(field), fb.at(field));
    if (added_later) {  // statistics lack the field: Pipeline::with_stats refuses them for b (tested below)
      EXPECT_THROW(Pipeline(b).with_stats(Stats(b.n_bins(), fingerprint_of(a, OptionStage::kNormalize))), Error);
      continue;
    }
    // Statistics fitted under `a` are refused for `b`'s features, naming the field,
    // when the field is a feature's (normalization options do not shape the statistics).
    if (spec.stage < OptionStage::kNormalize) {
      const Stats stats(1, fingerprint_of(a, OptionStage::kNormalize));
      try {
        stats.check_fingerprint(fingerprint_of(b, OptionStage::kNormalize));
        ADD_FAILURE() << "statistics accepted with another " << field;
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(field + ": stats " + fa.at(field) + " vs features " + fb.at(field)),
                  std::string::npos)
            << e.what();
      }
    }
  }
}

TEST(Schema, ResolvedValuesReadBackToTheSameOptions) {
  for (const auto& [name, value] : other_values()) {
    SCOPED_TRACE(name);
    OptionValues given = base_for(name);
    given[name] = value;
    const OptionValues once = option_values(resolve_pipeline_options(given));
    EXPECT_EQ(option_values(resolve_pipeline_options(once)), once);
  }
}

TEST(Schema, FingerprintIsResolvedToNumbers) {
  const auto f = fingerprint_of(resolve_pipeline_options({{"sr", "16000"}, {"db", "max"}}));
  EXPECT_EQ(f.at("sr"), "16000");
  EXPECT_EQ(f.at("fmax"), "8000");             // not "sr/2"
  EXPECT_EQ(f.at("fft_precision"), "single");  // what auto runs in with top_db 80
  EXPECT_EQ(f.at("win_length"), "2048");
  const auto z = fingerprint_of(resolve_pipeline_options({{"sr", "16000"}, {"normalize", "robust"}}));
  EXPECT_EQ(z.at("params"), "high=99,low=1");  // every parameter, defaults included
}

TEST(Schema, DocsTableIsTheSchema) {
  std::ifstream in(fs::path(MELNORM_SOURCE_DIR) / "docs" / "options.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const auto* schema : {&pipeline_schema(), &extract_schema()})
    EXPECT_NE(text.str().find(options_markdown(*schema)), std::string::npos)
        << "docs/options.md differs from the schema: regenerate its table with `melnorm options --markdown`";
}

TEST(Presets, DocsTableIsThePresets) {
  std::ifstream in(fs::path(MELNORM_SOURCE_DIR) / "docs" / "presets.md");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(presets_markdown()), std::string::npos)
      << "docs/presets.md differs from the presets: regenerate its table with `melnorm presets --markdown`";
}

TEST(Presets, EveryRowResolvesAndItsValuesAreSchemaOptions) {
  for (const PresetInfo& p : presets()) {
    SCOPED_TRACE(p.name);
    for (const auto& [name, value] : p.values) EXPECT_NO_THROW(find_option(name)) << name;
    const PipelineOptions o = resolve_pipeline_options({{"preset", p.name}});
    const OptionValues v = option_values(o);
    for (const auto& [name, value] : p.values) EXPECT_EQ(v.at(name), value) << name;  // each value is used as written
    EXPECT_EQ(option_values(resolve_pipeline_options(v)), v);                         // the record reads back
  }
}

TEST(Presets, ExplicitOptionsOverrideAModelPresetAndOtherFrontEndsOptionsAreRefused) {
  const PipelineOptions ast = resolve_pipeline_options({{"preset", "ast"}, {"num_mel_bins", "64"}});
  EXPECT_EQ(ast.kaldi.num_mel_bins, 64);
  EXPECT_EQ(ast.normalize->scope, Scope::kFixed);
  try {
    resolve_pipeline_options({{"preset", "ast"}, {"n_mels", "64"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "n_mels");
    EXPECT_NE(std::string(e.what()).find("num_mel_bins"), std::string::npos) << e.what();
  }
  try {
    resolve_pipeline_options({{"frame_shift", "10"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("frontend=kaldi_fbank"), std::string::npos) << e.what();
  }
  // An explicit method replaces the preset's whole normalization (no fixed statistics left over).
  const PipelineOptions minmax = resolve_pipeline_options({{"preset", "ast"}, {"normalize", "minmax"}});
  EXPECT_EQ(minmax.normalize->scope, Scope::kLocal);
  EXPECT_FALSE(minmax.normalize->fixed_mean);
  EXPECT_THROW(resolve_pipeline_options({{"preset", "kaldi"}, {"db", "max"}}), Error);
  EXPECT_THROW(resolve_pipeline_options({{"normalize", "zscore"}, {"mean", "1"}}), Error);  // needs scope fixed
  EXPECT_THROW(resolve_pipeline_options({{"normalize", "minmax"}, {"scope", "fixed"}, {"mean", "1"}, {"std", "2"}}),
               Error);
}

TEST(Presets, KaldiDitherIsSeededAndTheSeedChangesIt) {
  std::vector<float> y(16000);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = static_cast<float>(0.1 * std::sin(0.01 * double(i)));
  auto run = [&](const char* seed) {
    return Pipeline(resolve_pipeline_options({{"preset", "kaldi"}, {"dither", "1e-3"}, {"dither_seed", seed}}))
        .run(y, 16000)[0]
        .features.data;
  };
  EXPECT_EQ(run("1"), run("1"));
  EXPECT_NE(run("1"), run("2"));
}

// The warnings `f` gives.
template <class F>
std::vector<std::string> warnings_of(F f) {
  std::vector<std::string> warnings;
  const auto previous = set_warning_handler([&](std::string_view m) { warnings.emplace_back(m); });
  try {
    f();
  } catch (...) {
    set_warning_handler(previous);
    throw;
  }
  set_warning_handler(previous);
  return warnings;
}

TEST(Presets, AModelsPresetSaysOncePerRateThatOtherAudioIsResampled) {
  const auto y44 = testing::sine(440, 44100, 44100), y8 = testing::sine(440, 8000, 8000);
  const Pipeline ast(resolve_pipeline_options({{"preset", "ast"}}));
  const auto said = warnings_of([&] {
    for (int i = 0; i < 3; ++i) ast.run(y44, 44100, "a.wav");
    ast.run(y8, 8000, "b.wav");
    ast.run(testing::sine(440, 16000, 16000), 16000, "c.wav");
  });
  ASSERT_EQ(said.size(), 2u);
  EXPECT_NE(said[0].find("a.wav: audio at 44100 Hz is resampled to 16000 Hz"), std::string::npos) << said[0];
  EXPECT_NE(said[1].find("b.wav: audio at 8000 Hz"), std::string::npos) << said[1];
  // librosa's sr is the user's choice, not a model's: resampled without a word, as before.
  const Pipeline librosa(resolve_pipeline_options({{"sr", "22050"}}));
  EXPECT_TRUE(warnings_of([&] { librosa.run(y44, 44100); }).empty());
}

TEST(Presets, TargetFramesWarnsOnlyWhenItCutsAudio) {
  // Whisper: 30 s give 3001 frames; the last one is the end padding's and its recipe drops it.
  const Pipeline whisper(resolve_pipeline_options({{"preset", "whisper"}}));
  EXPECT_TRUE(warnings_of([&] { whisper.run(testing::sine(440, 16000, 16000), 16000); }).empty());
  const Pipeline ast(resolve_pipeline_options({{"preset", "ast"}}));
  EXPECT_TRUE(warnings_of([&] { ast.run(testing::sine(440, 16000, 160000), 16000); }).empty());  // 10 s: 998 frames
  const auto said = warnings_of([&] { ast.run(testing::sine(440, 16000, 192000), 16000); });     // 12 s: 1198
  ASSERT_EQ(said.size(), 1u);
  EXPECT_NE(said[0].find("keeps the first 1024 of 1198 frames"), std::string::npos) << said[0];
}

TEST(Schema, UnknownNameSuggestsTheClosest) {
  try {
    resolve_pipeline_options({{"n_mel", "40"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'n_mels'"), std::string::npos) << e.what();
  }
}

TEST(Schema, ExplicitOptionsOverrideThePreset) {
  const PipelineOptions t = resolve_pipeline_options({{"preset", "torchaudio"}, {"norm", "slaney"}, {"n_fft", "512"}});
  EXPECT_EQ(t.mel.mel.norm, FilterNorm::kSlaney);
  EXPECT_EQ(t.mel.mel.scale, MelScale::kHtk);
  EXPECT_EQ(t.mel.stft.hop_length, 256);                                             // torchaudio: win_length // 2
  EXPECT_EQ(resolve_pipeline_options({{"n_fft", "512"}}).mel.stft.hop_length, 128);  // librosa: win_length // 4
  EXPECT_EQ(resolve_pipeline_options({{"n_fft", "512"}, {"hop_length", "64"}}).mel.stft.hop_length, 64);
}

TEST(Schema, MethodImplicationsAndContradictions) {
  const PipelineOptions p = resolve_pipeline_options({{"normalize", "pcen"}});
  EXPECT_EQ(p.mel.power, 1.0);
  EXPECT_FALSE(p.mel.db.enabled);
  EXPECT_EQ(resolve_pipeline_options({{"pcen", "true"}}).normalize->method, "pcen");
  EXPECT_THROW(resolve_pipeline_options({{"normalize", "pcen"}, {"db", "max"}}), Error);
  EXPECT_THROW(resolve_pipeline_options({{"htk", "true"}, {"mel_scale", "slaney"}}), Error);
  try {
    resolve_pipeline_options({{"segment_hop", "0.5"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "segment_hop");
    EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos)
        << "the library speaks parameter names: " << e.what();
  }
}

TEST(Pipeline, JsonRecordRoundTripsAndRefusesOtherVersions) {
  const Pipeline p(
      resolve_pipeline_options({{"sr", "16000"}, {"normalize", "zscore"}, {"axis", "band"}, {"segment", "1"}}));
  const PipelineOptions back = Pipeline::options_from_json(p.to_json(), "p.json");
  EXPECT_EQ(option_values(back), p.describe());
  std::string other = p.to_json();
  other.replace(other.find("\"format_version\": 2"), 19, "\"format_version\": 9");
  try {
    Pipeline::options_from_json(other, "p.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("p.json: pipeline format_version 9"), std::string::npos) << e.what();
  }
}

TEST(Pipeline, StatisticsOfAnotherRateAreRefusedNamingTheField) {
  const PipelineOptions at22 =
      resolve_pipeline_options({{"sr", "22050"}, {"normalize", "zscore"}, {"scope", "global"}});
  const PipelineOptions at16 =
      resolve_pipeline_options({{"sr", "16000"}, {"normalize", "zscore"}, {"scope", "global"}});
  Stats stats(128, fingerprint_of(at22, OptionStage::kNormalize));
  const std::vector<float> ones(128 * 4, 1.0f);
  stats.update(ones.data(), 128, 4);
  EXPECT_NO_THROW(Pipeline(at22, stats));
  try {
    Pipeline(at16, stats);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sr: stats 22050 vs features 16000"), std::string::npos) << e.what();
  }
}

TEST(Pipeline, BatchItemsAreIndependentOfEachOther) {
  const Pipeline p(
      resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"n_mels", "20"}, {"normalize", "zscore"}}));
  const auto loud = testing::sine(440, 8000, 4000);
  std::vector<float> quiet = loud;
  for (float& v : quiet) v *= 0.01f;
  const auto alone = p.run(quiet, 8000);
  p.run(loud, 8000);  // engines are shared; results are per item
  EXPECT_EQ(p.run(quiet, 8000)[0].features.data, alone[0].features.data);
}

TEST(Pipeline, AnotherInputRateIsResampledToThePipelines) {
  const Pipeline p(resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"n_mels", "20"}}));
  const auto y16 = testing::sine(440, 16000, 16000);
  const auto rows = p.run(y16, 16000);
  EXPECT_EQ(rows[0].features.cols, p.n_frames(8000, 8000));
}

TEST(Pipeline, WarningsAndErrorsNameTheClip) {
  std::vector<std::string> warnings;
  const auto previous = set_warning_handler([&](std::string_view m) { warnings.emplace_back(m); });
  const Pipeline p(resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "2048"}}));
  p.run(std::vector<float>(500, 0.1f), 8000, "clips/short.wav");
  set_warning_handler(previous);
  ASSERT_FALSE(warnings.empty());
  EXPECT_EQ(warnings[0].rfind("clips/short.wav: ", 0), 0u) << warnings[0];
  std::vector<float> bad(4000, 0.0f);
  bad[7] = std::numeric_limits<float>::quiet_NaN();
  try {
    p.run(bad, 8000, "clips/bad.wav");
    FAIL();
  } catch (const Error& e) { EXPECT_EQ(std::string(e.what()).rfind("clips/bad.wav: ", 0), 0u) << e.what(); }
}

void write_wav(const fs::path& path, int rate, int n) {
  fs::create_directories(path.parent_path());
  SF_INFO info{.frames = 0, .samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  const auto y = testing::sine(300, rate, n);
  sf_writef_float(f, y.data(), n);
  sf_close(f);
}

TEST(ExtractPipeline, MixedRatesAreRefusedBeforeAnyWorkNamingBothFiles) {
  TempDir dir;
  write_wav(dir / "in" / "a" / "x.wav", 8000, 4000);
  write_wav(dir / "in" / "b" / "y.wav", 16000, 8000);
  ExtractOptions o = resolve_extract_options(
      {{"input", (dir / "in").string()}, {"out_dir", (dir / "out").string()}, {"n_fft", "256"}, {"n_mels", "20"}});
  try {
    extract_dataset(o);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("a/x.wav is at 8000 Hz, b/y.wav at 16000 Hz"), std::string::npos) << m;
    EXPECT_EQ(e.param(), "sr");
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  o.features = resolve_pipeline_options({{"sr", "native"}, {"n_fft", "256"}, {"n_mels", "20"}});
  EXPECT_EQ(extract_dataset(o).failed, 0u);  // per-file output: allowed when asked for
  o.out_dir = dir / "fixed";
  o.features = resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"n_mels", "20"}});
  EXPECT_EQ(extract_dataset(o).failed, 0u);
  std::ifstream record(dir / "fixed" / "options.json");
  std::stringstream text;
  text << record.rdbuf();
  EXPECT_NE(text.str().find("\"fmax\": \"4000\""), std::string::npos);  // resolved, not "sr/2"
}

TEST(ExtractPipeline, TheSharedRateIsRecordedResolved) {
  TempDir dir;
  write_wav(dir / "in" / "a" / "x.wav", 8000, 4000);
  const ExtractPlan plan(resolve_extract_options(
      {{"input", (dir / "in").string()}, {"out_dir", (dir / "out").string()}, {"n_fft", "256"}}));
  EXPECT_EQ(plan.fingerprint().at("sr"), "8000");
  EXPECT_EQ(plan.fingerprint().at("fmax"), "4000");
}

TEST(ExtractPipeline, FitStatsWithoutASplitIsRefusedNamingTheFix) {
  TempDir dir;
  write_wav(dir / "in" / "a" / "x.wav", 8000, 4000);
  OptionValues v{{"input", (dir / "in").string()},
                 {"out_dir", (dir / "out").string()},
                 {"n_fft", "256"},
                 {"normalize", "zscore"},
                 {"scope", "global"},
                 {"fit_stats", "true"}};
  try {
    extract_dataset(resolve_extract_options(v));
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("split_column"), std::string::npos) << m;
    EXPECT_NE(m.find("fit_on=all"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  v["fit_on"] = "all";
  EXPECT_EQ(extract_dataset(resolve_extract_options(v)).failed, 0u);
}

TEST(ExtractPipeline, PackedOutputOfNativeRatesIsRefused) {
  EXPECT_THROW(resolve_extract_options(
                   {{"input", "x"}, {"out_dir", "y"}, {"sr", "native"}, {"pad_to", "1"}, {"format", "packed"}}),
               Error);
}

}  // namespace
}  // namespace melnorm

#ifdef MELNORM_CLI_PATH
namespace melnorm {
namespace {

// No row without a flag: every schema row is a flag of the commands that take it.
TEST(Schema, EveryRowIsAFlagOfTheCommands) {
  const auto extract_help = testing::run_command(std::string(MELNORM_CLI_PATH) + " extract --help").output;
  const auto mel_help = testing::run_command(std::string(MELNORM_CLI_PATH) + " mel --help").output;
  for (const OptionSpec& s : pipeline_schema()) {
    EXPECT_NE(extract_help.find(s.flag), std::string::npos) << "extract has no " << s.flag;
    EXPECT_NE(mel_help.find(s.flag), std::string::npos) << "mel has no " << s.flag;
  }
  for (const OptionSpec& s : extract_schema()) EXPECT_NE(extract_help.find(s.flag), std::string::npos) << s.flag;
}

}  // namespace
}  // namespace melnorm
#endif

namespace melnorm {
namespace {

TEST(Pipeline, ASharedRateIsTheFirstSeenAndAnotherIsRefused) {
  const Pipeline p(resolve_pipeline_options({{"n_fft", "256"}, {"n_mels", "20"}}));
  p.run(testing::sine(440, 8000, 4000), 8000);
  try {
    p.run(testing::sine(440, 16000, 8000), 16000);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has run at 8000 Hz; audio at 16000 Hz"), std::string::npos) << e.what();
  }
}

TEST(ExtractPipeline, ColumnOptionsWithoutLabelsAreRefused) {
  for (const char* name : {"path_column", "label_column", "split_column"})
    EXPECT_THROW(resolve_extract_options({{"input", "x"}, {"out_dir", "y"}, {name, "slice_file_name"}}), Error) << name;
}

TEST(ExtractPipeline, GivenStatisticsAreCopiedAndAnotherFileRefusedOnResume) {
  TempDir dir;
  write_wav(dir / "in" / "a" / "x.wav", 8000, 4000);
  write_wav(dir / "in" / "b" / "y.wav", 8000, 6000);
  OptionValues v{{"input", (dir / "in").string()},
                 {"out_dir", (dir / "fit").string()},
                 {"n_fft", "256"},
                 {"n_mels", "20"},
                 {"normalize", "zscore"},
                 {"scope", "global"},
                 {"fit_stats", "true"},
                 {"fit_on", "all"}};
  extract_dataset(resolve_extract_options(v));
  fs::copy_file(dir / "fit" / "stats.json", dir / "stats.json");
  v.erase("fit_stats"), v.erase("fit_on");
  v["stats"] = (dir / "stats.json").string();
  v["out_dir"] = (dir / "use").string();
  extract_dataset(resolve_extract_options(v));
  EXPECT_EQ(Stats::load(dir / "use" / "stats.json").to_json(), Stats::load(dir / "stats.json").to_json());
  // The same path, other statistics: the OUTDIR's rows were made with the first ones.
  Stats other = Stats::load(dir / "stats.json");
  const std::vector<float> ones(20 * 3, 1.0f);
  other.update(ones.data(), 20, 3);
  other.save(dir / "stats.json");
  try {
    extract_dataset(resolve_extract_options(v));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("differs from the statistics"), std::string::npos) << e.what();
  }
}

}  // namespace
// predict's windows: a clip longer than the model's input is covered whole
// (windows of the input every half of it, the last aligned to the end); a
// shorter segment is refused unless padded on purpose.
TEST(PredictionWindows, ALongClipIsCoveredWholeAndNothingIsPaddedUnlessAsked) {
  const Pipeline model(resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}, {"pad_to", "1"}}));
  const auto w = plan_windows(model, 8000 * 3 + 100, 8000, {});
  ASSERT_EQ(w.size(), 6u);  // 0, 0.5, 1, 1.5, 2 s and the end
  EXPECT_EQ(w[1].begin, 4000u);
  EXPECT_EQ(w.back().begin, 8000u * 2 + 100);
  for (const auto& x : w) EXPECT_EQ(x.length, 8000u);
  EXPECT_EQ(plan_windows(model, 5000, 8000, {}).size(), 1u);  // a short clip: the pipeline pads it, as in training
  EXPECT_EQ(plan_windows(model, 5000, 8000, {}).front().length, 5000u);
  EXPECT_EQ(plan_windows(model, 8000 * 3, 8000, {.hop = 1.0}).size(), 3u);
  try {
    plan_windows(model, 8000 * 3, 8000, {.segment = 0.5});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.param(), "segment");
    EXPECT_NE(std::string(e.what()).find("segment=0.5 s is shorter than the model's input (1 s)"), std::string::npos)
        << e.what();
    EXPECT_NE(e.message([](std::string_view n, std::string_view v) {
                 return "<" + std::string(n) + (v.empty() ? "" : ":") + std::string(v) + ">";
               }).find("<segment:0.5> s is shorter"),
              std::string::npos);
  }
  EXPECT_EQ(plan_windows(model, 8000 * 3, 8000, {.segment = 0.5, .pad_short = true}).size(), 6u);
  EXPECT_THROW(plan_windows(model, 8000 * 3, 8000, {.whole_only = true}), Error);
  EXPECT_EQ(plan_windows(model, 8000, 8000, {.whole_only = true}).size(), 1u);
  const Pipeline any_length(resolve_pipeline_options({{"sr", "8000"}, {"n_fft", "256"}}));
  EXPECT_EQ(plan_windows(any_length, 8000 * 30, 8000, {}).size(), 1u);
  EXPECT_THROW(plan_windows(any_length, 8000 * 30, 8000, {.hop = 0.5}), Error);
}

TEST(PredictionWindows, AModelOfTargetFramesTakesTheSamplesItsFramesCover) {
  const Pipeline ast(resolve_pipeline_options({{"preset", "ast"}, {"target_frames", "100"}}));
  const std::size_t n = *ast.input_samples(16000);
  EXPECT_EQ(n, 99u * 160 + 400 + 159);  // snip_edges: 25 ms frames every 10 ms; the 101st needs 160 more samples
  EXPECT_EQ(plan_windows(ast, 3 * n, 16000, {}).front().length, n);
}

TEST(ParamText, KeywordsByDefaultAndEachFrontEndsOwnSpelling) {
  const std::string raw = "set " + param_text("pad_to") + " or fit with " + param_text("fit_on", "all");
  EXPECT_EQ(render_params(raw), "set pad_to or fit with fit_on=all");
  EXPECT_EQ(render_params(raw,
                          [](std::string_view n, std::string_view v) {
                            std::string f = "--" + std::string(n);
                            std::replace(f.begin(), f.end(), '_', '-');
                            return v.empty() ? f : f + " " + std::string(v);
                          }),
            "set --pad-to or fit with --fit-on all");
  const Error e(ErrorCode::kInvalidArgument, "pad_to", raw);
  EXPECT_EQ(std::string(e.what()), "set pad_to or fit with fit_on=all");
}

}  // namespace melnorm
