#include "meshca/mesh/config_dump.h"
#include "meshca/util/base64.h"
#include "meshca/util/json.h"
#include "meshca/util/x509.h"
#include "test_files.h"

#include <chrono>
#include <doctest/doctest.h>
#include <functional>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <string>

using namespace meshca;
using meshca::testing::read_file;
using rapidjson::Document;
using rapidjson::Value;

namespace {

const std::string kSamples = MESHCA_SAMPLES_DIR;
const std::string kDumps = std::string(MESHCA_TESTDATA_DIR) + "/config_dumps/";
const std::string kOssm = kSamples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json";
const std::string kIstioSecrets = kSamples + "/istio-testdata_secret_istio_config_dump.json";
const std::string kSpireSecrets = kSamples + "/istio-testdata_secret_spire_config_dump.json";
constexpr const char* kDynamicSecretType =
    "type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret";

mesh::ProxyTlsState parse_ok(const std::string& json, std::string_view what = "pod \"ns/x\"") {
  auto state = mesh::parse_config_dump(json, what);
  REQUIRE_MESSAGE(state.ok(), (state.ok() ? "" : state.error().message));
  return std::move(state).value();
}

std::vector<x509::Certificate> certs(const std::string& pem) {
  auto result = x509::read_pem_bundle(pem, "test PEM");
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  return std::move(result).value();
}

std::string write(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// Rewrites every key to its lowerCamelCase json_name, as istioctl's jsonpb output has them.
void camelize(Value& value, Document::AllocatorType& allocator) {
  if (value.IsArray()) {
    for (auto& item : value.GetArray())
      camelize(item, allocator);
  } else if (value.IsObject()) {
    for (auto& member : value.GetObject()) {
      const std::string camel = json::camel_case(member.name.GetString());
      member.name.SetString(camel.c_str(), static_cast<rapidjson::SizeType>(camel.size()),
                            allocator);
      camelize(member.value, allocator);
    }
  }
}

// Parses `json`, lets `edit` build a new document from it, and returns its text.
std::string reshape(const std::string& json,
                    const std::function<void(Document&, Document&)>& edit) {
  Document in;
  in.Parse(json.c_str(), json.size());
  REQUIRE_FALSE(in.HasParseError());
  Document out;
  edit(in, out);
  return write(out);
}

Value& config_of_type(Document& dump, std::string_view suffix) {
  for (auto& config : dump["configs"].GetArray()) {
    if (std::string_view(config["@type"].GetString()).ends_with(suffix))
      return config;
  }
  FAIL("no config of type " << suffix);
  throw std::logic_error("unreachable");
}

// Shape B: ?resource=dynamic_active_secrets, built from a full dump's SecretsConfigDump.
std::string to_resource_shape(const std::string& json, bool reverse = false) {
  return reshape(json, [&](Document& in, Document& out) {
    auto& secrets = config_of_type(in, "SecretsConfigDump")["dynamic_active_secrets"];
    out.SetObject();
    Value configs(rapidjson::kArrayType);
    for (auto& entry : secrets.GetArray()) {
      Value copy(entry, out.GetAllocator());
      copy.AddMember("@type", rapidjson::StringRef(kDynamicSecretType), out.GetAllocator());
      configs.PushBack(copy, out.GetAllocator());
    }
    if (reverse)
      std::reverse(configs.Begin(), configs.End());
    out.AddMember("configs", configs, out.GetAllocator());
  });
}

// Shape C: istioctl proxy-config secret -o json (a bare SecretsConfigDump, camelCase).
std::string to_istioctl_secret_shape(const std::string& json) {
  return reshape(json, [&](Document& in, Document& out) {
    out.CopyFrom(config_of_type(in, "SecretsConfigDump"), out.GetAllocator());
    out.RemoveMember("@type");
    camelize(out, out.GetAllocator());
  });
}

// Shape D: istioctl proxy-config cluster -o json (an array of untyped clusters, camelCase).
std::string to_istioctl_cluster_shape(const std::string& json) {
  return reshape(json, [&](Document& in, Document& out) {
    auto& dump = config_of_type(in, "ClustersConfigDump");
    out.SetArray();
    for (const char* list : {"static_clusters", "dynamic_active_clusters"}) {
      for (auto& entry : dump[list].GetArray()) {
        Value cluster(entry["cluster"], out.GetAllocator());
        cluster.RemoveMember("@type");
        out.PushBack(cluster, out.GetAllocator());
      }
    }
    camelize(out, out.GetAllocator());
  });
}

// istioctl proxy-config all -o json: shape A, camelCase.
std::string to_camel_case(const std::string& json) {
  return reshape(json, [&](Document& in, Document& out) {
    out.CopyFrom(in, out.GetAllocator());
    camelize(out, out.GetAllocator());
  });
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

} // namespace

TEST_CASE("config dump: OSSM 2.6 / Istio 1.20 sidecar full dump (shape A)") {
  const auto state = parse_ok(read_file(kOssm));
  CHECK(state.has_secrets);
  CHECK(state.has_clusters_or_listeners);
  CHECK(state.warnings.empty());
  CHECK(state.trust_domains == std::vector<std::string>{"cluster.local"});
  REQUIRE(state.root_ca.has_value());
  CHECK_FALSE(state.root_ca->warming);
  const auto roots = certs(state.root_ca->pem);
  REQUIRE(roots.size() == 1);
  CHECK(roots[0].subject() == "O=cluster.local");
  REQUIRE(state.workload_chain.has_value());
  const auto chain = certs(state.workload_chain->pem);
  REQUIRE_FALSE(chain.empty());
  CHECK(chain[0].spiffe_id().value_or("").starts_with("spiffe://cluster.local/"));
  const auto anchor =
      x509::verify_chain(chain, roots, chain[0].not_before() + std::chrono::hours{1});
  CHECK_MESSAGE(anchor.ok(), (anchor.ok() ? "" : anchor.error().message));
  CHECK(state.spiffe_bundles.empty());
}

TEST_CASE("config dump: istioctl proxy-config all -o json (shape A, camelCase) gives the same") {
  const auto raw = parse_ok(read_file(kOssm));
  const auto camel = parse_ok(to_camel_case(read_file(kOssm)));
  CHECK(camel.trust_domains == raw.trust_domains);
  REQUIRE(camel.root_ca.has_value());
  CHECK(camel.root_ca->pem == raw.root_ca->pem);
  REQUIRE(camel.workload_chain.has_value());
  CHECK(camel.workload_chain->pem == raw.workload_chain->pem);
  CHECK(camel.warnings.empty());
}

TEST_CASE("config dump: Istio secret testdata, warming entry without payload is ignored") {
  const auto state = parse_ok(read_file(kIstioSecrets));
  CHECK(state.has_secrets);
  CHECK_FALSE(state.has_clusters_or_listeners);
  CHECK(state.trust_domains.empty());
  CHECK(state.warnings.empty());
  REQUIRE(state.root_ca.has_value());
  REQUIRE(state.workload_chain.has_value());
  CHECK_FALSE(state.workload_chain->warming);
  const auto roots = certs(state.root_ca->pem);
  const auto chain = certs(state.workload_chain->pem);
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].spiffe_id() == "spiffe://cluster.local/ns/ambient/sa/namespace-istio-waypoint");
  CHECK(x509::fingerprints({chain[1]}) == x509::fingerprints(roots));
  CHECK(x509::verify_chain(chain, roots, chain[0].not_before() + std::chrono::hours{1}).ok());
}

