// The clusters' trust domains read as the answer streams in (mesh/config_dump_clusters.h): the
// same trust domains as the whole-dump reader (mesh/config_dump.h) on every sample and on each
// SAN matcher form, however the answer is cut into pieces; refusals, errors and the size limit.

#include "meshca/mesh/config_dump.h"
#include "meshca/mesh/config_dump_clusters.h"
#include "test_files.h"
#include "text_pieces.h"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace meshca;
using meshca::testing::read_file;
using Pieces = meshca::testing::TextPieces;

namespace {

Result<mesh::ClusterTrustDomains> streamed(const std::string& text, std::size_t piece = 4096,
                                           std::size_t max_bytes = mesh::kMaxConfigDumpBytes) {
  Pieces pieces(text, piece);
  return mesh::read_cluster_trust_domains(pieces, "pod \"ns/p\"", max_bytes);
}

// The streamed read agrees with the whole-dump reader, for pieces of every size.
void check_same_as_whole(const std::string& text) {
  const auto whole = mesh::parse_config_dump(text, "pod \"ns/p\"");
  REQUIRE_MESSAGE(whole, whole.error().message);
  for (std::size_t size :
       {std::size_t{1}, std::size_t{13}, std::size_t{4096}, std::size_t{32768}, text.size() + 1}) {
    CAPTURE(size);
    const auto read = streamed(text, size);
    REQUIRE_MESSAGE(read, read.error().message);
    CHECK_FALSE(read->refusal);
    CHECK(read->trust_domains == whole->trust_domains);
    CHECK(read->has_clusters_or_listeners == whole->has_clusters_or_listeners);
  }
}

std::string cluster_dump(const std::string& validation_context) {
  return R"({"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump",)"
         R"("dynamic_active_clusters":[{"cluster":{"transport_socket":{"typed_config":{)"
         R"("common_tls_context":{"combined_validation_context":{"default_validation_context":)" +
         validation_context + "}}}}}}]}]}";
}

} // namespace

TEST_CASE("streamed clusters: the same trust domains as the whole dump, on every sample") {
  const std::string samples = MESHCA_SAMPLES_DIR;
  const std::string dumps = std::string(MESHCA_TESTDATA_DIR) + "/config_dumps/";
  for (const std::string& path :
       {samples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json",
        samples + "/istio-testdata_secret_istio_config_dump.json",
        dumps + "san_matchers_inline_string.json", dumps + "legacy_v2alpha_mixed_case.json"}) {
    CAPTURE(path);
    check_same_as_whole(read_file(path));
  }
  const auto ossm =
      streamed(read_file(samples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json"));
  REQUIRE(ossm);
  CHECK_FALSE(ossm->trust_domains.empty()); // the agreement above is not about empty sets
}

TEST_CASE("streamed clusters: every SAN matcher form, in both key spellings") {
  for (const char* context : {
           R"({"match_subject_alt_names":[{"exact":"spiffe://a.example/ns/x/sa/y"},)"
           R"({"prefix":"spiffe://b.example/"},{"contains":"spiffe://c.example/ns"},)"
           R"({"safe_regex":{"regex":"^spiffe://d\\.example/ns/.*"}},{"suffix":"/sa/y"}]})",
           R"({"matchSubjectAltNames":[{"exact":"spiffe://a.example/x"},)"
           R"({"safeRegex":{"regex":"spiffe://e-f\\.example/.*"}}]})",
           R"({"match_typed_subject_alt_names":[{"san_type":"URI","matcher":)"
           R"({"exact":"spiffe://g.example/ns/a"}},{"matcher":{"prefix":"spiffe://h.example/"},)"
           R"("san_type":"DNS"},{"matcher":{"safe_regex":{"regex":"^spiffe://i\\.example/.*"}},)"
           R"("san_type":"URI"}]})",
           R"({"matchTypedSubjectAltNames":[{"matcher":{"exact":"spiffe://j.example/a"},)"
           R"("sanType":3},{"sanType":2,"matcher":{"exact":"spiffe://k.example/a"}}]})",
           R"({"verify_subject_alt_name":["spiffe://l.example/ns/a","dns.example",7]})",
           R"({"match_subject_alt_names":[{"exact":"https://not.spiffe/"},)"
           R"({"safe_regex":{"regex":"^spiffe://[a-z]+\\.example/.*"}},"spiffe://m.example/"]})",
           R"({"match_subject_alt_names":{"exact":"spiffe://n.example/"}})",
       }) {
    CAPTURE(context);
    check_same_as_whole(cluster_dump(context));
  }
  const auto typed = streamed(cluster_dump(
      R"({"match_typed_subject_alt_names":[{"matcher":{"exact":"spiffe://late.example/a"},)"
      R"("san_type":"URI"}]})"));
  REQUIRE(typed);
  CHECK(typed->trust_domains == std::vector<std::string>{"late.example"});
}

TEST_CASE("streamed clusters: the masked answer's elements, listeners, and what is skipped") {
  // resource=dynamic_active_clusters: one DynamicCluster per element.
  check_same_as_whole(
      R"({"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster",)"
      R"("cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster",)"
      R"("transport_socket_matches":[{"transport_socket":{"typed_config":{"common_tls_context":)"
      R"({"validation_context":{"match_subject_alt_names":[{"exact":"spiffe://one.example/x"}]}}}}}]}},)"
      R"({"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump.DynamicCluster",)"
      R"("cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster"}}]})");
  // Listeners count; a bootstrap's and a secrets dump's matchers do not; nor a dump in a dump's
  // field, nor an untyped element that is a secret.
  const std::string matcher = R"({"match_subject_alt_names":[{"exact":"spiffe://)";
  check_same_as_whole(
      R"({"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump","bootstrap":)" +
      matcher + R"(boot.example/"}]}},)" +
      R"({"@type":"type.googleapis.com/envoy.admin.v3.ListenersConfigDump","dynamic_listeners":[)" +
      matcher + R"(listener.example/"}]}]},)" +
      R"({"@type":"type.googleapis.com/envoy.admin.v3.SecretsConfigDump","x":)" + matcher +
      R"(secret.example/"}]}},)" + R"({"secret":{},"static_clusters":[)" + matcher +
      R"(untyped-secret.example/"}]}]},)" + R"({"static_clusters":[)" + matcher +
      R"(untyped.example/"}]}]}]})");
  // Very old Envoy: configs as a map of name to dump.
  check_same_as_whole(R"({"configs":{"clusters":{"static_clusters":[)" + matcher +
                      R"(map.example/"}]}]}}})");
  // An answer that holds no cluster at all says so.
  const auto empty = streamed(R"({"configs":[]})");
  REQUIRE(empty);
  CHECK_FALSE(empty->has_clusters_or_listeners);
  CHECK(empty->trust_domains.empty());
}

