#include "meshca/mesh/config_dump.h"

#include "meshca/mesh/trust_domains.h"
#include "meshca/util/base64.h"
#include "meshca/util/words.h"

#include <algorithm>
#include <set>

namespace meshca::mesh {
namespace {

using rapidjson::Value;

enum class Phase { active, warming };

bool has_type_suffix(const Value& config, std::string_view suffix) {
  const auto type = json::string_member(config, "@type");
  return type && type->ends_with(suffix);
}

bool has_any_member(const Value& config, std::initializer_list<std::string_view> keys) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](std::string_view key) { return json::member(config, key) != nullptr; });
}

// A ROOTCA candidate: its PEM and, for a SPIFFE validator, the bundles it came from.
struct RootCandidate {
  SecretPem root;
  std::vector<SpiffeTrustDomainBundle> bundles;
};

// Active entries win over warming ones; among equals the first wins.
bool replaces(const SecretPem* current, Phase phase) {
  return current == nullptr || (current->warming && phase == Phase::active);
}

class DumpReader {
 public:
  explicit DumpReader(std::string_view what) : what_("config dump of " + std::string(what)) {}

  Status read_document(const Value& document);
  ProxyTlsState finish() &&;

 private:
  Result<bool> read_config(const Value& config);
  Status read_secrets_dump(const Value& dump);
  Status read_secret_entry(const Value& entry, Phase phase);
  Status read_root_ca(const Value& secret, Phase phase);
  Status read_workload_chain(const Value& secret, Phase phase);
  Result<std::optional<std::string>> read_data_source(const Value* source, std::string_view field);
  void warn(const std::string& sentence) { state_.warnings.push_back(what_ + ": " + sentence); }

  std::string what_;
  ProxyTlsState state_;
  std::optional<RootCandidate> root_;
  std::set<std::string> trust_domains_;
  bool nested_ = false; // reading a dump inside a dump
};

Status DumpReader::read_document(const Value& document) {
  if (document.IsArray()) { // D: istioctl proxy-config cluster -o json
    state_.has_clusters_or_listeners = true;
    collect_trust_domains(document, trust_domains_);
    return done();
  }
  bool recognized = false;
  const auto read = [&](const Value& config) -> Status {
    MESHCA_TRY_ASSIGN(auto known, read_config(config));
    recognized = recognized || known;
    return done();
  };
  if (document.IsObject()) {
    if (const auto* configs = json::member(document, "configs")) {
      // Current Envoy: an array of Any; very old Envoy: a map from name to Any. Either way it
      // is a dump, even when it holds nothing of interest (finish() then warns).
      recognized = configs->IsArray() || configs->IsObject();
      if (configs->IsArray()) {
        for (const auto& config : configs->GetArray())
          MESHCA_TRY(read(config));
      } else if (configs->IsObject()) {
        for (const auto& config : configs->GetObject())
          MESHCA_TRY(read(config.value));
      }
    } else if (document.ObjectEmpty()) {
      state_.has_secrets = true; // C: istioctl prints a proxy without secrets as {}
      recognized = true;
    } else {
      MESHCA_TRY(read(document)); // C: a bare SecretsConfigDump
    }
  }
  if (!recognized)
    return bad_input(
        what_ + ": not an Envoy config dump: expected {\"configs\":[...]} (Envoy /config_dump, "
                "istioctl proxy-config all -o json), a bare SecretsConfigDump (istioctl "
                "proxy-config secret -o json) or an array of clusters (istioctl proxy-config "
                "cluster -o json)");
  return done();
}

