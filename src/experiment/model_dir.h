// Writing saved model folders (include/melnorm/model.h describes DIR).
#pragma once

#include <filesystem>
#include <string>

#include "experiment/classifier.h"
#include "melnorm/model.h"

namespace melnorm::detail {

// Writes DIR whole or not at all: every file goes into a hidden sibling
// folder (.NAME.tmp-PID) that is renamed into place (or swapped with an older
// saved model at DIR). A folder at DIR that is not a saved model is not
// replaced. Throws Error(kIo) naming the path.
void save_model_dir(const std::filesystem::path& dir, const Classifier& net, const Pipeline& pipeline,
                    const ModelRecord& record);

// Makes DIR/best a relative link to DIR/<run> (swapped in atomically).
void point_best(const std::filesystem::path& dir, const std::string& run);

// A run's folder name: "zscore:global:all bn=channel" seed 2 -> "zscore-global-all_bn-channel_seed-2".
std::string run_folder_name(const std::string& config, int seed);

}  // namespace melnorm::detail
