// Replays inputs that once crashed a fuzz target (tests/testdata/fuzz-regressions/<target>/),
// and the fuzz seed corpora (fuzz/corpus/<target>/), through the fuzz targets' own entry
// functions, in the ordinary build (and so under the sanitizer build too). A regression file's
// extension says what the reader must answer: ".error" (refused with a message) or ".value".
#include "../../fuzz/argv_entry.h"
#include "../../fuzz/base64_entry.h"
#include "../../fuzz/clusters_stream_entry.h"
#include "../../fuzz/config_dump_entry.h"
#include "../../fuzz/prometheus_entry.h"
#include "../../fuzz/spiffe_bundle_entry.h"
#include "../../fuzz/x509_entry.h"
#include "test_files.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
using meshca::fuzz::Outcome;

namespace {

using Entry = Outcome (*)(std::string_view);

struct Target {
  const char* name;
  Entry entry;
};

const Target kTargets[] = {
    {"config_dump", meshca::fuzz::config_dump_input},
    {"clusters_stream", meshca::fuzz::clusters_stream_input},
    {"pem", meshca::fuzz::pem_input},
    {"base64", meshca::fuzz::base64_input},
    {"spiffe_bundle", meshca::fuzz::spiffe_bundle_input},
    {"argv", meshca::fuzz::argv_input},
    {"prometheus", meshca::fuzz::prometheus_input},
};

// The files of a folder in name order; none when the folder does not exist.
std::vector<fs::path> files_in(const fs::path& folder) {
  std::vector<fs::path> files;
  if (!fs::is_directory(folder))
    return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file())
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

const fs::path kRegressions = fs::path(MESHCA_TESTDATA_DIR) / "fuzz-regressions";
const fs::path kCorpora = fs::path(MESHCA_TESTDATA_DIR) / ".." / ".." / "fuzz" / "corpus";

} // namespace

TEST_CASE("fuzz regressions: every saved input gets the answer its name expects") {
  std::size_t replayed = 0;
  for (const auto& target : kTargets) {
    for (const auto& file : files_in(kRegressions / target.name)) {
      const std::string expected = file.extension().string();
      const std::string where = std::string(target.name) + ": " + file.filename().string();
      INFO(where);
      REQUIRE_MESSAGE((expected == ".error" || expected == ".value"),
                      "name regression inputs <what>.error or <what>.value");
      const Outcome outcome = target.entry(meshca::testing::read_file(file.string()));
      CHECK(outcome == (expected == ".error" ? Outcome::error : Outcome::value));
      ++replayed;
    }
  }
  // Every folder under fuzz-regressions names a target (a typo would replay nothing).
  for (const auto& entry : fs::directory_iterator(kRegressions)) {
    INFO(entry.path().filename().string());
    CHECK(std::any_of(std::begin(kTargets), std::end(kTargets), [&](const Target& target) {
      return entry.path().filename() == target.name;
    }));
  }
  CHECK(replayed > 0);
}

TEST_CASE("fuzz seed corpora replay through the fuzz entries, each with some accepted input") {
  for (const auto& target : kTargets) {
    const auto files = files_in(kCorpora / target.name);
    const std::string where = target.name;
    INFO(where);
    REQUIRE(files.size() >= 5);
    std::size_t values = 0;
    for (const auto& file : files) {
      if (target.entry(meshca::testing::read_file(file.string())) == Outcome::value)
        ++values;
    }
    CHECK(values > 0);
    CHECK(values <= files.size());
  }
}

TEST_CASE("fuzz argv words split on NUL and newline, keeping empty words") {
  using meshca::fuzz::split_words;
  CHECK(split_words("") == std::vector<std::string>{""});
  CHECK(split_words(std::string_view("a\0b\nc", 5)) == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_words("a\n\nb\n") == std::vector<std::string>{"a", "", "b", ""});
}

TEST_CASE("fuzz entries tell a refused input from an accepted one") {
  CHECK(meshca::fuzz::config_dump_input("{\"configs\":[]}") == Outcome::value);
  CHECK(meshca::fuzz::config_dump_input("{\"configs\":") == Outcome::error);
  CHECK(meshca::fuzz::clusters_stream_input("{\"configs\":[]}") == Outcome::value);
  CHECK(meshca::fuzz::clusters_stream_input("{\"configs\":") == Outcome::error);
  CHECK(meshca::fuzz::pem_input("not a certificate") == Outcome::error);
  CHECK(meshca::fuzz::base64_input("Zm9v") == Outcome::value);
  CHECK(meshca::fuzz::spiffe_bundle_input("{\"keys\":[]}") == Outcome::error);
  CHECK(meshca::fuzz::argv_input("status\n-o\njson") == Outcome::value);
  CHECK(meshca::fuzz::argv_input("status\n-o\nxml") == Outcome::error);
  CHECK(meshca::fuzz::argv_input("no-such-command") == Outcome::error);
}

TEST_CASE("fuzz regression: certificate dates outside 1950-2200 are clamped, not overflowed") {
  using namespace std::chrono;
  const auto read = [](const char* name) {
    const auto text = meshca::testing::read_file((kRegressions / "pem" / name).string());
    auto certs = meshca::x509::read_pem_bundle(text, name);
    return certs.ok() ? certs->front() : *meshca::x509::from_der(text, name);
  };
  // notAfter 9966 (a GeneralizedTime "no expiry" style date) and notAfter year 117.
  CHECK(read("not_after_year_9900.value").not_after() == sys_days{year{2200} / January / 1});
  const auto early = read("der_not_after_year_117.value");
  CHECK(early.not_after() == sys_days{year{1950} / January / 1});
  CHECK_FALSE(early.valid_at(system_clock::now()));
}
