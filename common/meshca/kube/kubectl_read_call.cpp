#include "meshca/kube/kubectl_read_call.h"

#include "meshca/kube/api_client_paths.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace meshca {
namespace {

struct ResourceType {
  std::vector<std::string_view> spellings; // what kubectl accepts for it
  std::string_view plural;
  std::string_view kind;
  std::string_view group_version; // "v1" is the core group, under /api
  bool namespaced;
  std::string_view name_prefix;
};

// The types the commands read. Secrets are left out on purpose (see the header).
const std::vector<ResourceType>& resource_types() {
  static const std::vector<ResourceType> types = {
      {{"pods", "pod", "po"}, "pods", "Pod", "v1", true, "pod"},
      {{"services", "service", "svc"}, "services", "Service", "v1", true, "service"},
      {{"configmaps", "configmap", "cm"}, "configmaps", "ConfigMap", "v1", true, "configmap"},
      {{"namespaces", "namespace", "ns"}, "namespaces", "Namespace", "v1", false, "namespace"},
      {{"deployments", "deployment", "deploy", "deployments.apps", "deployment.apps"},
       "deployments",
       "Deployment",
       "apps/v1",
       true,
       "deployment.apps"},
      {{"statefulsets", "statefulset", "sts", "statefulsets.apps", "statefulset.apps"},
       "statefulsets",
       "StatefulSet",
       "apps/v1",
       true,
       "statefulset.apps"},
      {{"daemonsets", "daemonset", "ds", "daemonsets.apps", "daemonset.apps"},
       "daemonsets",
       "DaemonSet",
       "apps/v1",
       true,
       "daemonset.apps"},
      {{"mutatingwebhookconfigurations", "mutatingwebhookconfiguration",
        "mutatingwebhookconfigurations.admissionregistration.k8s.io",
        "mutatingwebhookconfiguration.admissionregistration.k8s.io"},
       "mutatingwebhookconfigurations",
       "MutatingWebhookConfiguration",
       "admissionregistration.k8s.io/v1",
       false,
       "mutatingwebhookconfiguration.admissionregistration.k8s.io"},
      // The CRD serves v1alpha1 only (istio/istio manifests/charts/base/crds/crd-operator.yaml).
      {{"istiooperators.install.istio.io", "istiooperator.install.istio.io", "istiooperators",
        "istiooperator", "iop", "io"},
       "istiooperators",
       "IstioOperator",
       "install.istio.io/v1alpha1",
       true,
       "istiooperator.install.istio.io"},
  };
  return types;
}

const ResourceType* find_type(std::string_view spelling) {
  for (const ResourceType& type : resource_types())
    if (std::find(type.spellings.begin(), type.spellings.end(), spelling) != type.spellings.end())
      return &type;
  return nullptr;
}

// The value of a flag given as "--flag V" or "--flag=V"; advances `i` past it.
std::optional<std::string> flag_value(const std::vector<std::string>& args, std::size_t& i,
                                      std::initializer_list<std::string_view> names) {
  const std::string& arg = args[i];
  for (const std::string_view name : names) {
    if (arg == name) {
      if (i + 1 >= args.size())
        return std::nullopt;
      return args[++i];
    }
    if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
        arg[name.size()] == '=')
      return arg.substr(name.size() + 1);
  }
  return std::nullopt;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// client-go's reason for an answer without a Status body (NewGenericServerResponse).
std::string_view reason_for_status(int status) {
  switch (status) {
  case 400:
    return "BadRequest";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "NotFound";
  case 405:
    return "MethodNotAllowed";
  case 406:
    return "NotAcceptable";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 413:
    return "RequestEntityTooLarge";
  case 415:
    return "UnsupportedMediaType";
  case 422:
    return "Invalid";
  case 429:
    return "TooManyRequests";
  case 503:
    return "ServiceUnavailable";
  case 504:
    return "Timeout";
  default:
    return status >= 500 ? "InternalError" : "BadRequest";
  }
}

std::string compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

} // namespace

