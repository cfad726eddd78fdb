#include "meshca/util/edit_distance.h"

#include <doctest/doctest.h>

namespace meshca {

TEST_CASE("edit distance counts insertions, deletions and replacements") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "abc") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("--namspace", "--namespace") == 1);
  CHECK(edit_distance("check-rot", "check-root") == 1);
  CHECK(edit_distance("relabel", "rleabel") == 2); // a swap is two edits
  CHECK(edit_distance("flaw", "lawn") == 2);
  CHECK(edit_distance("abc", "xyz") == 3);
}

TEST_CASE("edit distance is symmetric") {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"status", "stats"}, {"--context", "--contxt"}, {"a", "ab"}, {"prune-revision", "prune"}};
  for (const auto& [a, b] : pairs) {
    CAPTURE(a);
    CHECK(edit_distance(a, b) == edit_distance(b, a));
  }
}

TEST_CASE("closest_match suggests only plausible candidates") {
  const std::vector<std::string> flags = {"--namespace", "--context", "--kubeconfig", "--output"};
  CHECK(closest_match("--namspace", flags) == std::optional<std::string>("--namespace"));
  CHECK(closest_match("--contxet", flags) == std::optional<std::string>("--context"));
  CHECK(closest_match("--outptu", flags) == std::optional<std::string>("--output"));
  CHECK(closest_match("--selector", flags) == std::nullopt);
  CHECK(closest_match("--zzz", {}) == std::nullopt);
  // Never a full rewrite, even within the distance limit.
  CHECK(closest_match("ab", {"xy"}) == std::nullopt);
  CHECK(closest_match("ab", {"xy"}, 5) == std::nullopt);
  // The limit is honoured.
  CHECK(closest_match("--contxt", {"--context"}, 0) == std::nullopt);
  CHECK(closest_match("--contxt", {"--context"}, 1) == std::optional<std::string>("--context"));
}

TEST_CASE("closest_match prefers the nearest candidate, then the first") {
  CHECK(closest_match("stat", {"start", "status", "stat1"}) == std::optional<std::string>("start"));
  CHECK(closest_match("rollot", {"relabel", "rollout"}) == std::optional<std::string>("rollout"));
}

} // namespace meshca
