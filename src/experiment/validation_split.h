// The validation part of the training rows, which picks the best epoch. Rows
// of one group (a speaker, a recording cut into segments) stay on one side:
// a source seen in training and in validation makes validation accuracy
// flatter the model, and "the best epoch" an overfit one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace melnorm::detail {

// is_val[i] for training rows of labels[i] in groups[i]. With one row per
// group: each label's round(fraction x count) rows, drawn with the seed (the
// per-row split of earlier melnorm versions, exactly). Otherwise whole groups
// in an order drawn with the seed, each taken while a label it holds is short
// of its share: stratified as far as the groups allow, never all groups.
// Throws Error when the rows hold fewer than two groups.
std::vector<bool> validation_split(const std::vector<int>& labels, const std::vector<std::size_t>& groups,
                                   double fraction, std::uint64_t seed);

}  // namespace melnorm::detail