TEST_CASE("config dump: SPIRE secrets use the SPIFFE validator's trust bundles") {
  const auto state = parse_ok(read_file(kSpireSecrets));
  CHECK(state.trust_domains == std::vector<std::string>{"east.local", "west.local"});
  REQUIRE(state.spiffe_bundles.size() == 2);
  CHECK(state.spiffe_bundles[0].trust_domain == "east.local");
  CHECK(state.spiffe_bundles[1].trust_domain == "west.local");
  CHECK(certs(state.spiffe_bundles[0].pem)[0].subject_cn() == "East Root CA");
  CHECK(certs(state.spiffe_bundles[1].pem)[0].subject_cn() == "West Root CA");
  REQUIRE(state.root_ca.has_value());
  const auto roots = certs(state.root_ca->pem);
  REQUIRE(roots.size() == 2);
  REQUIRE(state.workload_chain.has_value());
  const auto chain = certs(state.workload_chain->pem);
  REQUIRE(chain.size() == 2); // leaf + intermediate, no root
  CHECK(chain[0].spiffe_id().value_or("").starts_with("spiffe://east.local/"));
  const auto anchor =
      x509::verify_chain(chain, roots, chain[0].not_before() + std::chrono::minutes{5});
  REQUIRE_MESSAGE(anchor.ok(), (anchor.ok() ? "" : anchor.error().message));
  CHECK(*anchor == 0);
  CHECK(state.warnings.empty());
}

