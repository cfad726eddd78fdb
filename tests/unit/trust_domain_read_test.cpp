// --trust-domain's read of a sidecar (dump_fetcher.h, TrustDomainDumpFetcher): the secrets and
// the clusters' TLS settings in two requests, the clusters dump for a proxy that refuses the
// second, on the real sample dumps: the answers Envoy gives are cut from each sample as Envoy
// cuts them (a mask keeps the named fields; resource= gives one element per cluster), and the
// trust domains and secrets read from the two answers must equal those of the whole dump.

#include "meshca/mesh/config_dump.h"
#include "meshca/mesh/dump_fetcher.h"
#include "meshca/util/json.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <doctest/doctest.h>
#include <fstream>
#include <mutex>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sstream>

namespace {

using rapidjson::Value;

const std::string kSamples = MESHCA_SAMPLES_DIR;
const std::string kDumps = std::string(MESHCA_TESTDATA_DIR) + "/config_dumps/";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string render(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n"; // pilot-agent's Println
}

bool ends_with(const Value& config, std::string_view suffix) {
  return config.IsObject() && config.HasMember("@type") && config["@type"].IsString() &&
         std::string_view(config["@type"].GetString()).ends_with(suffix);
}

// Envoy's answers to the three requests, cut from a whole dump.
struct Answers {
  std::string secrets;      // mask=dynamic_active_secrets,dynamic_warming_secrets
  std::string tls_clusters; // resource=dynamic_active_clusters&mask=cluster.transport_socket,...
  std::string clusters;     // mask=dynamic_active_clusters,static_clusters
};

Answers answers_of(const std::string& whole) {
  rapidjson::Document dump;
  dump.Parse(whole.c_str());
  REQUIRE_FALSE(dump.HasParseError());
  auto& a = dump.GetAllocator();
  auto masked = [&](std::string_view type, std::initializer_list<const char*> fields) {
    Value configs(rapidjson::kArrayType);
    for (const auto& config : dump["configs"].GetArray()) {
      if (!ends_with(config, type))
        continue; // a mask that does not fit a dump leaves it out
      Value kept(rapidjson::kObjectType);
      kept.AddMember("@type", Value(config["@type"], a), a);
      for (const char* field : fields)
        if (config.HasMember(field))
          kept.AddMember(rapidjson::StringRef(field), Value(config[field], a), a);
      configs.PushBack(kept, a);
    }
    Value out(rapidjson::kObjectType);
    out.AddMember("configs", configs, a);
    return render(out);
  };
  Answers answers;
  answers.secrets =
      masked("SecretsConfigDump", {"dynamic_active_secrets", "dynamic_warming_secrets"});
  answers.clusters = masked("ClustersConfigDump", {"dynamic_active_clusters", "static_clusters"});
  Value elements(rapidjson::kArrayType);
  for (const auto& config : dump["configs"].GetArray()) {
    if (!ends_with(config, "ClustersConfigDump") || !config.HasMember("dynamic_active_clusters"))
      continue;
    for (const auto& item : config["dynamic_active_clusters"].GetArray()) {
      Value cluster(rapidjson::kObjectType);
      cluster.AddMember("@type", Value(item["cluster"]["@type"], a), a);
      for (const char* field : {"transport_socket", "transport_socket_matches"})
        if (item["cluster"].HasMember(field))
          cluster.AddMember(rapidjson::StringRef(field), Value(item["cluster"][field], a), a);
      Value element(rapidjson::kObjectType);
      element.AddMember("@type",
                        "type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster", a);
      element.AddMember("cluster", cluster, a);
      elements.PushBack(element, a);
    }
  }
  Value out(rapidjson::kObjectType);
  out.AddMember("configs", elements, a);
  answers.tls_clusters = render(out);
  return answers;
}

// Answers each fetch with the next scripted result and counts the calls.
// Called from the fetcher's own threads too: no assertion in here, an unexpected call answers
// with an error the test then sees.
class ScriptedFetcher final : public meshca::DumpFetcher {
 public:
  explicit ScriptedFetcher(std::deque<meshca::Result<std::string>> answers, std::atomic<int>* calls)
      : answers_(std::move(answers)), calls_(calls) {}
  meshca::Result<std::string> fetch(const meshca::SidecarPod&) override {
    ++*calls_;
    const std::lock_guard lock(mutex_);
    if (answers_.empty())
      return meshca::Error{meshca::ExitStatus::cluster_error, "unexpected read"};
    auto next = std::move(answers_.front());
    answers_.pop_front();
    return next;
  }

