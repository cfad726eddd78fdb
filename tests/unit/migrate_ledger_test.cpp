// migrate's ledger: its JSON round-trips, and a ConfigMap value that is not a ledger is bad input
// naming the object and the fix.
#include "meshca/composite/migrate/migrate_ledger.h"

#include <doctest/doctest.h>

using namespace meshca;

TEST_CASE("a ledger round-trips through its JSON, lease and notes included") {
  Ledger ledger;
  ledger.phase = "ready-for-cleanup";
  ledger.revisions = {{"asm-old"}, "asm-mcroot", "asm-meshca"};
  ledger.steps.push_back({"verify-round1", "", "2026-12-04T12:16:47Z", "ops-admin",
                          "kubectl meshca check-root -A --require CITADEL,MESHCA",
                          "7 pods: 7 trust [CITADEL MESHCA]", std::string(64, 'a')});
  ledger.steps.push_back({"tags-round1", "asm-mcroot", "2026-12-04T12:16:48Z", "ops-admin",
                          "istioctl tag set default --revision asm-mcroot --overwrite",
                          "done \"quoted\"\nand a newline", ""});
  ledger.notes = {"relabel-round1 is done in the cluster but not recorded by migrate"};
  ledger.lease = LedgerLease{"ops-admin@laptop pid 4242", 1796386607};

  auto back = ledger_from_json(ledger_to_json(ledger), "east");
  REQUIRE(back.ok());
  CHECK(back->exists);
  CHECK(back->phase == ledger.phase);
  CHECK(back->revisions.old == ledger.revisions.old);
  CHECK(back->revisions.round1 == "asm-mcroot");
  CHECK(back->revisions.round2 == "asm-meshca");
  REQUIRE(back->steps.size() == 2);
  CHECK(back->steps[1].evidence == "done \"quoted\"\nand a newline");
  CHECK(back->steps[0].sha256 == std::string(64, 'a'));
  CHECK(back->last("tags-round1") == &back->steps[1]);
  CHECK(back->last("prune-round1") == nullptr);
  CHECK(back->notes == ledger.notes);
  REQUIRE(back->lease.has_value());
  CHECK(back->lease->holder == "ops-admin@laptop pid 4242");
  CHECK(back->lease->expires == 1796386607);

  ledger.lease.reset();
  auto released = ledger_from_json(ledger_to_json(ledger), "east");
  REQUIRE(released.ok());
  CHECK_FALSE(released->lease.has_value());
}

TEST_CASE("a ConfigMap value that is not a ledger of this version is bad input with the fix") {
  for (const char* text : {"not json", "[]", R"({"kind":"Something"})"}) {
    auto result = ledger_from_json(text, "west");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().status == ExitStatus::bad_input);
    CHECK(result.error().message.find("ConfigMap istio-system/kubectl-meshca-migration (west)") !=
          std::string::npos);
  }
  auto newer = ledger_from_json(R"({"kind":"MigrationLedger","version":2})", "");
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.error().message.find("(the current context) has a ledger version") !=
        std::string::npos);
  CHECK(newer.error().message.find("upgrade kubectl-meshca") != std::string::npos);
}
