// CNN experiments: train a classifier per (normalization, BatchNorm axis,
// seed) on mel spectrograms of a labelled dataset, evaluate it on clean and
// perturbed test audio, and write the measured answer (results.csv,
// results.md, accuracy_vs_gain.png, confusion.png). Needs the library built
// with MELNORM_BUILD_EXPERIMENT (libtorch). The network's options
// (ModelOptions, TrainOptions) are in melnorm/model.h; the stages of a run
// (grid, features, one arm, results, report) in src/experiment/.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "melnorm/augment.h"
#include "melnorm/mel_spectrogram.h"
#include "melnorm/model.h"
#include "melnorm/normalize.h"
#include "melnorm/pipeline_options.h"

namespace melnorm {

struct ExperimentOptions {
  std::filesystem::path data;                   // folder (labels = parent folder) or .txt/.csv list
  std::optional<std::filesystem::path> labels;  // CSV path,label[,split,speaker,...]
  std::string path_column = "path";             // the labels CSV's path and label columns
  std::string label_column = "label";
  // Test rows: the split column's "test" rows (its "val" rows, if any, validate);
  // or the rows whose holdout_column equals holdout_value; or, with neither and
  // no "split" column, a deterministic stratified 80/20 split.
  std::optional<std::string> split_column;
  std::optional<std::string> holdout_column, holdout_value;
  // Rows whose labels CSV has one value in this column (a speaker, a source
  // recording) stay on one side of the validation split drawn from the train
  // rows. Without it, each clip is its own group (its segments stay together).
  std::optional<std::string> group_column;
  // The features up to the dB conversion (sr, pad_to or segment, mel, dB), as
  // melnorm::Pipeline runs them; each arm adds its method (and dB variant).
  // Without sr the clips must share one rate. pad_to: fixed-size input;
  // segment: one row per segment, and track accuracy too.
  PipelineOptions features;
  std::vector<NormalizeOptions> methods;  // method "none": the dB spectrogram as it is
  // dB conversions as grid dimensions like methods (each ref x each floor);
  // empty: mel.db's. PCEN methods do not use them (they run once).
  std::vector<std::string> db_refs;  // "max", "ref1", "p99.5" (see parse_db_ref)
  std::vector<DbFloor> db_floors;    // absolute, relative
  std::vector<BnAxis> bn_axes = {BnAxis::kChannel};
  std::vector<int> seeds = {1, 2, 3};
  ModelOptions model;  // bn_axis is replaced by each of bn_axes
  TrainOptions train;
  std::vector<double> eval_gains_db;  // gain shifts of the test audio, dB (clipped to [-1, 1] after)
  bool eval_click = false;            // one full-scale click per test clip
  double train_click_fraction = 0.0;  // augmentation: this share of the training clips gets a click
  // Training-time perturbations as a grid dimension (melnorm/augment.h): each
  // arm trains once per entry, its training clips perturbed afresh every
  // epoch (seeded by the run's seed, the epoch and the clip). Empty: none.
  // augmentation_grid builds the combinations of gains x bits x noises.
  std::vector<Augmentation> train_augmentations;
  // Also evaluate each gain with the test audio re-quantized to this many bits
  // (PCM, e.g. 16), as a quieter or louder recording would be stored.
  std::optional<int> eval_bits;
  std::optional<double> eval_noise_snr_db;  // additive white noise at this SNR
  std::filesystem::path out_dir;
  // Saved models (include/melnorm/model.h): save_model is the one run's model
  // folder (a grid of one run only); save_models gets a folder per run and
  // `best`, a link to the run with the best validation accuracy.
  std::optional<std::filesystem::path> save_model, save_models;
  void validate() const;
};

struct ExperimentProgress {
  std::size_t run = 0, runs = 0;  // 1-based run index
  std::string config;             // "zscore:global:all bn=channel seed=2"
  int epoch = 0, epochs = 0;
  double val_accuracy = 0.0;
  double seconds = 0.0;  // since the experiment started
  std::string phase;     // "features", "train", "done"
};

struct ExperimentSummary {
  std::size_t runs = 0, train_rows = 0, val_rows = 0, test_rows = 0;
  std::size_t train_click_rows = 0;  // training rows given a click (train_click_fraction)
  std::string best_config;           // by mean clean accuracy over seeds
  double best_clean_accuracy = 0.0;
  double seconds = 0.0;
};

// Runs the grid methods x (db_refs x db_floors) x bn_axes x seeds and writes OUT_DIR/results.csv,
// results.md, accuracy_vs_gain.png (with eval gains) and confusion.png.
// Throws Error for bad options or data; deterministic for given seeds and threads.
ExperimentSummary run_experiment(const ExperimentOptions& options,
                                 const std::function<void(const ExperimentProgress&)>& progress = {});

}  // namespace melnorm
