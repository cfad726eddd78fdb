#pragma once
// "Did you mean" suggestions for mistyped flags and command names.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// The Levenshtein distance (insertions, deletions, replacements, each costing 1) between a and b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is within `max_distance` edits and closer than a full
// rewrite of the word (so "ab" never suggests "xy"). Ties go to the earlier candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates,
                                         std::size_t max_distance = 3);

} // namespace meshca