 private:
  std::mutex mutex_;
  std::deque<meshca::Result<std::string>> answers_;
  std::atomic<int>* calls_;
};

struct Calls {
  std::atomic<int> secrets = 0, tls = 0, clusters = 0;
};

meshca::TrustDomainDumpFetcher fetcher(std::deque<meshca::Result<std::string>> secrets,
                                       std::deque<meshca::Result<std::string>> tls,
                                       std::deque<meshca::Result<std::string>> clusters,
                                       Calls& calls) {
  return meshca::TrustDomainDumpFetcher({
      std::make_unique<ScriptedFetcher>(std::move(secrets), &calls.secrets),
      std::make_unique<ScriptedFetcher>(std::move(tls), &calls.tls),
      std::make_unique<ScriptedFetcher>(std::move(clusters), &calls.clusters),
  });
}

const meshca::SidecarPod kPod{"bookinfo", "reviews-1", "", false, false, "", "", ""};

meshca::mesh::ProxyTlsState parsed(const std::string& text) {
  auto state = meshca::mesh::parse_config_dump(text, "pod \"bookinfo/reviews-1\"");
  REQUIRE_MESSAGE(state, state.error().message);
  return *state;
}

// What the live read saw before: the secrets and both cluster lists, in one mask.
meshca::mesh::ProxyTlsState whole_clusters_and_secrets(const Answers& answers) {
  return parsed("{\"configs\":[" + answers.secrets + "," + answers.clusters + "]}");
}

void check_same(const meshca::mesh::ProxyTlsState& split,
                const meshca::mesh::ProxyTlsState& whole) {
  CHECK(split.trust_domains == whole.trust_domains);
  CHECK(split.has_clusters_or_listeners == whole.has_clusters_or_listeners);
  CHECK(split.has_secrets == whole.has_secrets);
  REQUIRE(split.root_ca.has_value() == whole.root_ca.has_value());
  if (split.root_ca)
    CHECK(split.root_ca->pem == whole.root_ca->pem);
  REQUIRE(split.workload_chain.has_value() == whole.workload_chain.has_value());
  if (split.workload_chain)
    CHECK(split.workload_chain->pem == whole.workload_chain->pem);
}

} // namespace

TEST_CASE("trust-domain read: secrets and the clusters' TLS settings give what the whole dump "
          "gives, on every sample with clusters") {
  for (const std::string& path : {kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json",
                                  kDumps + "san_matchers_inline_string.json"}) {
    CAPTURE(path);
    const std::string whole = read_file(path);
    const Answers answers = answers_of(whole);
    Calls calls;
    auto read = fetcher({answers.secrets}, {answers.tls_clusters}, {}, calls);
    auto combined = read.fetch(kPod);
    REQUIRE(combined);
    const auto split = parsed(*combined);
    check_same(split, whole_clusters_and_secrets(answers));
    CHECK_FALSE(split.trust_domains.empty());
    CHECK(calls.clusters == 0);
  }
}

