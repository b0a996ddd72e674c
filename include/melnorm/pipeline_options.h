// The feature options, declared once. Every option that shapes the features
// (decode -> resample -> pad/segment -> mel -> dB -> normalization -> dtype)
// has one row in pipeline_schema(): its name (librosa's keyword where librosa
// has one; also the JSON key and the Python keyword), its command-line flag,
// kind, unit, allowed values, one-line doc, and whether it changes output
// bytes. The CLI flags, the Python keywords, the JSON record, describe(), the
// fingerprint and docs/options.md all come from this table; a front end
// passes values as text (or JSON) and the library parses them.
//
// Resolution order, the same for every front end: the preset's values, then
// what a chosen method implies (normalize=pcen: power 1, no dB), then every
// explicit option. An explicit option always wins over the preset; an
// explicit option that contradicts an implication is refused, naming both.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "melnorm/kaldi.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"
#include "melnorm/npy.h"

namespace melnorm {

// What turns samples into a spectrogram: melnorm's STFT and mel filterbank
// (librosa's and torchaudio's), or Kaldi's front end (fbank, MFCC, spectrogram).
enum class Frontend { kStft, kKaldiFbank, kKaldiMfcc, kKaldiSpectrogram };
Frontend parse_frontend(std::string_view name);  // stft | kaldi_fbank | kaldi_mfcc | kaldi_spectrogram
std::string to_string(Frontend frontend);

// The written array's orientation: melnorm's and librosa's [bins, frames],
// or Kaldi's and AST's [frames, bins].
enum class Layout { kBinsFirst, kTimeFirst };

// The features, from a decoded clip to the array a model sees.
struct PipelineOptions {
  std::string preset = "librosa";  // a row of presets() (melnorm/presets.h)
  // Hz every clip is resampled to. Unset: see rate_policy.
  std::optional<int> sample_rate;
  enum class RatePolicy {
    kFixed,   // sample_rate is set
    kShared,  // unset: the rate the clips share (a dataset of mixed rates is refused)
    kNative,  // each clip keeps its own rate (per-file output only: no packing, no statistics)
  };
  RatePolicy rate_policy = RatePolicy::kShared;
  double waveform_scale = 1.0;  // the waveform is multiplied by this first (BEATs: 2**15)
  Frontend frontend = Frontend::kStft;
  MelSpectrogramOptions mel;         // the STFT front end; mel.sample_rate follows sample_rate when set
  KaldiOptions kaldi;                // the Kaldi front end (kaldi.feature follows frontend)
  std::optional<int> target_frames;  // pad (zeros, before normalizing) or trim the features to this many frames
  std::optional<NormalizeOptions> normalize;  // unset: the (dB) mel spectrogram as it is
  std::optional<double> pad_to;               // seconds: pad or crop every clip to this length
  std::optional<double> segment;              // seconds: cut clips into segments, one row each
  std::optional<double> segment_hop;          // seconds between segment starts (default: segment)
  DType dtype = DType::kFloat32;              // of the written features: float32 or float16
  Layout layout = Layout::kBinsFirst;

  bool kaldi_frontend() const { return frontend != Frontend::kStft; }
  // Bins per frame of the features (n_mels for the STFT front end), at the
  // pipeline's rate (or `sample_rate` for a clip's own).
  std::size_t n_bins(std::optional<double> sample_rate = std::nullopt) const;

  // Throws Error naming the first invalid option (its schema name).
  void validate() const;
  // A copy with the rate fixed at `rate` Hz (for a rate found in the data).
  PipelineOptions at_rate(int rate) const;
};

// What an option's value is made of.
enum class OptionKind { kInteger, kNumber, kBool, kChoice, kText };
std::string to_string(OptionKind kind);

// Which part of the pipeline an option belongs to, in pipeline order.
enum class OptionStage { kDecode, kCut, kSpectrogram, kDb, kNormalize, kOutput };
std::string to_string(OptionStage stage);

struct OptionSpec {
  std::string name;  // "hop_length": library, Python and JSON name
  std::string flag;  // "--hop": the command line's spelling
  OptionKind kind;
  OptionStage stage;
  std::string unit;          // "samples", "Hz", "dB", "s" or ""
  std::string allowed;       // "integer >= 1", "hann | hamming | blackman | rect", ...
  std::string default_text;  // as docs show it: "2048 (librosa), 400 (torchaudio)", "sr/2", ...
  std::string doc;           // one line
  bool changes_output;       // in the fingerprint (resolved to numbers)
  std::string alias_of;      // non-empty: another spelling of that option (htk -> mel_scale)
  // The front ends it applies to ("stft", "kaldi_fbank kaldi_mfcc", ...); empty: all.
  // Given explicitly for another front end, it is refused by name.
  std::string frontends;
};

// Every feature option, in pipeline order.
const std::vector<OptionSpec>& pipeline_schema();
// The row called `name`; throws Error listing the names (with the closest one) otherwise.
const OptionSpec& find_option(std::string_view name);
// The same over several tables (extract's and the pipeline's); `what` names them in the error.
const OptionSpec& find_option(std::string_view name, const std::vector<const std::vector<OptionSpec>*>& schemas,
                              std::string_view what);

// Options as a user gives them: name -> text ("hop_length" -> "256"). Only
// what was given; absent options take the preset's value or the default.
using OptionValues = std::map<std::string, std::string>;

// Resolves given options (preset, implications, explicit values) and validates.
// Throws Error naming the option, the bad value and what is allowed.
PipelineOptions resolve_pipeline_options(const OptionValues& given);

// Every option's resolved value as text, by name (aliases left out): parsing
// it back with resolve_pipeline_options gives the same options.
OptionValues option_values(const PipelineOptions& options);

// The options that change output bytes, resolved to numbers (fmax in Hz, the
// FFT precision actually used, ...). `before`, when set, keeps the stages
// before it only: the statistics of features are fingerprinted before kNormalize.
std::map<std::string, std::string> fingerprint_of(const PipelineOptions& options,
                                                  std::optional<OptionStage> before = std::nullopt);

// Fingerprint fields left out at their default values (options added after
// fingerprints were first recorded, and each front end's own options), so that
// older records stay valid; absent means the default.
const std::vector<std::string>& fields_absent_at_default();

// The library's spelling of a value given as JSON (null -> "none", true ->
// "true", numbers exactly, {"low": 5} -> "low=5" for params). Front ends
// that hold typed values (Python, the JSON record) convert through this.
std::string option_text(const OptionSpec& spec, const std::string& json_value);

// The normalization as it runs on clips at `sample_rate` Hz: PCEN's time
// constant needs the frame rate, so its sr and hop_length come from the pipeline.
NormalizeOptions normalization_at(const PipelineOptions& options, double sample_rate);

// Method parameters as text: "low=5,high=95" (the params option's form).
MethodParams parse_method_params(std::string_view text);

// The schema as a Markdown table (docs/options.md is this, checked by a test).
std::string options_markdown(const std::vector<OptionSpec>& schema = pipeline_schema());
// The schema as JSON: a list of rows.
std::string options_json(const std::vector<OptionSpec>& schema = pipeline_schema());

}  // namespace melnorm