TEST_CASE("config dump: ?resource=dynamic_active_secrets (shape B), in either order") {
  for (const bool reverse : {false, true}) {
    for (const auto& sample : {kIstioSecrets, kSpireSecrets, kOssm}) {
      CAPTURE(sample);
      CAPTURE(reverse);
      const auto full = parse_ok(read_file(sample));
      const auto state = parse_ok(to_resource_shape(read_file(sample), reverse));
      CHECK(state.has_secrets);
      CHECK_FALSE(state.has_clusters_or_listeners);
      REQUIRE(state.root_ca.has_value());
      CHECK(state.root_ca->pem == full.root_ca->pem);
      REQUIRE(state.workload_chain.has_value());
      CHECK(state.workload_chain->pem == full.workload_chain->pem);
    }
  }
}

TEST_CASE("config dump: istioctl proxy-config secret -o json (shape C, camelCase)") {
  for (const auto& sample : {kIstioSecrets, kSpireSecrets, kOssm}) {
    CAPTURE(sample);
    const std::string json = to_istioctl_secret_shape(read_file(sample));
    CHECK(json.find("dynamicActiveSecrets") != std::string::npos);
    CHECK(json.find("dynamic_active_secrets") == std::string::npos);
    const auto full = parse_ok(read_file(sample));
    const auto state = parse_ok(json);
    REQUIRE(state.root_ca.has_value());
    CHECK(state.root_ca->pem == full.root_ca->pem);
    REQUIRE(state.workload_chain.has_value());
    CHECK(state.workload_chain->pem == full.workload_chain->pem);
    CHECK(state.spiffe_bundles.size() == full.spiffe_bundles.size());
  }
  // A proxy without secrets prints {}.
  const auto empty = parse_ok("{}");
  CHECK(empty.has_secrets);
  CHECK_FALSE(empty.root_ca.has_value());
  CHECK(empty.warnings.size() == 2);
}

TEST_CASE("config dump: istioctl proxy-config cluster -o json (shape D)") {
  const std::string json = to_istioctl_cluster_shape(read_file(kOssm));
  CHECK(json.starts_with("["));
  CHECK(json.find("transportSocketMatches") != std::string::npos);
  const auto state = parse_ok(json);
  CHECK(state.trust_domains == std::vector<std::string>{"cluster.local"});
  CHECK(state.has_clusters_or_listeners);
  CHECK_FALSE(state.has_secrets);
  CHECK_FALSE(state.root_ca.has_value());
  REQUIRE(state.warnings.size() == 1);
  CHECK(state.warnings[0] == "config dump of pod \"ns/x\": the dump has no secrets, so the "
                             "proxy's trusted roots and certificate are unknown");
}

TEST_CASE("config dump: every SAN matcher form in clusters and listeners") {
  const auto state = parse_ok(read_file(kDumps + "san_matchers_inline_string.json"));
  CHECK(state.trust_domains == std::vector<std::string>{"alpha.example", "cluster.local",
                                                        "inbound-alias.example", "proj.svc.id.goog",
                                                        "regex.example", "typed.example",
                                                        "wrapped.example"});
  // inline_string data sources.
  REQUIRE(state.root_ca.has_value());
  CHECK(certs(state.root_ca->pem).size() == 2);
  REQUIRE(state.workload_chain.has_value());
  CHECK(certs(state.workload_chain->pem).size() == 2);
  CHECK(state.warnings.empty());
  // The same in camelCase, with enums as numbers as istioctl prints them (URI = 3, DNS = 2).
  std::string camel = to_camel_case(read_file(kDumps + "san_matchers_inline_string.json"));
  camel = replace_all(camel, "\"sanType\":\"URI\"", "\"sanType\":3");
  camel = replace_all(camel, "\"sanType\":\"DNS\"", "\"sanType\":2");
  CHECK(camel.find("\"sanType\":3") != std::string::npos);
  CHECK(parse_ok(camel).trust_domains == state.trust_domains);
}

