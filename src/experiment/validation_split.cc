#include "experiment/validation_split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm::detail {

namespace {

std::size_t share(double fraction, std::size_t n) {
  return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
}

// One row per group: each label's share of its rows, shuffled per label.
std::vector<bool> split_rows(const std::vector<int>& labels, double fraction, std::mt19937_64& rng) {
  std::map<int, std::vector<std::size_t>> by_label;
  for (std::size_t i = 0; i < labels.size(); ++i) by_label[labels[i]].push_back(i);
  std::vector<bool> is_val(labels.size(), false);
  for (auto& [label, idx] : by_label) {
    std::shuffle(idx.begin(), idx.end(), rng);
    for (std::size_t j = 0; j < share(fraction, idx.size()); ++j) is_val[idx[j]] = true;
  }
  return is_val;
}

}  // namespace

std::vector<bool> validation_split(const std::vector<int>& labels, const std::vector<std::size_t>& groups,
                                   double fraction, std::uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + 1);
  std::map<std::size_t, std::vector<std::size_t>> rows_of;  // group -> its rows
  for (std::size_t i = 0; i < groups.size(); ++i) rows_of[groups[i]].push_back(i);
  if (rows_of.size() == labels.size()) return split_rows(labels, fraction, rng);
  if (rows_of.size() < 2)
    throw Error(
        ErrorCode::kInvalidData, "group_column",
        "the training rows form " + num(rows_of.size()) +
            " group: validation by groups needs at least two (or val_fraction 0, or a split column with val rows)");

  std::map<int, std::size_t> target, taken;
  for (int l : labels) ++target[l];
  for (auto& [l, n] : target) n = share(fraction, n);
  std::vector<std::size_t> order;
  order.reserve(rows_of.size());
  for (const auto& [g, rows] : rows_of) order.push_back(g);
  std::shuffle(order.begin(), order.end(), rng);

  std::vector<bool> is_val(labels.size(), false);
  std::size_t groups_in_val = 0;
  for (std::size_t g : order) {
    if (groups_in_val + 1 == rows_of.size()) break;  // one group at least stays for training
    const auto& rows = rows_of[g];
    const bool needed =
        std::any_of(rows.begin(), rows.end(), [&](std::size_t i) { return taken[labels[i]] < target[labels[i]]; });
    if (!needed) continue;
    for (std::size_t i : rows) is_val[i] = true, ++taken[labels[i]];
    ++groups_in_val;
  }
  return is_val;
}

}  // namespace melnorm::detail