// One element of "configs" (or a bare dump); false when it holds nothing of interest here.
// Typed configs are matched by "@type" suffix; untyped ones (legacy) by their keys.
Result<bool> DumpReader::read_config(const Value& config) {
  if (!config.IsObject())
    return false;
  const bool typed = config.HasMember("@type");
  if (has_type_suffix(config, ".DynamicSecret") ||
      (!typed && json::object_member(config, "secret") != nullptr)) {
    // B: ?resource=dynamic_active_secrets gives one DynamicSecret per element.
    state_.has_secrets = true;
    MESHCA_TRY(read_secret_entry(config, Phase::active));
    return true;
  }
  if (has_type_suffix(config, "SecretsConfigDump") ||
      (!typed && has_any_member(config, {"dynamic_active_secrets", "dynamic_warming_secrets",
                                         "static_secrets"}))) {
    state_.has_secrets = true;
    MESHCA_TRY(read_secrets_dump(config));
    return true;
  }
  if (!typed && !nested_ && json::member(config, "configs") != nullptr) {
    // A whole dump inside a dump, one level deep: --trust-domain's two answers read as one
    // (dump_fetcher.h, TrustDomainDumpFetcher).
    nested_ = true;
    const Status read = read_document(config);
    nested_ = false;
    MESHCA_TRY(read);
    return true;
  }
  if (has_type_suffix(config, "ClustersConfigDump") ||
      has_type_suffix(config, "ListenersConfigDump") ||
      // ?resource=dynamic_active_clusters (with a mask): one cluster per element
      has_type_suffix(config, "ClustersConfigDump.DynamicCluster") ||
      has_type_suffix(config, "ClustersConfigDump.StaticCluster") ||
      (!typed && has_any_member(config, {"dynamic_active_clusters", "static_clusters",
                                         "dynamic_listeners", "static_listeners"}))) {
    state_.has_clusters_or_listeners = true;
    collect_trust_domains(config, trust_domains_);
    return true;
  }
  return false;
}

Status DumpReader::read_secrets_dump(const Value& dump) {
  for (const auto& [key, phase] : {std::pair{"dynamic_active_secrets", Phase::active},
                                   std::pair{"static_secrets", Phase::active},
                                   std::pair{"dynamic_warming_secrets", Phase::warming}}) {
    if (const auto* entries = json::array_member(dump, key)) {
      for (const auto& entry : entries->GetArray())
        MESHCA_TRY(read_secret_entry(entry, phase));
    }
  }
  return done();
}

Status DumpReader::read_secret_entry(const Value& entry, Phase phase) {
  const auto* secret = json::object_member(entry, "secret");
  if (secret == nullptr)
    return done(); // a warming entry that never got a payload
  const auto name = json::string_member(entry, "name")
                        .value_or(json::string_member(*secret, "name").value_or(""));
  if (name == kRootCaSecret)
    return read_root_ca(*secret, phase);
  if (name == kWorkloadSecret)
    return read_workload_chain(*secret, phase);
  return done();
}

Status DumpReader::read_root_ca(const Value& secret, Phase phase) {
  const auto* context = json::object_member(secret, "validation_context");
  if (context == nullptr)
    return done(); // no payload (uninitialized)
  RootCandidate candidate;
  candidate.root.warming = phase == Phase::warming;
  MESHCA_TRY_ASSIGN(auto trusted,
                    read_data_source(json::member(*context, "trusted_ca"), "ROOTCA trusted_ca"));
  if (trusted) {
    candidate.root.pem = std::move(*trusted);
  } else if (const auto* validator = json::object_member(*context, "custom_validator_config")) {
    const auto* config = json::object_member(*validator, "typed_config");
    const auto* domains =
        config != nullptr ? json::array_member(*config, "trust_domains") : nullptr;
    for (std::size_t i = 0; domains != nullptr && i < domains->Size(); ++i) {
      const auto& domain = (*domains)[static_cast<rapidjson::SizeType>(i)];
      const std::string name(json::string_member(domain, "name").value_or(""));
      MESHCA_TRY_ASSIGN(auto bundle,
                        read_data_source(json::member(domain, "trust_bundle"),
                                         "ROOTCA SPIFFE trust_bundle of " + double_quoted(name)));
      if (bundle) {
        candidate.root.pem += *bundle;
        if (!candidate.root.pem.ends_with('\n'))
          candidate.root.pem += '\n';
        candidate.bundles.push_back({name, std::move(*bundle)});
      }
    }
  }
  if (candidate.root.pem.empty())
    return done();
  if (replaces(root_ ? &root_->root : nullptr, phase))
    root_ = std::move(candidate);
  else if (phase == Phase::active && root_->root.pem != candidate.root.pem)
    warn("the ROOTCA secret appears more than once with different contents; using the first");
  return done();
}