TEST_CASE("streamed clusters: matchers nested deeper than any real config are not looked for") {
  std::string deep = R"({"match_subject_alt_names":[{"exact":"spiffe://deep.example/"}]})";
  for (int i = 0; i < 120; ++i)
    deep = R"({"x":)" + deep + "}";
  check_same_as_whole(cluster_dump(deep));
  const auto read = streamed(cluster_dump(deep));
  REQUIRE(read);
  CHECK(read->trust_domains.empty());
}

TEST_CASE("streamed clusters: a text answer or nothing is a refusal, kept for the message") {
  const auto text = streamed("  dynamic_active_clusters not found in config dump\n");
  REQUIRE(text);
  REQUIRE(text->refusal);
  CHECK(*text->refusal == "dynamic_active_clusters not found in config dump");
  const auto nothing = streamed("");
  REQUIRE(nothing);
  CHECK(nothing->refusal);
  const auto array = streamed("[]");
  REQUIRE(array);
  CHECK(array->refusal);
}

TEST_CASE(
    "streamed clusters: invalid JSON and an answer over the limit are errors naming the pod") {
  const auto cut = streamed("{\"configs\":[{\"@type\":\"x\"", 5);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().status == ExitStatus::bad_input);
  CHECK(cut.error().message.starts_with("config dump of pod \"ns/p\": invalid JSON at offset 24"));

  using namespace std::string_literals;
  const auto nul = streamed("{\"configs\":[]}\n\0{\"more\":1}\n"s, 3);
  REQUIRE_FALSE(nul);
  CHECK(nul.error().message ==
        "config dump of pod \"ns/p\": invalid JSON at offset 15: a NUL byte");

  const std::string big = cluster_dump(R"({"match_subject_alt_names":[]})");
  const auto over = streamed(big, 10, big.size() - 1);
  REQUIRE_FALSE(over);
  CHECK(over.error().message.find("more than the limit") != std::string::npos);
  CHECK(streamed(big, 10, big.size()));
}
