// The experiment's grid: the test conditions, the dB variants and the arms
// (each method with each dB variant); and every question the experiment asks
// about a normalization method by its name, in one place.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "experiment/perturb.h"
#include "melnorm/experiment.h"

namespace melnorm::detail {

// ---- what the experiment needs to know of a method ----
// From the normalization registry's metadata (melnorm/normalize.h), in one place.

// False for the identity (the method "none": the dB spectrogram as it is).
bool normalizes(const NormalizeOptions& method);
// True for a method on the linear magnitude (PCEN): it gets no dB variants
// and its input is the schema's (power 1, no dB).
bool works_on_magnitude(const NormalizeOptions& method);
// The method as the pipeline schema resolves it (its pipeline defaults: PCEN's int32 input scale).
NormalizeOptions as_resolved(NormalizeOptions method);
// "zscore:global", "minmax:local:band", "none".
std::string method_label(const NormalizeOptions& method);
// Throws Error(methods) for a method the experiment cannot run (a local-only method with :global).
void check_method(const NormalizeOptions& method);

// ---- the grid ----

// One method on one feature kind: a dB variant, or (no db) the magnitude.
struct Arm {
  NormalizeOptions method;
  std::optional<std::size_t> db;  // index into Grid::db_variants; none for a method on the magnitude
  std::size_t augment = 0;        // index into Grid::augmentations
};

struct Grid {
  std::vector<Condition> conditions;        // the test conditions; [0] is clean
  std::vector<DbOptions> db_variants;       // db_refs x db_floors (mel.db's alone without them)
  bool vary_db = false;                     // db_refs or db_floors given: the report gets a dB column
  std::vector<Augmentation> augmentations;  // train_augmentations ([none] without them)
  std::vector<Arm> arms;                    // methods x db_variants x augmentations, in this order
  std::size_t runs(const ExperimentOptions& o) const { return arms.size() * o.bn_axes.size() * o.seeds.size(); }
};

// Throws Error for a method the experiment cannot run.
Grid make_grid(const ExperimentOptions& o);

// An arm's dB variant in results.csv: the ref ("max", "p99.5") and the floor; "" on the magnitude or without dB.
std::string db_ref_of(const Grid& grid, const Arm& arm);
std::string db_floor_of(const Grid& grid, const Arm& arm);
// The arm's training augmentation in results.csv: "none", "gain-60:0+pcm16".
std::string train_augment_of(const Grid& grid, const Arm& arm);
// "zscore:global", with " db=max/absolute" when the grid varies the dB conversion
// and " train=gain-60:0+pcm16" when the arm trains augmented.
std::string arm_label(const Grid& grid, const Arm& arm);

}  // namespace melnorm::detail
