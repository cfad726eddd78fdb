#include "meshca/kube/dry_run.h"

#include <doctest/doctest.h>

using meshca::DryRun;

TEST_CASE("parse_dry_run takes kubectl's values, a bare flag means client") {
  CHECK(*meshca::parse_dry_run("") == DryRun::client);
  CHECK(*meshca::parse_dry_run("client") == DryRun::client);
  CHECK(*meshca::parse_dry_run("server") == DryRun::server);
  CHECK(*meshca::parse_dry_run("none") == DryRun::none);
}

TEST_CASE("parse_dry_run rejects other values and lists the valid ones") {
  for (const char* value : {"yes", "true", "Client", "all"}) {
    auto parsed = meshca::parse_dry_run(value);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().status == meshca::ExitStatus::bad_input);
    CHECK(parsed.error().message.find("none, client, server") != std::string::npos);
    CHECK(parsed.error().message.find(value) != std::string::npos);
  }
}

TEST_CASE("dry_run_args, names and report suffixes") {
  CHECK(meshca::dry_run_args(DryRun::none).empty());
  CHECK(meshca::dry_run_args(DryRun::client) == std::vector<std::string>{"--dry-run=client"});
  CHECK(meshca::dry_run_args(DryRun::server) == std::vector<std::string>{"--dry-run=server"});
  CHECK(meshca::to_string(DryRun::none) == "none");
  CHECK(meshca::to_string(DryRun::server) == "server");
  CHECK(meshca::dry_run_suffix(DryRun::none).empty());
  CHECK(meshca::dry_run_suffix(DryRun::client) == " (dry run)");
  CHECK(meshca::dry_run_suffix(DryRun::server) == " (server dry run)");
}