TEST_CASE("trust-domain read: a proxy that refuses resource= is read through the clusters dump, "
          "and not asked again") {
  const Answers answers =
      answers_of(read_file(kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json"));
  Calls calls;
  const meshca::Error refusal{meshca::ExitStatus::cluster_error,
                              "pod \"bookinfo/reviews-1\": Error: received unsuccessful status "
                              "code 400; command terminated with exit code 255"};
  auto read = fetcher({answers.secrets, answers.secrets}, {refusal},
                      {answers.clusters, answers.clusters}, calls);
  auto first = read.fetch(kPod);
  REQUIRE(first);
  check_same(parsed(*first), whole_clusters_and_secrets(answers));
  auto second = read.fetch(kPod);
  REQUIRE(second);
  CHECK(calls.tls == 1); // remembered: the other pods run the same Envoy
  CHECK(calls.clusters == 2);
}

TEST_CASE("trust-domain read: a text answer (HTTP 404, printed by pilot-agent with exit 0) is a "
          "refusal too") {
  const Answers answers =
      answers_of(read_file(kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json"));
  Calls calls;
  auto read = fetcher({answers.secrets},
                      {std::string("dynamic_active_clusters not found in "
                                   "config dump\n")},
                      {answers.clusters}, calls);
  auto combined = read.fetch(kPod);
  REQUIRE(combined);
  check_same(parsed(*combined), whole_clusters_and_secrets(answers));
}

TEST_CASE("trust-domain read: an old proxy that ignores mask= and resource= sends whole dumps, "
          "which read the same") {
  const std::string whole = read_file(kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json");
  Calls calls;
  auto read = fetcher({whole}, {whole}, {}, calls);
  auto combined = read.fetch(kPod);
  REQUIRE(combined);
  check_same(parsed(*combined), parsed(whole));
}

TEST_CASE("trust-domain read: a failed exec is the pod's error, with no fallback") {
  Calls calls;
  const meshca::Error broken{meshca::ExitStatus::cluster_error,
                             "pod \"bookinfo/reviews-1\": container not found (\"istio-proxy\")"};
  auto secrets_failed = fetcher({broken}, {std::string("{\"configs\":[]}")}, {}, calls);
  auto first = secrets_failed.fetch(kPod);
  REQUIRE_FALSE(first);
  CHECK(first.error().message.find("container not found") != std::string::npos);
  CHECK(calls.clusters == 0);

  Calls more;
  auto clusters_failed = fetcher({std::string("{\"configs\":[]}")}, {broken}, {}, more);
  auto second = clusters_failed.fetch(kPod);
  REQUIRE_FALSE(second);
  CHECK(more.clusters == 0);
}

TEST_CASE("trust-domain read: a dump inside a dump is read one level deep only") {
  const std::string clusters =
      R"({"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","dynamic_active_clusters":)"
      R"([{"cluster":{"transport_socket":{"typed_config":{"common_tls_context":{)"
      R"("combined_validation_context":{"default_validation_context":{"match_subject_alt_names":)"
      R"([{"exact":"spiffe://one.example/ns/a/sa/b"}]}}}}}}}]})";
  // One level: read (the shape TrustDomainDumpFetcher returns).
  auto one = meshca::mesh::parse_config_dump(R"({"configs":[{"configs":[)" + clusters + "]}]}",
                                             "file \"one.json\"");
  REQUIRE(one);
  CHECK(one->trust_domains == std::vector<std::string>{"one.example"});
  // Two levels: not read, and no recursion however deep the input nests.
  auto two = meshca::mesh::parse_config_dump(
      R"({"configs":[{"configs":[{"configs":[)" + clusters + "]}]}]}", "file \"two.json\"");
  REQUIRE(two);
  CHECK(two->trust_domains.empty());
  CHECK_FALSE(two->has_clusters_or_listeners);
}

namespace {

// Answers only once the other reader has started too, or fails after 10 s: proof that a pod's
// two reads are in flight together.
class RendezvousFetcher final : public meshca::DumpFetcher {
 public:
  struct Meeting {
    std::mutex mutex;
    std::condition_variable arrived;
    int count = 0;
  };
  RendezvousFetcher(Meeting& meeting, std::string answer)
      : meeting_(meeting), answer_(std::move(answer)) {}
  meshca::Result<std::string> fetch(const meshca::SidecarPod&) override {
    std::unique_lock lock(meeting_.mutex);
    ++meeting_.count;
    meeting_.arrived.notify_all();
    if (!meeting_.arrived.wait_for(lock, std::chrono::seconds(10),
                                   [&] { return meeting_.count >= 2; }))
      return meshca::Error{meshca::ExitStatus::cluster_error, "the other read never started"};
    return answer_;
  }

 private:
  Meeting& meeting_;
  std::string answer_;
};

} // namespace

TEST_CASE("trust-domain read: the secrets and the clusters are read at the same time, joined "
          "or streamed") {
  const Answers answers =
      answers_of(read_file(kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json"));
  for (const bool streamed : {false, true}) {
    CAPTURE(streamed);
    RendezvousFetcher::Meeting meeting;
    Calls calls;
    meshca::TrustDomainDumpFetcher read({
        std::make_unique<RendezvousFetcher>(meeting, answers.secrets),
        std::make_unique<RendezvousFetcher>(meeting, answers.tls_clusters),
        std::make_unique<ScriptedFetcher>(std::deque<meshca::Result<std::string>>{},
                                          &calls.clusters),
    });
    const auto state = [&]() -> meshca::Result<meshca::mesh::ProxyTlsState> {
      if (streamed)
        return read.read_tls_state(kPod);
      auto combined = read.fetch(kPod);
      if (!combined)
        return combined.error();
      return parsed(*combined);
    }();
    REQUIRE_MESSAGE(state, state.error().message);
    check_same(*state, whole_clusters_and_secrets(answers));
    CHECK(calls.clusters == 0);
  }
}

// read_tls_state: the same reads, with the clusters' answer parsed as it streams in.

TEST_CASE("trust-domain state: streamed, the secrets and the clusters' TLS settings give what "
          "the whole dump gives, on every sample with clusters") {
  for (const std::string& path : {kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json",
                                  kDumps + "san_matchers_inline_string.json"}) {
    CAPTURE(path);
    const Answers answers = answers_of(read_file(path));
    Calls calls;
    auto read = fetcher({answers.secrets}, {answers.tls_clusters}, {}, calls);
    auto state = read.read_tls_state(kPod);
    REQUIRE_MESSAGE(state, state.error().message);
    check_same(*state, whole_clusters_and_secrets(answers));
    CHECK_FALSE(state->trust_domains.empty());
    CHECK(calls.clusters == 0);
  }
}

TEST_CASE("trust-domain state: a refusal (400, or a text answer) falls back to the clusters dump "
          "once, and the proxy is not asked again") {
  const Answers answers =
      answers_of(read_file(kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json"));
  const meshca::Error refusal{meshca::ExitStatus::cluster_error,
                              "pod \"bookinfo/reviews-1\": Error: received unsuccessful status "
                              "code 400; command terminated with exit code 255"};
  for (const meshca::Result<std::string>& refused :
       {meshca::Result<std::string>(refusal),
        meshca::Result<std::string>(std::string("dynamic_active_clusters not found in config "
                                                "dump\n"))}) {
    Calls calls;
    auto read = fetcher({answers.secrets, answers.secrets}, {refused},
                        {answers.clusters, answers.clusters}, calls);
    auto first = read.read_tls_state(kPod);
    REQUIRE_MESSAGE(first, first.error().message);
    check_same(*first, whole_clusters_and_secrets(answers));
    auto second = read.read_tls_state(kPod);
    REQUIRE_MESSAGE(second, second.error().message);
    CHECK(calls.tls == 1);
    CHECK(calls.clusters == 2);
  }
}

TEST_CASE("trust-domain state: an old proxy's whole dumps read the same") {
  const std::string whole = read_file(kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json");
  Calls calls;
  auto read = fetcher({whole}, {whole}, {}, calls);
  auto state = read.read_tls_state(kPod);
  REQUIRE_MESSAGE(state, state.error().message);
  check_same(*state, parsed(whole));
}

TEST_CASE("trust-domain state: a failed exec is the pod's error, and a fallback that is no dump "
          "either is named") {
  const meshca::Error broken{meshca::ExitStatus::cluster_error,
                             "pod \"bookinfo/reviews-1\": container not found (\"istio-proxy\")"};
  Calls calls;
  auto clusters_failed = fetcher({std::string("{\"configs\":[]}")}, {broken}, {}, calls);
  auto failed = clusters_failed.read_tls_state(kPod);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message.find("container not found") != std::string::npos);
  CHECK(calls.clusters == 0);

  Calls more;
  auto nothing_works =
      fetcher({std::string("{\"configs\":[]}")}, {std::string("no such resource\n")},
              {std::string("404 page not found\n")}, more);
  auto named = nothing_works.read_tls_state(kPod);
  REQUIRE_FALSE(named);
  CHECK(named.error().message ==
        "pod \"bookinfo/reviews-1\": reading the proxy's clusters: the admin API answered "
        "\"404 page not found\" where a config dump was expected");

  Calls broken_json;
  auto cut =
      fetcher({std::string("{\"configs\":[]}")}, {std::string("{\"configs\":[{")}, {}, broken_json);
  auto invalid = cut.read_tls_state(kPod);
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().status == meshca::ExitStatus::bad_input);
  CHECK(invalid.error().message.starts_with(
      "config dump of pod \"bookinfo/reviews-1\": invalid JSON at offset"));
}
