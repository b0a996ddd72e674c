// The experiment's report: results.md (each configuration's mean over seeds
// with its 95% interval, per test condition), accuracy_vs_gain.png (with eval
// gains) and confusion.png (the best configuration's clean test set).
#pragma once

#include "experiment/arm.h"

namespace melnorm::detail {

void write_report(const ExperimentContext& ctx, const ExperimentOutputs& out);

}  // namespace melnorm::detail