TEST_CASE("config dump: legacy v2alpha dump with mixed key case and repeated secret names") {
  const auto state = parse_ok(read_file(kDumps + "legacy_v2alpha_mixed_case.json"));
  CHECK(state.trust_domains == std::vector<std::string>{"cluster.local"}); // verifySubjectAltName
  REQUIRE(state.root_ca.has_value());
  CHECK(certs(state.root_ca->pem)[0].subject() == "O=cluster.local");
  REQUIRE(state.workload_chain.has_value());
  CHECK(state.warnings.empty()); // the repeats are identical
}

TEST_CASE("config dump: trusted CA in a file inside the proxy is reported, not read") {
  const auto state =
      parse_ok(read_file(kDumps + "istioctl_secret_file_based.json"), "file \"d.json\"");
  CHECK_FALSE(state.root_ca.has_value());
  CHECK_FALSE(state.workload_chain.has_value());
  REQUIRE(state.warnings.size() == 4);
  CHECK(state.warnings[0] ==
        "config dump of file \"d.json\": ROOTCA trusted_ca is not inline but read from filename "
        "\"/etc/certs/root-cert.pem\" inside the proxy, so the dump does not show it");
  CHECK(state.warnings[1].find("environment_variable \"CERT_CHAIN\"") != std::string::npos);
  CHECK(state.warnings[2].find("no ROOTCA secret") != std::string::npos);
  CHECK(state.warnings[3].find("no default secret") != std::string::npos);
}

namespace {

std::string root_entry(const std::string& pem, const char* extra = "") {
  return R"({"name":"ROOTCA",)" + std::string(extra) +
         R"("secret":{"name":"ROOTCA","validation_context":{"trusted_ca":{"inline_bytes":")" +
         base64::encode(pem) + R"("}}}})";
}

std::string chain_entry(const std::string& pem) {
  return R"({"name":"default","secret":{"name":"default","tls_certificate":{"certificate_chain":)"
         R"({"inline_bytes":")" +
         base64::encode(pem) + R"("}}}})";
}

std::string secrets_dump(const std::string& active, const std::string& warming) {
  // Warming listed first on purpose: position must not matter.
  return R"({"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.SecretsConfigDump",)"
         R"("dynamic_warming_secrets":[)" +
         warming + R"(],"dynamic_active_secrets":[)" + active + "]}]}";
}

const std::string kCitadelRoot =
    read_file(kSamples + "/istio-selfsigned-root_O-cluster.local_root-cert.pem");
const std::string kMeshCaRoot =
    read_file(kSamples + "/meshca_root_istio_v1_cloud_workload_root-signer-0-2018-04-25.pem");
const std::string kWorkloadChain =
    read_file(kSamples + "/istio-selfsigned-workload_cert-chain.pem");

} // namespace

