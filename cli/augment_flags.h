// The training perturbations' flags (melnorm/augment.h), shared by
// `experiment`/`train` (each a grid dimension: "none,-60:0") and `augment`
// (one perturbation of one file, to hear what training sees).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "melnorm/augment.h"

namespace melnorm::cli {

struct AugmentFlags {
  std::vector<std::string> gains, bits, noises;  // "none" (or "off") or a value each
  bool dither = false;
  std::string noise_color = "white";

  // grid: the flags take comma-separated lists, "none" among them.
  void add_to(CLI::App& cmd, bool grid);
  // Every combination (gain x bits x noise); empty when no flag was given.
  // Throws Error naming the flag's parameter (gain_db, bits, noise_snr_db, tpdf_dither).
  std::vector<Augmentation> augmentations() const;
};

}  // namespace melnorm::cli
