// "Did you mean ...?" for unknown names (options, methods, flags).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace melnorm::detail {

// Edit distance (insertions, deletions, substitutions), case-sensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name`, or "" when none is within a third of its length.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

// "unknown option 'nmels' (did you mean 'n_mels'?); allowed: a, b, c"
std::string unknown_name_message(std::string_view what, std::string_view name,
                                 const std::vector<std::string>& candidates);

}  // namespace melnorm::detail