TEST_CASE("config dump: active secrets win over warming ones, warming ones fill gaps") {
  SUBCASE("active wins") {
    const auto state = parse_ok(secrets_dump(root_entry(kCitadelRoot), root_entry(kMeshCaRoot)));
    REQUIRE(state.root_ca.has_value());
    CHECK(state.root_ca->pem == kCitadelRoot);
    CHECK_FALSE(state.root_ca->warming);
  }
  SUBCASE("warming only") {
    const auto state = parse_ok(secrets_dump(chain_entry(kWorkloadChain), root_entry(kMeshCaRoot)));
    REQUIRE(state.root_ca.has_value());
    CHECK(state.root_ca->pem == kMeshCaRoot);
    CHECK(state.root_ca->warming);
    REQUIRE(state.workload_chain.has_value());
    CHECK_FALSE(state.workload_chain->warming);
  }
  SUBCASE("an uninitialized active entry without payload does not hide a warming one") {
    const std::string uninitialized =
        R"({"name":"ROOTCA","version_info":"uninitialized","secret":{"name":"ROOTCA"}})";
    const auto state = parse_ok(secrets_dump(uninitialized, root_entry(kMeshCaRoot)));
    REQUIRE(state.root_ca.has_value());
    CHECK(state.root_ca->warming);
  }
  SUBCASE("repeated active names with different contents: first wins, with a warning") {
    const auto state =
        parse_ok(secrets_dump(root_entry(kCitadelRoot) + "," + root_entry(kMeshCaRoot), ""));
    REQUIRE(state.root_ca.has_value());
    CHECK(state.root_ca->pem == kCitadelRoot);
    REQUIRE(state.warnings.size() == 2);
    CHECK(state.warnings[0].find("ROOTCA secret appears more than once") != std::string::npos);
  }
  SUBCASE("other secret names are not mistaken for the mesh ones") {
    const std::string other = replace_all(root_entry(kMeshCaRoot), "ROOTCA", "file-root:system");
    const auto state = parse_ok(secrets_dump(other, ""));
    CHECK_FALSE(state.root_ca.has_value());
  }
}

TEST_CASE("config dump: a full dump without secrets still gives trust domains") {
  const std::string json = reshape(read_file(kOssm), [](Document& in, Document& out) {
    out.SetObject();
    Value configs(rapidjson::kArrayType);
    for (auto& config : in["configs"].GetArray()) {
      if (!std::string_view(config["@type"].GetString()).ends_with("SecretsConfigDump"))
        configs.PushBack(Value(config, out.GetAllocator()), out.GetAllocator());
    }
    out.AddMember("configs", configs, out.GetAllocator());
  });
  const auto state = parse_ok(json);
  CHECK_FALSE(state.has_secrets);
  CHECK_FALSE(state.root_ca.has_value());
  CHECK_FALSE(state.workload_chain.has_value());
  CHECK(state.trust_domains == std::vector<std::string>{"cluster.local"});
  REQUIRE(state.warnings.size() == 1);
  CHECK(state.warnings[0].find("the dump has no secrets") != std::string::npos);
}

TEST_CASE("config dump: configs as a map (very old Envoy)") {
  const std::string json =
      R"({"configs":{"secrets":{"@type":"type.googleapis.com/envoy.admin.v2alpha.SecretsConfigDump",)"
      R"("dynamic_active_secrets":[)" +
      root_entry(kCitadelRoot) + "]}}}";
  const auto state = parse_ok(json);
  REQUIRE(state.root_ca.has_value());
}

TEST_CASE("config dump: errors") {
  SUBCASE("truncated JSON names the pod and the offset") {
    const std::string dump = read_file(kOssm);
    const auto state = mesh::parse_config_dump(dump.substr(0, dump.size() / 2), "pod \"ns/x\"");
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().status == ExitStatus::bad_input);
    CHECK(
        state.error().message.starts_with("config dump of pod \"ns/x\": invalid JSON at offset "));
  }
  SUBCASE("invalid base64 in ROOTCA") {
    const std::string json =
        replace_all(secrets_dump(root_entry(kCitadelRoot), ""), "LS0t", "L$0t");
    const auto state = mesh::parse_config_dump(json, "pod \"ns/x\"");
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().message ==
          "config dump of pod \"ns/x\": ROOTCA trusted_ca inline_bytes: invalid base64: "
          "unexpected character '$' at offset 1");
  }
  SUBCASE("invalid base64 in a SPIFFE trust bundle") {
    std::string json = read_file(kSpireSecrets);
    const auto at = json.find("\"trust_bundle\"");
    REQUIRE(at != std::string::npos);
    json.replace(json.find("LS0t", at), 4, "%S0t");
    const auto state = mesh::parse_config_dump(json, "pod \"ns/x\"");
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().message.find("SPIFFE trust_bundle of \"east.local\" inline_bytes") !=
          std::string::npos);
  }
  SUBCASE("not a config dump") {
    for (const char* json : {R"({"kind":"Pod"})", R"("text")", "42", R"({"configs":"x"})"}) {
      CAPTURE(json);
      const auto state = mesh::parse_config_dump(json, "pod \"ns/x\"");
      REQUIRE_FALSE(state.ok());
      CHECK(state.error().message.starts_with(
          "config dump of pod \"ns/x\": not an Envoy config dump"));
    }
  }
  SUBCASE("empty output") {
    const auto state = mesh::parse_config_dump("\n", "pod \"ns/x\"");
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().message ==
          "config dump of pod \"ns/x\": empty input where JSON was expected");
  }
  SUBCASE("over the size limit") {
    const auto state = mesh::parse_config_dump(read_file(kIstioSecrets), "pod \"ns/x\"", 1000);
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().message.find("more than the limit of 1000 bytes") != std::string::npos);
  }
  SUBCASE("PEM that is not a certificate is left to the X.509 reader") {
    const auto state = parse_ok(secrets_dump(root_entry("not a certificate"), ""));
    REQUIRE(state.root_ca.has_value());
    CHECK_FALSE(x509::read_pem_bundle(state.root_ca->pem, "ROOTCA").ok());
  }
}

