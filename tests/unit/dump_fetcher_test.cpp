#include "meshca/checks/traffic_clusters.h"
#include "meshca/checks/traffic_read.h"
#include "meshca/mesh/dump_fetcher.h"

#include <algorithm>
#include <deque>
#include <doctest/doctest.h>

namespace {

// Answers each kubectl call with the next scripted output and counts the calls: the retry rule
// is about what kubectl printed, so the outputs are kubectl's own words.
class ScriptedKubectl final : public meshca::KubectlRunner {
 public:
  explicit ScriptedKubectl(std::deque<meshca::ProcessOutput> outputs)
      : outputs_(std::move(outputs)) {}

  meshca::Result<meshca::ProcessOutput> run(const std::vector<std::string>&,
                                            std::optional<std::string>,
                                            std::chrono::milliseconds) override {
    ++calls;
    REQUIRE_FALSE(outputs_.empty());
    auto next = std::move(outputs_.front());
    outputs_.pop_front();
    return next;
  }

  int calls = 0;

 private:
  std::deque<meshca::ProcessOutput> outputs_;
};

meshca::ProcessOutput answered(std::string out) {
  return {0, false, 0, std::move(out), ""};
}

meshca::ProcessOutput failed(std::string err) {
  return {1, false, 0, "", std::move(err)};
}

// What kubectl 1.30+ prints when the answer and the close frame beat its stream set-up.
constexpr const char* kRaced =
    "E1204 06:32:24.296565    2259 websocket.go:296] Unknown stream id 1, discarding message\n"
    "E1204 06:32:24.296680    2259 websocket.go:296] Unknown stream id 3, discarding message\n"
    "error: closed all streams\n";

const meshca::SidecarPod kPod{"bookinfo", "reviews-1", "", false, false, "", "", ""};

} // namespace

TEST_CASE("a config dump read that lost kubectl's stream race is read again") {
  ScriptedKubectl kubectl({failed(kRaced), answered(""), answered("{\"configs\":[]}")});
  meshca::KubectlExecFetcher fetcher(kubectl, meshca::AdminRequest::secrets_dump(), {});
  auto dump = fetcher.fetch(kPod);
  REQUIRE(dump);
  CHECK(*dump == "{\"configs\":[]}");
  CHECK(kubectl.calls == 3);
}

TEST_CASE("a race that persists is reported after three reads, with kubectl's words") {
  ScriptedKubectl kubectl({failed(kRaced), failed(kRaced), failed(kRaced)});
  meshca::KubectlExecFetcher fetcher(kubectl, meshca::AdminRequest::secrets_dump(), {});
  auto dump = fetcher.fetch(kPod);
  REQUIRE_FALSE(dump);
  CHECK(dump.error().message.find("bookinfo/reviews-1") != std::string::npos);
  CHECK(dump.error().message.find("closed all streams") != std::string::npos);
  CHECK(kubectl.calls == 3);
}

TEST_CASE("other exec failures are not read again") {
  ScriptedKubectl kubectl({failed("error: unable to upgrade connection: container not found "
                                  "(\"istio-proxy\")\n")});
  meshca::KubectlExecFetcher fetcher(kubectl, meshca::AdminRequest::secrets_dump(), {});
  auto dump = fetcher.fetch(kPod);
  REQUIRE_FALSE(dump);
  CHECK(dump.error().message.find("container not found") != std::string::npos);
  CHECK(kubectl.calls == 1);
}

namespace {

// traffic's stats reader, each of its three reads one kubectl exec through `kubectl`.
std::unique_ptr<meshca::DumpFetcher> stats_reader(meshca::KubectlRunner& kubectl) {
  auto fetcher = [&](meshca::AdminRequest request) -> std::unique_ptr<meshca::DumpFetcher> {
    return std::make_unique<meshca::KubectlExecFetcher>(kubectl, std::move(request),
                                                        std::chrono::milliseconds(0));
  };
  return meshca::agent_then_envoy({fetcher(meshca::traffic_stats_request()),
                                   fetcher(meshca::traffic_unfiltered_stats_request()),
                                   fetcher(meshca::traffic_envoy_stats_request())});
}

// A pilot-agent that refuses the merged endpoint's port, as an agent older than its allow-list.
class NoAgentPort final : public meshca::KubectlRunner {
 public:
  meshca::Result<meshca::ProcessOutput> run(const std::vector<std::string>& args,
                                            std::optional<std::string>,
                                            std::chrono::milliseconds) override {
    calls.push_back(args);
    if (std::find(args.begin(), args.end(), "15020") != args.end())
      return failed("Error: debug port 15020 is not in allowed list [15000]\n");
    return answered("envoy_server_live 1\n");
  }
  std::vector<std::vector<std::string>> calls;
};

} // namespace

TEST_CASE("stats: the agent's endpoint first, Envoy's admin port when the agent refuses it") {
  NoAgentPort kubectl;
  auto stats = stats_reader(kubectl);
  auto text = stats->fetch(kPod);
  REQUIRE(text);
  CHECK(*text == "envoy_server_live 1\n");
  REQUIRE(kubectl.calls.size() == 2);
  const auto& agent = kubectl.calls[0];
  CHECK(std::find(agent.begin(), agent.end(), "--debug-port") != agent.end());
  CHECK(agent.back().rfind("stats/prometheus?filter=istio_requests_total%7C", 0) == 0);
  const auto& envoy = kubectl.calls[1];
  CHECK(std::find(envoy.begin(), envoy.end(), "--debug-port") == envoy.end());
  CHECK(envoy.back() == agent.back());
}

namespace {

// An agent whose Envoy does not decode the query: the filtered answer holds only the agent's
// metrics, the unfiltered one Envoy's too.
class UndecodedFilter final : public meshca::KubectlRunner {
 public:
  meshca::Result<meshca::ProcessOutput> run(const std::vector<std::string>& args,
                                            std::optional<std::string>,
                                            std::chrono::milliseconds) override {
    ++calls;
    const bool filtered = args.back().find("filter=") != std::string::npos;
    return answered(filtered ? "istio_agent_istiod_connection_failures 0\n"
                             : "istio_agent_istiod_connection_failures 0\nenvoy_server_live 1\n");
  }
  int calls = 0;
};

} // namespace

TEST_CASE("stats: an answer the filter emptied of Envoy's stats is read again unfiltered") {
  UndecodedFilter kubectl;
  auto stats = stats_reader(kubectl);
  auto text = stats->fetch(kPod);
  REQUIRE(text);
  CHECK(text->find("envoy_server_live 1") != std::string::npos);
  CHECK(kubectl.calls == 2);
}
