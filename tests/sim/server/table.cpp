#include "server/table.h"

#include "server/json_util.h"

#include <cctype>
#include <chrono>
#include <functional>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <variant>

namespace sim {
namespace {

using Value = rapidjson::Value;
using Cell = std::variant<std::string, long long>;

struct Column {
  std::string name, type;
  int priority = 0;
  std::function<Cell(const Value&)> cell;
};

long long int_at(const Value& object, const char* path) {
  const auto* value = find_path(object, path);
  return value && value->IsInt64() ? value->GetInt64() : 0;
}

std::string text_at(const Value& object, const char* path, const char* fallback = "<none>") {
  auto text = string_at(object, path);
  return text.empty() ? fallback : text;
}

std::string age(const Value& object, const char* path = "metadata.creationTimestamp") {
  auto created = parse_rfc3339(string_at(object, path));
  if (!created)
    return "<unknown>";
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return human_duration(now - *created);
}

std::size_t array_size(const Value& object, const char* path) {
  const auto* value = find_path(object, path);
  if (value && value->IsArray())
    return value->Size();
  if (value && value->IsObject())
    return value->MemberCount();
  return 0;
}

std::string ratio(long long a, long long b) {
  return std::to_string(a) + "/" + std::to_string(b);
}

// kubectl's printPod: an init container not done yet shows as Init:<i>/<n> (or Init:<reason>),
// and then the containers' states are not looked at.
std::string init_status(const Value& pod) {
  const auto* statuses = find_path(pod, "status.initContainerStatuses");
  if (!statuses || !statuses->IsArray())
    return {};
  std::size_t total = array_size(pod, "spec.initContainers");
  for (std::size_t index = 0; index < statuses->Size(); ++index) {
    const Value& status = (*statuses)[static_cast<rapidjson::SizeType>(index)];
    const auto* exit_code = find_path(status, "state.terminated.exitCode");
    if (exit_code && exit_code->IsInt() && exit_code->GetInt() == 0)
      continue;
    const auto* started = member(status, "started");
    if (find_path(status, "state.running") && started && started->IsBool() && started->GetBool())
      continue; // a native sidecar that is up
    std::string terminated = string_at(status, "state.terminated.reason");
    if (!terminated.empty())
      return "Init:" + terminated;
    std::string waiting = string_at(status, "state.waiting.reason");
    if (!waiting.empty() && waiting != "PodInitializing")
      return "Init:" + waiting;
    return "Init:" + std::to_string(index) + "/" + std::to_string(total);
  }
  return {};
}

std::string pod_status(const Value& pod) {
  if (find_path(pod, "metadata.deletionTimestamp"))
    return "Terminating";
  std::string reason = string_at(pod, "status.reason");
  if (std::string init = init_status(pod); !init.empty())
    return init;
  if (const auto* statuses = find_path(pod, "status.containerStatuses");
      statuses && statuses->IsArray())
    for (const auto& status : statuses->GetArray()) {
      auto waiting = string_at(status, "state.waiting.reason");
      if (!waiting.empty())
        reason = waiting;
      auto terminated = string_at(status, "state.terminated.reason");
      if (!terminated.empty() && reason.empty())
        reason = terminated;
    }
  return reason.empty() ? text_at(pod, "status.phase", "Pending") : reason;
}

long long pod_ready(const Value& pod) {
  long long ready = 0;
  if (const auto* statuses = find_path(pod, "status.containerStatuses");
      statuses && statuses->IsArray())
    for (const auto& status : statuses->GetArray())
      if (const auto* flag = member(status, "ready"); flag && flag->IsBool() && flag->GetBool())
        ++ready;
  return ready;
}

long long pod_restarts(const Value& pod) {
  long long restarts = 0;
  if (const auto* statuses = find_path(pod, "status.containerStatuses");
      statuses && statuses->IsArray())
    for (const auto& status : statuses->GetArray())
      restarts += int_at(status, "restartCount");
  return restarts;
}

std::string join_field(const Value& object, const char* list_path, const char* field) {
  std::string joined;
  if (const auto* list = find_path(object, list_path); list && list->IsArray())
    for (const auto& item : list->GetArray()) {
      if (!joined.empty())
        joined += ",";
      joined += string_member(item, field);
    }
  return joined.empty() ? "<none>" : joined;
}

std::string service_ports(const Value& service) {
  std::string ports;
  if (const auto* list = find_path(service, "spec.ports"); list && list->IsArray())
    for (const auto& port : list->GetArray()) {
      if (!ports.empty())
        ports += ",";
      ports += std::to_string(int_at(port, "port"));
      if (auto node_port = int_at(port, "nodePort"))
        ports += ":" + std::to_string(node_port);
      ports += "/" + text_at(port, "protocol", "TCP");
    }
  return ports.empty() ? "<none>" : ports;
}

std::string selector_text(const Value& object, const char* path) {
  const auto* labels = find_path(object, path);
  std::string text;
  if (labels && labels->IsObject())
    for (const auto& entry : labels->GetObject()) {
      if (!text.empty())
        text += ",";
      text += std::string(entry.name.GetString()) + "=" +
              (entry.value.IsString() ? entry.value.GetString() : "");
    }
  return text.empty() ? "<none>" : text;
}

std::string int_or_string(const Value& object, const char* path) {
  const auto* value = find_path(object, path);
  if (!value)
    return "N/A";
  if (value->IsString())
    return value->GetString();
  if (value->IsInt64())
    return std::to_string(value->GetInt64());
  return "N/A";
}

Column col(std::string name, std::function<Cell(const Value&)> cell, int priority = 0,
           std::string type = "string") {
  return Column{std::move(name), std::move(type), priority, std::move(cell)};
}

Column int_col(std::string name, const char* path, int priority = 0) {
  return col(
      std::move(name), [path](const Value& o) -> Cell { return int_at(o, path); }, priority,
      "integer");
}

std::vector<Column> columns_for(const std::string& plural) {
  auto name = col("Name", [](const Value& o) -> Cell { return string_at(o, "metadata.name"); });
  auto age_col = col("Age", [](const Value& o) -> Cell { return age(o); });
  if (plural == "pods")
    return {name,
            col("Ready",
                [](const Value& o) -> Cell {
                  return ratio(pod_ready(o),
                               static_cast<long long>(array_size(o, "spec.containers")));
                }),
            col("Status", [](const Value& o) -> Cell { return pod_status(o); }),
            col(
                "Restarts", [](const Value& o) -> Cell { return pod_restarts(o); }, 0, "integer"),
            age_col,
            col(
                "IP", [](const Value& o) -> Cell { return text_at(o, "status.podIP"); }, 1),
            col(
                "Node", [](const Value& o) -> Cell { return text_at(o, "spec.nodeName"); }, 1),
            col(
                "Nominated Node", [](const Value&) -> Cell { return std::string("<none>"); }, 1),
            col(
                "Readiness Gates", [](const Value&) -> Cell { return std::string("<none>"); }, 1)};
  if (plural == "namespaces")
    return {
        name,
        col("Status", [](const Value& o) -> Cell { return text_at(o, "status.phase", "Active"); }),
        age_col};
  if (plural == "deployments")
    return {
        name,
        col("Ready",
            [](const Value& o) -> Cell {
              return ratio(int_at(o, "status.readyReplicas"), int_at(o, "spec.replicas"));
            }),
        int_col("Up-to-date", "status.updatedReplicas"),
        int_col("Available", "status.availableReplicas"),
        age_col,
        col(
            "Containers",
            [](const Value& o) -> Cell {
              return join_field(o, "spec.template.spec.containers", "name");
            },
            1),
        col(
            "Images",
            [](const Value& o) -> Cell {
              return join_field(o, "spec.template.spec.containers", "image");
            },
            1),
        col(
            "Selector",
            [](const Value& o) -> Cell { return selector_text(o, "spec.selector.matchLabels"); },
            1)};
  if (plural == "replicasets")
    return {name, int_col("Desired", "spec.replicas"), int_col("Current", "status.replicas"),
            int_col("Ready", "status.readyReplicas"), age_col};
  if (plural == "statefulsets")
    return {name,
            col("Ready",
                [](const Value& o) -> Cell {
                  return ratio(int_at(o, "status.readyReplicas"), int_at(o, "spec.replicas"));
                }),
            age_col};
  if (plural == "daemonsets")
    return {name,
            int_col("Desired", "status.desiredNumberScheduled"),
            int_col("Current", "status.currentNumberScheduled"),
            int_col("Ready", "status.numberReady"),
            int_col("Up-to-date", "status.updatedNumberScheduled"),
            int_col("Available", "status.numberAvailable"),
            col("Node Selector",
                [](const Value& o) -> Cell {
                  return selector_text(o, "spec.template.spec.nodeSelector");
                }),
            age_col};
  if (plural == "services")
    return {
        name,
        col("Type", [](const Value& o) -> Cell { return text_at(o, "spec.type", "ClusterIP"); }),
        col("Cluster-IP", [](const Value& o) -> Cell { return text_at(o, "spec.clusterIP"); }),
        col("External-IP", [](const Value&) -> Cell { return std::string("<none>"); }),
        col("Port(s)", [](const Value& o) -> Cell { return service_ports(o); }),
        age_col,
        col(
            "Selector", [](const Value& o) -> Cell { return selector_text(o, "spec.selector"); },
            1)};
  if (plural == "secrets")
    return {
        name, col("Type", [](const Value& o) -> Cell { return text_at(o, "type", "Opaque"); }),
        col(
            "Data",
            [](const Value& o) -> Cell { return static_cast<long long>(array_size(o, "data")); }, 0,
            "integer"),
        age_col};
  if (plural == "configmaps")
    return {name,
            col(
                "Data",
                [](const Value& o) -> Cell {
                  return static_cast<long long>(array_size(o, "data") +
                                                array_size(o, "binaryData"));
                },
                0, "integer"),
            age_col};
  if (plural == "serviceaccounts")
    return {
        name,
        col(
            "Secrets",
            [](const Value& o) -> Cell { return static_cast<long long>(array_size(o, "secrets")); },
            0, "integer"),
        age_col};
  if (plural == "jobs")
    return {name,
            col("Status",
                [](const Value& o) -> Cell {
                  return int_at(o, "status.succeeded") >=
                                 std::max(1LL, int_at(o, "spec.completions"))
                             ? "Complete"
                             : "Running";
                }),
            col("Completions",
                [](const Value& o) -> Cell {
                  return ratio(int_at(o, "status.succeeded"),
                               std::max(1LL, int_at(o, "spec.completions")));
                }),
            age_col};
  if (plural == "horizontalpodautoscalers")
    return {name,
            col("Reference",
                [](const Value& o) -> Cell {
                  return text_at(o, "spec.scaleTargetRef.kind", "") + "/" +
                         text_at(o, "spec.scaleTargetRef.name", "");
                }),
            col("Targets", [](const Value&) -> Cell { return std::string("<unknown>"); }),
            int_col("MinPods", "spec.minReplicas"),
            int_col("MaxPods", "spec.maxReplicas"),
            int_col("Replicas", "status.currentReplicas"),
            age_col};
  if (plural == "poddisruptionbudgets")
    return {name,
            col("Min Available",
                [](const Value& o) -> Cell { return int_or_string(o, "spec.minAvailable"); }),
            col("Max Unavailable",
                [](const Value& o) -> Cell { return int_or_string(o, "spec.maxUnavailable"); }),
            int_col("Allowed Disruptions", "status.disruptionsAllowed"), age_col};
  if (plural == "mutatingwebhookconfigurations" || plural == "validatingwebhookconfigurations")
    return {name,
            col(
                "Webhooks",
                [](const Value& o) -> Cell {
                  return static_cast<long long>(array_size(o, "webhooks"));
                },
                0, "integer"),
            age_col};
  if (plural == "events") // kubectl's printEvent
    return {
        col("Last Seen", [](const Value& o) -> Cell { return age(o, "lastTimestamp"); }),
        col("Type", [](const Value& o) -> Cell { return text_at(o, "type", ""); }),
        col("Reason", [](const Value& o) -> Cell { return text_at(o, "reason", ""); }),
        col("Object",
            [](const Value& o) -> Cell {
              std::string kind = string_at(o, "involvedObject.kind");
              for (char& c : kind)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
              return kind + "/" + string_at(o, "involvedObject.name");
            }),
        col(
            "Subobject",
            [](const Value& o) -> Cell { return text_at(o, "involvedObject.fieldPath", ""); }, 1),
        col(
            "Source",
            [](const Value& o) -> Cell {
              std::string host = string_at(o, "source.host");
              return string_at(o, "source.component") + (host.empty() ? "" : ", " + host);
            },
            1),
        col("Message", [](const Value& o) -> Cell { return text_at(o, "message", ""); }),
        col(
            "First Seen", [](const Value& o) -> Cell { return age(o, "firstTimestamp"); }, 1),
        col(
            "Count", [](const Value& o) -> Cell { return std::to_string(int_at(o, "count")); }, 1),
        col(
            "Name", [](const Value& o) -> Cell { return string_at(o, "metadata.name"); }, 1)};
  if (plural == "istiooperators")
    return {name,
            col("Revision", [](const Value& o) -> Cell { return text_at(o, "spec.revision", ""); }),
            col("Status", [](const Value& o) -> Cell { return text_at(o, "status.status", ""); }),
            age_col};
  return {name, age_col};
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_partial_metadata(Writer& writer, const Value& object) {
  writer.StartObject();
  writer.Key("kind");
  writer.String("PartialObjectMetadata");
  writer.Key("apiVersion");
  writer.String("meta.k8s.io/v1");
  writer.Key("metadata");
  if (const auto* metadata = member(object, "metadata"))
    metadata->Accept(writer);
  else
    writer.Null();
  writer.EndObject();
}

} // namespace

std::string human_duration(long long seconds) {
  if (seconds < -1)
    return "<invalid>";
  if (seconds < 0)
    seconds = 0;
  auto s = [](long long v) { return std::to_string(v); };
  if (seconds < 120)
    return s(seconds) + "s";
  long long minutes = seconds / 60;
  if (minutes < 10)
    return seconds % 60 == 0 ? s(minutes) + "m" : s(minutes) + "m" + s(seconds % 60) + "s";
  if (minutes < 180)
    return s(minutes) + "m";
  long long hours = minutes / 60;
  if (hours < 8)
    return minutes % 60 == 0 ? s(hours) + "h" : s(hours) + "h" + s(minutes % 60) + "m";
  if (hours < 48)
    return s(hours) + "h";
  if (hours < 24 * 8)
    return hours % 24 == 0 ? s(hours / 24) + "d" : s(hours / 24) + "d" + s(hours % 24) + "h";
  if (hours < 24 * 365 * 2)
    return s(hours / 24) + "d";
  long long years = hours / 24 / 365;
  if (years < 8)
    return s(years) + "y" + s((hours / 24) % 365) + "d";
  return s(years) + "y";
}

std::string render_table(const std::string& plural, const std::vector<const Value*>& objects,
                         TableObjects include, std::uint64_t resource_version) {
  auto columns = columns_for(plural);
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("kind");
  writer.String("Table");
  writer.Key("apiVersion");
  writer.String("meta.k8s.io/v1");
  writer.Key("metadata");
  writer.StartObject();
  writer.Key("resourceVersion");
  writer.String(std::to_string(resource_version));
  writer.EndObject();
  writer.Key("columnDefinitions");
  writer.StartArray();
  for (const auto& column : columns) {
    writer.StartObject();
    writer.Key("name");
    writer.String(column.name);
    writer.Key("type");
    writer.String(column.type);
    writer.Key("format");
    writer.String(column.name == "Name" ? "name" : "");
    writer.Key("description");
    writer.String(column.name);
    writer.Key("priority");
    writer.Int(column.priority);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("rows");
  writer.StartArray();
  for (const auto* object : objects) {
    writer.StartObject();
    writer.Key("cells");
    writer.StartArray();
    for (const auto& column : columns) {
      auto cell = column.cell(*object);
      if (const auto* text = std::get_if<std::string>(&cell))
        writer.String(*text);
      else
        writer.Int64(std::get<long long>(cell));
    }
    writer.EndArray();
    if (include != TableObjects::none) {
      writer.Key("object");
      if (include == TableObjects::full)
        object->Accept(writer);
      else
        write_partial_metadata(writer, *object);
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace sim
