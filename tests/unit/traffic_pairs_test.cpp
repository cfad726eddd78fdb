#include "meshca/checks/traffic_pairs.h"
#include "meshca/checks/traffic_snapshot.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using meshca::OutboundCounters;
using meshca::PodTraffic;
using meshca::TrafficSnapshot;

PodTraffic pod(std::string ns, std::string name, std::string workload, double requests,
               double failed, std::string service = "httpbin.backend.svc.cluster.local") {
  PodTraffic p;
  p.ns = std::move(ns);
  p.pod = std::move(name);
  p.traffic.workload = std::move(workload);
  p.traffic.workload_namespace = p.ns;
  OutboundCounters& c = p.traffic.outbound[service];
  c.requests = requests;
  c.failed_requests = failed;
  return p;
}

TrafficSnapshot snapshot(std::vector<PodTraffic> pods, int seconds) {
  TrafficSnapshot s;
  s.taken = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000 + seconds));
  s.pods = std::move(pods);
  return s;
}

} // namespace

TEST_CASE("without an earlier snapshot, counts since each proxy started are summed per workload") {
  auto now = snapshot({pod("frontend", "sleep-1", "sleep", 100, 10),
                       pod("frontend", "sleep-2", "sleep", 50, 5),
                       pod("backend", "httpbin-1", "httpbin", 0, 0, "db.db.svc.cluster.local")},
                      0);
  auto result = meshca::compare_traffic(now, nullptr);
  CHECK_FALSE(result.windowed);
  REQUIRE(result.pairs.size() == 2);
  CHECK(result.pairs[0].source() == "sleep.frontend"); // failing first
  CHECK(result.pairs[0].counts.requests == 150);
  CHECK(result.pairs[0].failures() == 15);
  CHECK(result.pairs[0].source_pods.size() == 2);
  CHECK(result.failing_pairs() == 1);
}

TEST_CASE("a window counts growth: a steady failure history is not a rise") {
  auto before = snapshot({pod("frontend", "sleep-1", "sleep", 100, 10)}, 0);
  auto now = snapshot({pod("frontend", "sleep-1", "sleep", 160, 10)}, 60);
  auto result = meshca::compare_traffic(now, &before);
  CHECK(result.windowed);
  CHECK(result.window_seconds == doctest::Approx(60));
  REQUIRE(result.pairs.size() == 1);
  CHECK(result.pairs[0].counts.requests == 60);
  CHECK(result.pairs[0].failures() == 0);
  CHECK(result.failing_pairs() == 0);
}

TEST_CASE("a restarted proxy counts from zero, never negative, and a new pod counts whole") {
  auto before = snapshot(
      {pod("frontend", "sleep-1", "sleep", 1000, 0), pod("frontend", "sleep-old", "sleep", 500, 0)},
      0);
  // sleep-1 restarted (counters back near zero, 7 failures since); sleep-old was replaced by
  // sleep-new, whose 3 failures all happened in the window.
  auto now = snapshot(
      {pod("frontend", "sleep-1", "sleep", 20, 7), pod("frontend", "sleep-new", "sleep", 30, 3)},
      60);
  auto result = meshca::compare_traffic(now, &before);
  CHECK(result.restarted == 1);
  CHECK(result.new_pods == 1);
  REQUIRE(result.pairs.size() == 1);
  CHECK(result.pairs[0].counts.requests == 50);
  CHECK(result.pairs[0].failures() == 10);
}

TEST_CASE("a proxy's failures to reach istiod and rejected handshakes are per pod deltas") {
  auto a = pod("backend", "httpbin-1", "httpbin", 0, 0);
  a.traffic.istiod_failures = 4;
  a.traffic.inbound.fail_verify_error = 2;
  auto b = a;
  b.traffic.istiod_failures = 9;
  b.traffic.inbound.fail_verify_error = 2;
  auto before = snapshot({a}, 0);
  auto result = meshca::compare_traffic(snapshot({b}, 30), &before);
  REQUIRE(result.pods.size() == 1);
  CHECK(result.pods[0].istiod_failures == 5);
  CHECK(result.pods[0].inbound.failures() == 0);
  CHECK(result.istiod_failing_pods() == 1);
  CHECK(result.inbound_failing_pods() == 0);
}

