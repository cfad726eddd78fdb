#include "meshca/mesh/revision_ca.h"

#include "meshca/mesh/mesh_config.h"
#include "meshca/util/json.h"

#include <algorithm>

namespace meshca {
namespace {

using rapidjson::Value;

const Value* items_of(const Value* list) {
  return list != nullptr && list->IsObject() ? json::array_member(*list, "items") : nullptr;
}

const Value* path(const Value& root, std::initializer_list<std::string_view> keys) {
  const Value* at = &root;
  for (std::string_view key : keys) {
    at = json::object_member(*at, key);
    if (at == nullptr)
      return nullptr;
  }
  return at;
}

std::string name_of(const Value& object) {
  const Value* metadata = json::object_member(object, "metadata");
  return metadata ? json::string_or_empty(*metadata, "name") : std::string();
}

bool unrevisioned(const ControlPlaneRevision& revision) {
  return revision.istiod && revision.istiod->name == "istiod";
}

// The mesh config fields, from the ConfigMap istiod reads, else from the IstioOperator.
void apply_mesh_config(RevisionCa& ca, MeshConfigFacts facts, std::string source) {
  ca.ca_certificates.clear();
  for (std::string& pem : facts.ca_certificates)
    if (std::find(ca.ca_certificates.begin(), ca.ca_certificates.end(), pem) ==
        ca.ca_certificates.end())
      ca.ca_certificates.push_back(std::move(pem));
  const auto agent = facts.proxy_metadata.find("PROXY_CONFIG_XDS_AGENT");
  ca.xds_agent =
      agent != facts.proxy_metadata.end() && parse_go_bool(agent->second).value_or(false);
  ca.trust_domain = std::move(facts.trust_domain);
  ca.trust_domain_aliases = std::move(facts.trust_domain_aliases);
  ca.mesh_config_source = std::move(source);
}

// The IstioOperator of this revision: its caName and meshConfig.caCertificates.
void read_operator(const Value* operators, const ControlPlaneRevision& source, RevisionCa& ca) {
  const Value* items = items_of(operators);
  if (items == nullptr)
    return;
  for (const auto& item : items->GetArray()) {
    const std::string name = name_of(item);
    const Value* spec = json::object_member(item, "spec");
    const std::string spec_revision = spec ? json::string_or_empty(*spec, "revision") : "";
    if (name != "installed-state-" + source.name && spec_revision != source.name &&
        !(unrevisioned(source) && spec_revision.empty()))
      continue;
    const Value* global = path(item, {"spec", "values", "global"});
    ca.issuer = issuer_from_ca_name(global ? json::string_or_empty(*global, "caName") : "");
    ca.issuer_source = "IstioOperator " + name;
    if (const Value* mesh = path(item, {"spec", "meshConfig"}))
      apply_mesh_config(ca, parse_mesh_config_json(*mesh), "IstioOperator " + name);
    return;
  }
}

// istiod's creation time and the environment that decides its CA.
void read_istiod(const Value& deployments, const ControlPlaneRevision& source, RevisionCa& ca) {
  const Value* items = items_of(&deployments);
  if (items == nullptr || !source.istiod)
    return;
  for (const auto& item : items->GetArray()) {
    const Value* metadata = json::object_member(item, "metadata");
    if (metadata == nullptr || json::string_or_empty(*metadata, "name") != source.istiod->name ||
        json::string_or_empty(*metadata, "namespace") != source.istiod->ns)
      continue;
    ca.created = json::string_or_empty(*metadata, "creationTimestamp");
    ca.istiod_source = "Deployment " + source.istiod->ns + "/" + source.istiod->name;
    const Value* pod_spec = path(item, {"spec", "template", "spec"});
    const Value* containers = pod_spec ? json::array_member(*pod_spec, "containers") : nullptr;
    if (containers == nullptr)
      return;
    const bool issuer_known = ca.issuer.has_value() || !ca.issuer_source.empty();
    for (const auto& container : containers->GetArray()) {
      const Value* env = json::array_member(container, "env");
      if (env == nullptr)
        continue;
      for (const auto& var : env->GetArray()) {
        const std::string name = json::string_or_empty(var, "name");
        const std::string value = json::string_or_empty(var, "value");
        if (name == "ENABLE_CA_SERVER")
          ca.ca_server = parse_go_bool(value).value_or(true);
        else if (name == "ISTIO_MULTIROOT_MESH")
          ca.multi_root = parse_go_bool(value).value_or(false);
        if (name == "CA_ADDR" && ca.ca_address.empty())
          ca.ca_address = value;
        if (!issuer_known && name == "CA_PROVIDER") {
          ca.issuer = issuer_from_ca_name(value);
          ca.issuer_source = "istiod env CA_PROVIDER";
        } else if (!issuer_known && name == "CA_ADDR" &&
                   value.find("meshca") != std::string::npos) {
          ca.issuer = CaClass::meshca;
          ca.issuer_source = "istiod env CA_ADDR";
        }
      }
    }
    return;
  }
}

// The revision's mesh config: ConfigMap istio-REV (istio for an unrevisioned install), key mesh.
void read_mesh_config(const Value* config_maps, const ControlPlaneRevision& source,
                      RevisionCa& ca) {
  const Value* items = items_of(config_maps);
  if (items == nullptr)
    return;
  const std::string wanted = unrevisioned(source) ? "istio" : "istio-" + source.name;
  for (const auto& item : items->GetArray()) {
    if (name_of(item) != wanted)
      continue;
    const Value* data = json::object_member(item, "data");
    apply_mesh_config(ca, parse_mesh_config_yaml(data ? json::string_or_empty(*data, "mesh") : ""),
                      "ConfigMap istio-system/" + wanted);
    return;
  }
}

// The values the revision's injector renders sidecars with (ConfigMap istio-sidecar-injector-REV,
// key `values`, JSON): global.caAddress becomes the sidecars' CA_ADDR (Istio's injection
// template), and says who issues their certificates when no IstioOperator does.
void read_injector_values(const Value* config_maps, const ControlPlaneRevision& source,
                          RevisionCa& ca) {
  const Value* items = items_of(config_maps);
  if (items == nullptr)
    return;
  const std::string wanted =
      unrevisioned(source) ? "istio-sidecar-injector" : "istio-sidecar-injector-" + source.name;
  for (const auto& item : items->GetArray()) {
    if (name_of(item) != wanted)
      continue;
    const Value* data = json::object_member(item, "data");
    rapidjson::Document values;
    values.Parse(data ? json::string_or_empty(*data, "values").c_str() : "");
    const Value* global =
        !values.HasParseError() && values.IsObject() ? path(values, {"global"}) : nullptr;
    if (global == nullptr)
      return;
    ca.ca_address = json::string_or_empty(*global, "caAddress");
    if (ca.issuer.has_value() || !ca.issuer_source.empty())
      return;
    const std::string where = "ConfigMap istio-system/" + wanted + " values.global.";
    if (ca.ca_address.find("meshca") != std::string::npos) {
      ca.issuer = CaClass::meshca;
      ca.issuer_source = where + "caAddress";
    } else if (const std::string name = json::string_or_empty(*global, "caName"); !name.empty()) {
      ca.issuer = issuer_from_ca_name(name);
      ca.issuer_source = where + "caName";
    } else if (ca.ca_address.empty()) { // sidecars get certificates from istiod itself
      ca.issuer = CaClass::citadel;
      ca.issuer_source = where + "caAddress empty (istiod's own CA)";
    }
    return;
  }
}

} // namespace

std::optional<CaClass> issuer_from_ca_name(const std::string& ca_name) {
  if (ca_name.empty() || ca_name == "Citadel")
    return CaClass::citadel;
  if (ca_name == "GoogleCA" || ca_name == "MeshCA")
    return CaClass::meshca;
  return std::nullopt;
}

std::vector<std::string> pem_blocks_in(const std::string& text) {
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<std::string> blocks;
  std::size_t at = 0;
  while ((at = text.find(kBegin, at)) != std::string::npos) {
    const std::size_t end = text.find(kEnd, at);
    if (end == std::string::npos)
      break;
    // Each line without the YAML block's indentation, so OpenSSL reads it as PEM.
    std::string block;
    std::size_t line = at;
    const std::size_t stop = end + kEnd.size();
    while (line < stop) {
      std::size_t next = text.find('\n', line);
      if (next == std::string::npos || next > stop)
        next = stop;
      std::string_view piece(text.data() + line, next - line);
      while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t'))
        piece.remove_prefix(1);
      while (!piece.empty() && (piece.back() == '\r' || piece.back() == ' '))
        piece.remove_suffix(1);
      if (!piece.empty())
        block.append(piece).push_back('\n');
      line = next + 1;
    }
    blocks.push_back(std::move(block));
    at = stop;
  }
  return blocks;
}

std::map<std::string, RevisionCa> parse_revision_cas(const ControlPlane& plane,
                                                     const RevisionCaInputs& inputs) {
  std::map<std::string, RevisionCa> cas;
  for (const ControlPlaneRevision& source : plane.revisions) {
    if (!source.istiod)
      continue;
    RevisionCa ca;
    ca.revision = source.name;
    read_operator(inputs.operators, source, ca);
    read_injector_values(inputs.config_maps, source, ca);
    read_istiod(inputs.deployments, source, ca);
    read_mesh_config(inputs.config_maps, source, ca);
    cas.emplace(source.name, std::move(ca));
  }
  return cas;
}

} // namespace meshca