Status DumpReader::read_workload_chain(const Value& secret, Phase phase) {
  const auto* certificate = json::object_member(secret, "tls_certificate");
  if (certificate == nullptr)
    return done();
  MESHCA_TRY_ASSIGN(auto chain, read_data_source(json::member(*certificate, "certificate_chain"),
                                                 "default certificate_chain"));
  if (!chain)
    return done();
  if (replaces(state_.workload_chain ? &*state_.workload_chain : nullptr, phase))
    state_.workload_chain = SecretPem{std::move(*chain), phase == Phase::warming};
  else if (phase == Phase::active && state_.workload_chain->pem != *chain)
    warn("the default secret appears more than once with different contents; using the first");
  return done();
}

// An envoy.config.core.v3.DataSource: the text when it is inline, nullopt when it is empty or
// lives elsewhere (a file or variable inside the proxy, which a dump cannot show: a warning).
Result<std::optional<std::string>> DumpReader::read_data_source(const Value* source,
                                                                std::string_view field) {
  if (source == nullptr || !source->IsObject())
    return std::optional<std::string>();
  if (const auto bytes = json::string_member(*source, "inline_bytes")) {
    MESHCA_TRY_ASSIGN(auto text,
                      base64::decode(*bytes, what_ + ": " + std::string(field) + " inline_bytes"));
    return text.empty() ? std::nullopt : std::optional<std::string>(std::move(text));
  }
  if (const auto text = json::string_member(*source, "inline_string"))
    return text->empty() ? std::nullopt : std::optional<std::string>(*text);
  for (const char* where : {"filename", "environment_variable"}) {
    if (const auto location = json::string_member(*source, where)) {
      warn(std::string(field) + " is not inline but read from " + where + " " +
           double_quoted(*location) + " inside the proxy, so the dump does not show it");
      return std::optional<std::string>();
    }
  }
  return std::optional<std::string>();
}

ProxyTlsState DumpReader::finish() && {
  if (root_) {
    state_.root_ca = std::move(root_->root);
    state_.spiffe_bundles = std::move(root_->bundles);
    for (const auto& bundle : state_.spiffe_bundles) {
      if (!bundle.trust_domain.empty())
        trust_domains_.insert(bundle.trust_domain);
    }
  }
  state_.trust_domains.assign(trust_domains_.begin(), trust_domains_.end());
  if (!state_.has_secrets) {
    warn("the dump has no secrets, so the proxy's trusted roots and certificate are unknown");
  } else {
    if (!state_.root_ca)
      warn("no ROOTCA secret with trusted CA certificates (the proxy trusts no mesh root yet)");
    if (!state_.workload_chain)
      warn("no default secret with a certificate chain (the proxy has no workload certificate)");
  }
  return std::move(state_);
}

} // namespace

std::string format_byte_size(std::size_t bytes) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  if (bytes >= kMiB && bytes % kMiB == 0)
    return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

namespace {

Status check_dump_size(std::size_t size, std::string_view what, std::size_t max_bytes) {
  if (size > max_bytes) // before any copy: a huge answer is refused, not doubled
    return bad_input(std::string(what) + ": config dump of " + std::to_string(size) +
                     " bytes is more than the limit of " + format_byte_size(max_bytes) +
                     "; it was not read (no real proxy's dump is that large: check the source)");
  return done();
}

Result<ProxyTlsState> read_dump(const Result<rapidjson::Document>& document,
                                std::string_view what) {
  if (!document.ok())
    return document.error();
  DumpReader reader(what);
  MESHCA_TRY(reader.read_document(*document));
  return std::move(reader).finish();
}

} // namespace

Result<ProxyTlsState> parse_config_dump(std::string_view json, std::string_view what,
                                        std::size_t max_bytes) {
  MESHCA_TRY(check_dump_size(json.size(), what, max_bytes));
  std::string buffer;
  return read_dump(
      json::parse_in_place(json, buffer, "config dump of " + std::string(what), max_bytes), what);
}

Result<ProxyTlsState> parse_config_dump_owned(std::string&& json, std::string_view what,
                                              std::size_t max_bytes) {
  MESHCA_TRY(check_dump_size(json.size(), what, max_bytes));
  std::string buffer = std::move(json);
  return read_dump(json::parse_owned(buffer, "config dump of " + std::string(what), max_bytes),
                   what);
}

} // namespace meshca::mesh