std::optional<ReadCall> read_call_for(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[0] != "get")
    return std::nullopt;
  ReadCall call;
  if (args[1] == "--raw") {
    // Secrets stay kubectl's on this path too.
    if (args.size() != 3 || !starts_with(args[2], "/") ||
        args[2].find("/secrets") != std::string::npos)
      return std::nullopt;
    call.output = ReadCall::Output::raw;
    call.path = args[2];
    return call;
  }
  const ResourceType* type = find_type(args[1]);
  if (type == nullptr)
    return std::nullopt;
  std::optional<std::string> ns, label_selector, field_selector, output;
  bool all_namespaces = false;
  std::vector<std::string> names;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!starts_with(arg, "-")) {
      names.push_back(arg);
    } else if (arg == "-A" || arg == "--all-namespaces") {
      all_namespaces = true;
    } else if (arg == "--ignore-not-found" || arg == "--ignore-not-found=true") {
      call.ignore_not_found = true;
    } else if (auto n = flag_value(args, i, {"-n", "--namespace"})) {
      ns = std::move(n);
    } else if (auto l = flag_value(args, i, {"-l", "--selector"})) {
      label_selector = std::move(l);
    } else if (auto f = flag_value(args, i, {"--field-selector"})) {
      field_selector = std::move(f);
    } else if (auto o = flag_value(args, i, {"-o", "--output"})) {
      output = std::move(o);
    } else {
      return std::nullopt; // a flag kubectl may give a meaning we do not reproduce
    }
  }
  if (output == "json")
    call.output = ReadCall::Output::json;
  else if (output == "name")
    call.output = ReadCall::Output::name;
  else
    return std::nullopt; // tables, jsonpath, yaml: kubectl's own printers
  // kubectl refuses these itself (or, without -n, reads the kubeconfig's namespace): let it.
  if (names.size() > 1 || (!names.empty() && (all_namespaces || label_selector || field_selector)))
    return std::nullopt;
  if (type->namespaced && !all_namespaces && (!ns || ns->empty()))
    return std::nullopt;
  if (ns && ns->empty())
    return std::nullopt;

  call.type = std::string(type->plural);
  call.kind = std::string(type->kind);
  call.api_version = std::string(type->group_version);
  call.name_prefix = std::string(type->name_prefix);
  call.list = names.empty();
  call.path = type->group_version == "v1" ? "/api/v1" : "/apis/" + call.api_version;
  if (type->namespaced && !all_namespaces)
    call.path += "/namespaces/" + percent_encode(*ns);
  call.path += "/" + call.type;
  if (!call.list) {
    call.name = names.front();
    call.path += "/" + percent_encode(call.name);
  }
  if (label_selector)
    call.query += "labelSelector=" + percent_encode(*label_selector);
  if (field_selector)
    call.query += (call.query.empty() ? "" : "&") + std::string("fieldSelector=") +
                  percent_encode(*field_selector);
  return call;
}

std::string read_call_target(const ReadCall& call, std::string_view continue_token) {
  if (call.output == ReadCall::Output::raw)
    return call.path;
  std::string query = call.query;
  if (call.list) {
    if (!continue_token.empty())
      query +=
          (query.empty() ? "" : "&") + std::string("continue=") + percent_encode(continue_token);
    query += (query.empty() ? "" : "&") + std::string("limit=500");
  }
  return query.empty() ? call.path : call.path + "?" + query;
}

ProcessOutput read_call_failure(const ReadCall& call, int status, std::string_view body) {
  ProcessOutput output;
  output.exit_code = 1;
  if (status == 404 && call.ignore_not_found && !call.list) {
    output.exit_code = 0;
    return output;
  }
  if (status == 404 && call.list) {
    output.err = "error: the server doesn't have a resource type \"" + call.type + "\"\n";
    return output;
  }
  std::string reason(reason_for_status(status));
  std::string message;
  if (auto parsed = json::parse(body, "status"); parsed && parsed->IsObject()) {
    if (call.output != ReadCall::Output::raw)
      if (auto r = json::string_member(*parsed, "reason"); r && !r->empty())
        reason = std::string(*r);
    if (auto m = json::string_member(*parsed, "message"))
      message = std::string(*m);
  }
  if (message.empty())
    message = std::string(body.substr(0, 300));
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  output.err = "Error from server (" + reason + "): " + message + "\n";
  return output;
}

Result<std::string> ReadCallOutput::add(std::string_view target, std::string body) {
  if (call_.output == ReadCall::Output::raw) {
    raw_ = std::move(body);
    return std::string();
  }
  const std::string what = "the answer to GET " + std::string(target);
  if (!call_.list) {
    MESHCA_TRY_ASSIGN(object_, json::parse(body, what));
    if (!object_.IsObject())
      return cluster_error(what + ": not a JSON object");
    return std::string();
  }
  MESHCA_TRY_ASSIGN(auto page, json::parse(body, what));
  const rapidjson::Value* items = page.IsObject() ? json::array_member(page, "items") : nullptr;
  if (items == nullptr)
    return cluster_error(what + ": no \"items\" list");
  auto& a = items_.GetAllocator();
  for (const auto& item : items->GetArray()) {
    if (!item.IsObject())
      continue;
    // kubectl prints each item with its kind and apiVersion first, as a single object has them.
    rapidjson::Value copy(rapidjson::kObjectType);
    copy.AddMember("apiVersion", json::string_value(call_.api_version, a), a);
    copy.AddMember("kind", json::string_value(call_.kind, a), a);
    for (const auto& member : item.GetObject())
      if (member.name != "apiVersion" && member.name != "kind")
        copy.AddMember(rapidjson::Value(member.name, a), rapidjson::Value(member.value, a), a);
    items_.PushBack(copy, a);
  }
  std::string token;
  if (const rapidjson::Value* metadata = json::object_member(page, "metadata"))
    token = std::string(json::string_member(*metadata, "continue").value_or(""));
  return token;
}

std::string ReadCallOutput::text() const {
  switch (call_.output) {
  case ReadCall::Output::raw:
    return raw_;
  case ReadCall::Output::name: {
    if (!call_.list)
      return object_.IsObject() ? call_.name_prefix + "/" + call_.name + "\n" : std::string();
    std::string lines;
    for (const auto& item : items_.GetArray())
      if (const rapidjson::Value* metadata = json::object_member(item, "metadata"))
        lines += call_.name_prefix + "/" +
                 std::string(json::string_member(*metadata, "name").value_or("")) + "\n";
    return lines;
  }
  case ReadCall::Output::json:
    break;
  }
  if (!call_.list)
    return object_.IsObject() ? compact(object_) + "\n" : std::string();
  return R"({"apiVersion":"v1","items":)" + compact(items_) +
         R"(,"kind":"List","metadata":{"resourceVersion":""}})" + "\n";
}

} // namespace meshca