TEST_CASE("config dump: a large dump with thousands of clusters parses quickly") {
  // The OSSM dump's clusters repeated until the dump is several megabytes.
  const std::string json = reshape(read_file(kOssm), [](Document& in, Document& out) {
    out.CopyFrom(in, out.GetAllocator());
    auto& clusters = config_of_type(out, "ClustersConfigDump")["dynamic_active_clusters"];
    const Value original(clusters, out.GetAllocator());
    for (int copy = 0; copy < 150; ++copy) {
      for (const auto& cluster : original.GetArray())
        clusters.PushBack(Value(cluster, out.GetAllocator()), out.GetAllocator());
    }
    CHECK(clusters.Size() > 3000);
  });
  CHECK(json.size() > 4'000'000);
  const auto start = std::chrono::steady_clock::now();
  const auto state = parse_ok(json);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(state.trust_domains == std::vector<std::string>{"cluster.local"});
  CHECK(state.root_ca.has_value());
  MESSAGE("parsed " << json.size() / 1024 << " KiB in "
                    << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()
                    << " us");
  // Generous bound (sanitizer builds are slow); a regression to quadratic scanning breaks it.
  CHECK(elapsed < std::chrono::seconds{2});
}

TEST_CASE("config dump: damaged input never crashes the parser") {
  // Truncations and single-byte corruptions of a real dump give a value or an error, nothing else.
  const std::string dump = read_file(kSpireSecrets);
  int errors = 0;
  for (std::size_t cut = 0; cut < dump.size(); cut += 97) {
    errors += mesh::parse_config_dump(dump.substr(0, cut), "cut").ok() ? 0 : 1;
    std::string corrupt = dump;
    corrupt[cut] = "{}[]\",:\\x"[cut % 9];
    (void)mesh::parse_config_dump(corrupt, "corrupt");
  }
  CHECK(errors == static_cast<int>((dump.size() + 96) / 97));
}

TEST_CASE("config dump: an answer parsed in place reads the same as a copied one") {
  const std::string dump = read_file(kOssm);
  const auto copied = mesh::parse_config_dump(dump, "pod \"ns/x\"");
  const auto owned = mesh::parse_config_dump_owned(std::string(dump), "pod \"ns/x\"");
  REQUIRE(copied.ok());
  REQUIRE(owned.ok());
  REQUIRE(owned->root_ca.has_value());
  CHECK(owned->root_ca->pem == copied->root_ca->pem);
  REQUIRE(owned->workload_chain.has_value());
  CHECK(owned->workload_chain->pem == copied->workload_chain->pem);
  CHECK(owned->trust_domains == copied->trust_domains);
  CHECK(owned->warnings == copied->warnings);

  const auto cut = mesh::parse_config_dump_owned(dump.substr(0, dump.size() / 2), "pod \"ns/x\"");
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().status == ExitStatus::bad_input);
  CHECK(cut.error().message.starts_with("config dump of pod \"ns/x\": invalid JSON at offset "));
  const auto huge = mesh::parse_config_dump_owned(std::string(dump), "pod \"ns/x\"", 1000);
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().message.find("more than the limit") != std::string::npos);
}
