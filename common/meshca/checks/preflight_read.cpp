#include "meshca/checks/preflight_read.h"

#include "meshca/kube/kubectl_calls.h"
#include "meshca/util/base64.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <set>

namespace meshca {
namespace {

using rapidjson::Value;

Result<rapidjson::Document> list_root_cert_maps(KubectlRunner& kubectl) {
  return get_json(kubectl,
                  {"get", "configmaps", "--all-namespaces", "--field-selector",
                   "metadata.name=istio-ca-root-cert", "-o", "json"},
                  "listing the istio-ca-root-cert ConfigMaps");
}

// The root certificate of each CA secret present, in one call (kube/kubectl_calls.h).
Result<std::map<std::string, std::string>> read_secret_roots(KubectlRunner& kubectl) {
  MESHCA_TRY_ASSIGN(auto output,
                    run_checked(kubectl, ca_secret_roots_args(),
                                "reading the root certificates of the CA secrets in istio-system"));
  std::map<std::string, std::string> roots;
  std::string_view rest = output.out;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::size_t first = line.find(' ');
    if (first == std::string_view::npos)
      continue;
    const std::string name(line.substr(0, first));
    line.remove_prefix(first + 1);
    const std::size_t second = line.find(' ');
    const std::string_view field = name == "cacerts"                  ? line.substr(0, second)
                                   : second == std::string_view::npos ? std::string_view()
                                                                      : line.substr(second + 1);
    MESHCA_TRY_ASSIGN(auto pem, base64::decode(field, "secret " + name + " root certificate"));
    roots[name] = std::move(pem);
  }
  return roots;
}

Result<rapidjson::Document> list_services(KubectlRunner& kubectl,
                                          const std::vector<std::string>& namespaces) {
  rapidjson::Document merged(rapidjson::kObjectType);
  Value items(rapidjson::kArrayType);
  for (const std::string& ns : namespaces) {
    MESHCA_TRY_ASSIGN(auto list, get_json(kubectl, {"get", "services", "-n", ns, "-o", "json"},
                                          "listing Services in " + ns));
    if (const Value* found = json::array_member(list, "items"))
      for (const auto& item : found->GetArray())
        items.PushBack(Value(item, merged.GetAllocator()), merged.GetAllocator());
  }
  merged.AddMember("items", items, merged.GetAllocator());
  return merged;
}

} // namespace

std::vector<std::string> webhook_service_namespaces(const Value& webhooks) {
  std::set<std::string> namespaces = {"istio-system"};
  if (const Value* items = json::array_member(webhooks, "items"))
    for (const auto& configuration : items->GetArray())
      if (const Value* hooks = json::array_member(configuration, "webhooks"))
        for (const auto& hook : hooks->GetArray())
          if (const Value* client = json::object_member(hook, "clientConfig"))
            if (const Value* service = json::object_member(*client, "service"))
              if (auto ns = json::string_member(*service, "namespace"); ns && !ns->empty())
                namespaces.emplace(*ns);
  return {namespaces.begin(), namespaces.end()};
}

std::map<std::string, std::string> root_certs_by_namespace(const Value& list) {
  std::map<std::string, std::string> certs;
  if (const Value* items = json::array_member(list, "items"))
    for (const auto& item : items->GetArray()) {
      const Value* metadata = json::object_member(item, "metadata");
      const Value* data = json::object_member(item, "data");
      if (metadata == nullptr)
        continue;
      const std::string ns(json::string_member(*metadata, "namespace").value_or(""));
      certs[ns] = data ? std::string(json::string_member(*data, "root-cert.pem").value_or(""))
                       : std::string();
    }
  return certs;
}

Result<PreflightSnapshot> read_preflight_snapshot(KubectlRunner& kubectl, ExtraReads extras) {
  PreflightSnapshot snapshot;
  rapidjson::Document root_cert_maps;
  rapidjson::Document services;
  // The reads beyond status's: each keeps its own error, so status can go on without them.
  std::vector<std::function<Status()>> extra_reads = {
      [&]() -> Status {
        MESHCA_TRY_ASSIGN(auto list, list_root_cert_maps(kubectl));
        root_cert_maps = std::move(list);
        return done();
      },
      [&]() -> Status {
        MESHCA_TRY_ASSIGN(auto roots, read_secret_roots(kubectl));
        snapshot.ca_secret_roots = std::move(roots);
        return done();
      },
      // istiod's Services live in istio-system; other namespaces only when a webhook names one.
      [&]() -> Status {
        MESHCA_TRY_ASSIGN(auto list, list_services(kubectl, {"istio-system"}));
        services = std::move(list);
        return done();
      }};
  std::vector<std::optional<Error>> extra_errors(extra_reads.size());
  // When every read is required, the roots' read names the CA secrets too: one kubectl fewer.
  // Status (optional extras) looks them up on its own, so a failed roots read leaves it whole.
  const CaSecretNames names =
      extras == ExtraReads::required ? CaSecretNames::by_caller : CaSecretNames::read;
  std::vector<std::function<Status()>> reads = status_reads(kubectl, snapshot.status, names);
  for (std::size_t i = 0; i < extra_reads.size(); ++i)
    reads.push_back([&, i]() -> Status {
      if (Status read = extra_reads[i](); !read)
        extra_errors[i] = read.error();
      return done();
    });
  MESHCA_TRY(run_reads_at_once(reads));
  for (auto& error : extra_errors)
    if (error) {
      if (extras == ExtraReads::required)
        return std::move(*error);
      snapshot.unread = error->message;
      return snapshot;
    }
  if (names == CaSecretNames::by_caller)
    for (const auto& secret : snapshot.ca_secret_roots)
      snapshot.status.ca_secrets.push_back(secret.first);
  snapshot.root_certs = root_certs_by_namespace(root_cert_maps);
  std::vector<std::string> more = webhook_service_namespaces(snapshot.status.webhooks);
  more.erase(std::remove(more.begin(), more.end(), "istio-system"), more.end());
  if (!more.empty()) {
    auto others = list_services(kubectl, more);
    if (!others && extras == ExtraReads::required)
      return others.error();
    if (!others) {
      snapshot.unread = others.error().message;
      return snapshot;
    }
    if (const Value* items = json::array_member(*others, "items"))
      for (const auto& item : items->GetArray())
        services["items"].PushBack(Value(item, services.GetAllocator()), services.GetAllocator());
  }
  snapshot.services = std::move(services);
  return snapshot;
}

} // namespace meshca