TEST_CASE("TLS counters and Istio's metrics see the same failure once") {
  auto p = pod("frontend", "probe-1", "probe", 40, 10);
  auto& c = p.traffic.outbound.begin()->second;
  c.has_tls = true;
  c.tls.connection_error = 12;
  c.tls.fail_verify_error = 12;
  auto result = meshca::compare_traffic(snapshot({p}, 0), nullptr);
  CHECK(result.pairs[0].failures() == 24); // the larger of the two views
}

TEST_CASE("pods that could not be read are listed, not counted") {
  PodTraffic broken;
  broken.ns = "frontend";
  broken.pod = "sleep-9";
  broken.error = "pod \"frontend/sleep-9\": exec failed";
  auto result = meshca::compare_traffic(snapshot({broken}, 0), nullptr);
  CHECK(result.pairs.empty());
  REQUIRE(result.failed_pods.size() == 1);
  CHECK(result.failed_pods[0].find("exec failed") != std::string::npos);
}

TEST_CASE("a snapshot survives the file round trip, mode 0600, and a bad file is named") {
  auto p = pod("frontend", "sleep-1", "sleep", 100, 10);
  p.traffic.outbound.begin()->second.has_tls = true;
  p.traffic.outbound.begin()->second.tls.fail_verify_san = 3;
  p.traffic.tls_counters = true;
  p.traffic.istiod_failures = 2;
  PodTraffic broken;
  broken.ns = "x";
  broken.pod = "y";
  broken.error = "unreadable";
  const auto original = snapshot({p, broken}, 5);
  char dir_template[] = "/tmp/meshca-traffic-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::string file = std::string(dir_template) + "/before.json";
  REQUIRE(meshca::save_snapshot(original, file));
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(meshca::save_snapshot(original, file)); // replaced, not refused
  auto loaded = meshca::load_snapshot(file);
  REQUIRE(loaded);
  CHECK(loaded->taken == original.taken);
  REQUIRE(loaded->pods.size() == 2);
  const auto& c = loaded->pods[0].traffic.outbound.at("httpbin.backend.svc.cluster.local");
  CHECK(c.requests == 100);
  CHECK(c.failed_requests == 10);
  CHECK(c.tls.fail_verify_san == 3);
  CHECK(loaded->pods[0].traffic.istiod_failures == 2);
  CHECK(loaded->pods[0].traffic.tls_counters);
  CHECK(loaded->pods[1].error == "unreadable");

  auto wrong_kind = meshca::snapshot_from_json(R"({"kind":"PreflightReport"})", "--since \"x\"");
  REQUIRE_FALSE(wrong_kind);
  CHECK(wrong_kind.error().message.find("not a traffic snapshot") != std::string::npos);
  auto newer = meshca::snapshot_from_json(R"({"kind":"TrafficSnapshot","version":7})", "f");
  REQUIRE_FALSE(newer);
  CHECK(newer.error().message.find("version 7") != std::string::npos);
  auto missing = meshca::load_snapshot(std::string(dir_template) + "/none.json");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().status == meshca::ExitStatus::bad_input);
  auto unwritable = meshca::save_snapshot(original, "/proc/meshca/nowhere.json");
  CHECK_FALSE(unwritable);
  CHECK(meshca::check_snapshot_destination(file));
  CHECK(meshca::check_snapshot_destination("relative.json"));
  auto no_folder = meshca::check_snapshot_destination(std::string(dir_template) + "/no/x.json");
  REQUIRE_FALSE(no_folder);
  CHECK(no_folder.error().message.find("its folder does not exist") != std::string::npos);
  auto folder = meshca::check_snapshot_destination(dir_template);
  REQUIRE_FALSE(folder);
  CHECK(folder.error().message.find("is a folder") != std::string::npos);
  std::filesystem::remove_all(dir_template);
}
