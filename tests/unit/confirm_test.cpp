#include "meshca/cli/confirm.h"

#include <doctest/doctest.h>
#include <sstream>

using meshca::confirm_with;
using meshca::Confirmed;

TEST_CASE("--yes confirms without asking or reading") {
  std::istringstream in("n\n");
  std::ostringstream prompt;
  auto answer = confirm_with("Delete it?", true, false, in, prompt);
  REQUIRE(answer.ok());
  CHECK(*answer == Confirmed::yes);
  CHECK(prompt.str().empty());
  CHECK(in.tellg() == 0);
}

TEST_CASE("without a terminal and without --yes the answer is bad input") {
  std::istringstream in("y\n");
  std::ostringstream prompt;
  auto answer = confirm_with("Delete secret/cacerts?", false, false, in, prompt);
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().status == meshca::ExitStatus::bad_input);
  CHECK(answer.error().message ==
        "Delete secret/cacerts needs --yes when not run from a terminal; nothing was changed");
  CHECK(prompt.str().empty());
}

TEST_CASE("on a terminal y or yes in any case confirms, anything else declines") {
  struct Row {
    const char* typed;
    Confirmed expected;
  };
  const Row rows[] = {
      {"y\n", Confirmed::yes},   {"yes\n", Confirmed::yes}, {" YES \n", Confirmed::yes},
      {"Y", Confirmed::yes},     {"n\n", Confirmed::no},    {"\n", Confirmed::no},
      {"yess\n", Confirmed::no}, {"", Confirmed::no},       {"no\ny\n", Confirmed::no}};
  for (const Row& row : rows) {
    CAPTURE(row.typed);
    std::istringstream in(row.typed);
    std::ostringstream prompt;
    auto answer = confirm_with("Delete it?", false, true, in, prompt);
    REQUIRE(answer.ok());
    CHECK(*answer == row.expected);
    CHECK(prompt.str().starts_with("Delete it? [y/N] "));
  }
}
