#include "meshca/mesh/prometheus_text.h"

#include <cmath>
#include <doctest/doctest.h>
#include <string>
#include <vector>

using meshca::prometheus::for_each_sample;
using meshca::prometheus::Sample;

namespace {

std::vector<Sample> samples_of(std::string_view text, std::size_t* bad = nullptr,
                               std::vector<std::string>* names = nullptr) {
  std::vector<Sample> out;
  const std::size_t unreadable = for_each_sample(text, [&](const Sample& s) {
    out.push_back(s);
    if (names)
      names->emplace_back(s.name); // the view dies with the text's lines
  });
  if (bad)
    *bad = unreadable;
  return out;
}

} // namespace

TEST_CASE("samples with and without labels, comments and blank lines skipped") {
  std::vector<std::string> names;
  std::size_t bad = 99;
  const std::string text = "# HELP a_total help text\n# TYPE a_total counter\n\n"
                           "a_total 3\n"
                           "b{x=\"1\",y=\"two words\"} 4.5 1700000000000\n"
                           "c{} 1\r\n"
                           "  d{k=\"v\",} 2\n";
  auto samples = samples_of(text, &bad, &names);
  CHECK(bad == 0);
  REQUIRE(samples.size() == 4);
  CHECK(names == std::vector<std::string>{"a_total", "b", "c", "d"});
  CHECK(samples[0].value == 3);
  CHECK(samples[1].label("y") == "two words");
  CHECK(samples[1].value == 4.5);
  CHECK(samples[1].label("missing").empty());
  CHECK(samples[3].label("k") == "v");
}

TEST_CASE("label values keep the format's escapes and commas, braces and pipes inside quotes") {
  auto samples = samples_of("m{a=\"q\\\"uote\",b=\"back\\\\slash\",c=\"line\\nbreak\",d=\"UF,URX\","
                            "e=\"outbound|80||x.y.svc.cluster.local\",f=\"{}\"} 7\n");
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].label("a") == "q\"uote");
  CHECK(samples[0].label("b") == "back\\slash");
  CHECK(samples[0].label("c") == "line\nbreak");
  CHECK(samples[0].label("d") == "UF,URX");
  CHECK(samples[0].label("e") == "outbound|80||x.y.svc.cluster.local");
  CHECK(samples[0].label("f") == "{}");
}

TEST_CASE("special values and lines that are not samples") {
  std::size_t bad = 0;
  auto samples = samples_of("nan_metric NaN\ninf_metric +Inf\n"
                            "broken{a=\"unterminated} 1\n"
                            "no_value\n"
                            "bad_value{} twelve\n"
                            "1starts_with_digit 3\n",
                            &bad);
  REQUIRE(samples.size() == 2);
  CHECK(std::isnan(samples[0].value));
  CHECK(std::isinf(samples[1].value));
  CHECK(bad == 4);
}

TEST_CASE("an empty answer has no samples") {
  std::size_t bad = 1;
  CHECK(samples_of("", &bad).empty());
  CHECK(bad == 0);
}
