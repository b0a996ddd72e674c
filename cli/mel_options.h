// The mel-spectrogram flags (--preset, --n-fft, --hop, ...), shared by every
// command that computes spectrograms. Flags left unset keep the preset's value.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "melnorm/mel_spectrogram.h"
#include "melnorm/normalize.h"
#include "melnorm/pcen.h"

namespace melnorm::cli {

struct MelFlags {
  std::string preset = "librosa";
  std::optional<int> sr;
  std::optional<int> n_fft, hop, win_length, n_mels;
  std::optional<std::string> window, pad_mode, mel_scale, mel_norm, db, top_db, db_floor, fft_precision;
  std::optional<double> fmin, fmax, power, amin;
  std::optional<bool> center;
  bool pcen = false;
  std::optional<double> pcen_gain, pcen_bias, pcen_power, pcen_time_constant, pcen_eps, pcen_input_scale;

  void add_to(CLI::App& app);
  // The options for audio at `sample_rate` Hz. Throws melnorm::Error.
  MelSpectrogramOptions resolve(double sample_rate) const;
  // With --pcen: PCEN options for spectrograms made with `mel` (its rate and hop).
  std::optional<PcenOptions> resolve_pcen(const MelSpectrogramOptions& mel) const;
};

// --param NAME=VALUE items as method parameters; throws Error for a malformed item.
MethodParams parse_method_params(const std::vector<std::string>& items);

// "--hop" for "hop_length": the flag a library parameter name comes from.
std::string flag_for_param(const std::string& param);

}  // namespace melnorm::cli
