// The write verbs: create, update (incl. /status and /scale), patch, delete, deletecollection.
// Every client write is validated, honours dryRun=All (answer as if done, store nothing) and is
// recorded in the mutation log.

#include "server/api_server.h"
#include "server/json_util.h"
#include "server/patch.h"
#include "server/protobuf.h"
#include "server/validation.h"

namespace sim {
namespace {

ApiResponse from_write_error(const Store::WriteError& error, const ResourceInfo& info,
                             const std::string& name) {
  return error_response(error.http_status, error.reason, error.message, name, info.type.plural);
}

// The request body as JSON text: JSON as sent, protobuf decoded.
std::variant<std::string, ApiResponse> body_json(const ApiRequest& request) {
  if (request.content_type.rfind("application/vnd.kubernetes.protobuf", 0) == 0) {
    auto decoded = protobuf_to_json(request.body);
    if (auto* error = std::get_if<ProtobufError>(&decoded))
      return error_response(415, "UnsupportedMediaType", error->message);
    return std::get<std::string>(decoded);
  }
  return request.body;
}

// Secrets: stringData is write-only and merged into data (base64), as the real API does.
void fold_string_data(const ResourceInfo& info, rapidjson::Document& doc) {
  if (info.type.plural != "secrets")
    return;
  auto* string_data = member(doc, "stringData");
  if (!string_data || !string_data->IsObject())
    return;
  auto& alloc = doc.GetAllocator();
  auto& data = ensure_object(doc, "data", alloc);
  for (const auto& entry : string_data->GetObject())
    if (entry.value.IsString())
      set_string(
          data, entry.name.GetString(),
          base64_encode(std::string_view(entry.value.GetString(), entry.value.GetStringLength())),
          alloc);
  doc.RemoveMember("stringData");
}

// Main-resource writes keep the stored status; /status writes change only the status.
void apply_status_rules(const ResourceInfo& info, const std::string& subresource,
                        const rapidjson::Value& old, rapidjson::Document& doc) {
  auto& alloc = doc.GetAllocator();
  if (subresource == "status") {
    rapidjson::Value status;
    if (const auto* new_status = member(doc, "status"))
      status.CopyFrom(*new_status, alloc);
    doc.CopyFrom(old, alloc);
    if (!status.IsNull())
      set_member(doc, "status", std::move(status), alloc);
    return;
  }
  if (!info.has_status)
    return;
  doc.RemoveMember("status");
  if (const auto* old_status = member(old, "status"))
    set_member(doc, "status", rapidjson::Value(*old_status, alloc), alloc);
}

ApiResponse invalid_response(const ResourceInfo& info, const rapidjson::Value& object,
                             const FieldError& error) {
  return ApiResponse{422, "application/json",
                     invalid_status_json(info, string_at(object, "metadata.name"), error)};
}

// A write whose object carries a metadata.resourceVersion other than the stored one: the real
// API's optimistic-concurrency answer (409 Conflict), for updates and for patches alike.
ApiResponse conflict_response(const ResourceInfo& info, const std::string& name) {
  return error_response(409, "Conflict",
                        "Operation cannot be fulfilled on " + object_ref(info, name) +
                            ": the object has been modified; please apply your changes to the "
                            "latest version and try again",
                        name, info.type.plural);
}

// The resourceVersion precondition: empty (none sent) or equal to the stored one passes.
bool stale(const std::string& sent, const rapidjson::Value& stored) {
  return !sent.empty() && sent != string_at(stored, "metadata.resourceVersion");
}

std::string deleted_status(const ResourceInfo& info, const std::string& name,
                           const std::string& object_json) {
  std::string uid;
  if (auto doc = parse_json(object_json))
    uid = string_at(*doc, "metadata.uid");
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":)" +
         quote(name) + ",\"group\":" + quote(info.type.group) +
         ",\"kind\":" + quote(info.type.plural) + ",\"uid\":" + quote(uid) + "}}";
}

} // namespace

ApiResponse ApiServer::create(const ApiRequest& request, const Route& route,
                              const ResourceInfo& info) {
  auto body = body_json(request);
  ApiResponse response;
  std::string text =
      std::holds_alternative<std::string>(body) ? std::get<std::string>(body) : request.body;
  auto finish = [&](ApiResponse r) {
    log_mutation(request, route, r, text, "");
    return r;
  };
  if (auto* error = std::get_if<ApiResponse>(&body))
    return finish(*error);
  auto doc = parse_json(text);
  if (!doc || !doc->IsObject())
    return finish(error_response(400, "BadRequest", "the request body is not a JSON object"));
  std::string body_ns = string_at(*doc, "metadata.namespace");
  if (info.type.namespaced && !body_ns.empty() && body_ns != route.ns)
    return finish(error_response(
        400, "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request"));
  fold_string_data(info, *doc);
  auto& meta = ensure_object(*doc, "metadata", doc->GetAllocator());
  if (!string_member(meta, "name").empty() || string_member(meta, "generateName").empty())
    if (auto invalid = validate_object(info, *doc))
      return finish(invalid_response(info, *doc, *invalid));
  if (is_dry_run(request)) {
    std::string name = string_member(meta, "name");
    if (store_.get(info.type.plural, route.ns, name))
      return finish(error_response(409, "AlreadyExists", object_ref(info, name) + " already exists",
                                   name, info.type.plural));
    if (info.type.namespaced && !store_.get("namespaces", "", route.ns))
      return finish(error_response(404, "NotFound", "namespaces \"" + route.ns + "\" not found"));
    set_string(meta, "uid", random_uuid(), doc->GetAllocator());
    set_string(meta, "creationTimestamp", now_rfc3339(), doc->GetAllocator());
    return finish(ApiResponse{201, "application/json", to_json(*doc)});
  }
  auto result = store_.create(info.type.plural, info.type.namespaced ? route.ns : "", to_json(*doc),
                              Origin::client);
  if (auto* error = std::get_if<Store::WriteError>(&result))
    return finish(from_write_error(*error, info, string_member(meta, "name")));
  return finish(ApiResponse{201, "application/json", std::get<std::string>(result)});
}

ApiResponse ApiServer::update(const ApiRequest& request, const Route& route,
                              const ResourceInfo& info) {
  auto finish = [&](ApiResponse r) {
    log_mutation(request, route, r, request.body, "");
    return r;
  };
  auto current = store_.get(info.type.plural, route.ns, route.name);
  if (!current)
    return finish(error_response(404, "NotFound", not_found_message(info, route.name), route.name,
                                 info.type.plural));
  auto old = parse_json(*current);
  auto doc = parse_json(request.body);
  if (!doc || !doc->IsObject())
    return finish(error_response(400, "BadRequest", "the request body is not a JSON object"));
  // An update carrying metadata.resourceVersion is conditional on it (also for /status and
  // /scale, whose bodies are folded into the stored object below); without one it is not.
  const std::string sent_rv = string_at(*doc, "metadata.resourceVersion");
  if (stale(sent_rv, *old))
    return finish(conflict_response(info, route.name));
  if (route.subresource == "scale") {
    const auto* replicas = find_path(*doc, "spec.replicas");
    if (!replicas || !replicas->IsInt())
      return finish(error_response(400, "BadRequest", "a Scale needs spec.replicas"));
    int wanted = replicas->GetInt();
    doc->CopyFrom(*old, doc->GetAllocator());
    set_member(ensure_object(*doc, "spec", doc->GetAllocator()), "replicas",
               rapidjson::Value(wanted), doc->GetAllocator());
  } else {
    fold_string_data(info, *doc);
    apply_status_rules(info, route.subresource, *old, *doc);
  }
  if (!sent_rv.empty()) // the store checks it again under its lock (a write may come between)
    set_string(ensure_object(*doc, "metadata", doc->GetAllocator()), "resourceVersion", sent_rv,
               doc->GetAllocator());
  if (auto invalid = validate_object(info, *doc))
    return finish(invalid_response(info, *doc, *invalid));
  if (is_dry_run(request))
    return finish(ApiResponse{200, "application/json", to_json(*doc)});
  auto result =
      store_.replace(info.type.plural, route.ns, route.name, to_json(*doc), Origin::client);
  if (auto* error = std::get_if<Store::WriteError>(&result))
    return finish(from_write_error(*error, info, route.name));
  return finish(ApiResponse{200, "application/json", std::get<std::string>(result)});
}

ApiResponse ApiServer::patch(const ApiRequest& request, const Route& route,
                             const ResourceInfo& info) {
  auto type = patch_type_from_content_type(request.content_type);
  std::string type_name = type ? std::string(patch_type_name(*type)) : request.content_type;
  auto finish = [&](ApiResponse r) {
    log_mutation(request, route, r, request.body, type_name);
    return r;
  };
  if (!type)
    return finish(error_response(
        415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json"));
  // Patch, status rules and validation run under the store lock (Store::update), so concurrent
  // patches never lose each other's changes.
  std::optional<ApiResponse> failure;
  std::string dry_result;
  bool dry_run = is_dry_run(request);
  auto apply = [&](rapidjson::Document& doc) {
    rapidjson::Document old;
    old.CopyFrom(doc, old.GetAllocator());
    if (auto error = apply_patch(*type, request.body, doc)) {
      failure = error_response(*type == PatchType::json ? 422 : 400,
                               *type == PatchType::json ? "Invalid" : "BadRequest", *error);
      return false;
    }
    // A patch that sets metadata.resourceVersion makes it a precondition, as in the real API
    // (a patch without one, or one removing it, is unconditional).
    if (stale(string_at(doc, "metadata.resourceVersion"), old)) {
      failure = conflict_response(info, route.name);
      return false;
    }
    if (route.subresource == "scale") {
      const auto* replicas = find_path(doc, "spec.replicas");
      int wanted = replicas && replicas->IsInt() ? replicas->GetInt() : 0;
      doc.CopyFrom(old, doc.GetAllocator());
      set_member(ensure_object(doc, "spec", doc.GetAllocator()), "replicas",
                 rapidjson::Value(wanted), doc.GetAllocator());
    }
    fold_string_data(info, doc);
    apply_status_rules(info, route.subresource == "scale" ? "" : route.subresource, old, doc);
    if (auto invalid = validate_object(info, doc)) {
      failure = invalid_response(info, doc, *invalid);
      return false;
    }
    if (dry_run) {
      dry_result = to_json(doc);
      return false;
    }
    return doc != old;
  };
  auto result = store_.update(info.type.plural, route.ns, route.name, apply, Origin::client);
  if (auto* error = std::get_if<Store::WriteError>(&result))
    return finish(from_write_error(*error, info, route.name));
  if (failure)
    return finish(*failure);
  return finish(
      ApiResponse{200, "application/json", dry_run ? dry_result : std::get<std::string>(result)});
}

ApiResponse ApiServer::remove(const ApiRequest& request, const Route& route,
                              const ResourceInfo& info) {
  auto finish = [&](ApiResponse r) {
    log_mutation(request, route, r, request.body, "");
    return r;
  };
  if (is_dry_run(request)) {
    auto current = store_.get(info.type.plural, route.ns, route.name);
    if (!current)
      return finish(error_response(404, "NotFound", not_found_message(info, route.name), route.name,
                                   info.type.plural));
    return finish(ApiResponse{200, "application/json", deleted_status(info, route.name, *current)});
  }
  auto result = store_.remove(info.type.plural, route.ns, route.name, Origin::client);
  if (auto* error = std::get_if<Store::WriteError>(&result))
    return finish(from_write_error(*error, info, route.name));
  return finish(ApiResponse{200, "application/json",
                            deleted_status(info, route.name, std::get<std::string>(result))});
}

ApiResponse ApiServer::remove_collection(const ApiRequest& request, const Route& route,
                                         const ResourceInfo& info) {
  auto finish = [&](ApiResponse r) {
    log_mutation(request, route, r, request.body, "");
    return r;
  };
  auto labels = parse_label_selector(request.param("labelSelector"));
  if (auto* error = std::get_if<std::string>(&labels))
    return finish(error_response(400, "BadRequest", *error));
  auto fields = parse_field_selector(request.param("fieldSelector"));
  if (auto* error = std::get_if<std::string>(&fields))
    return finish(error_response(400, "BadRequest", *error));
  std::string items;
  for (const auto& text : store_.list(info.type.plural, route.ns)) {
    auto doc = parse_json(text);
    if (!doc || !std::get<LabelSelector>(labels).matches(*doc) ||
        !std::get<FieldSelector>(fields).matches(*doc))
      continue;
    if (!is_dry_run(request))
      store_.remove(info.type.plural, string_at(*doc, "metadata.namespace"),
                    string_at(*doc, "metadata.name"), Origin::client);
    items += (items.empty() ? "" : ",") + text;
  }
  return finish(ApiResponse{200, "application/json",
                            "{\"kind\":" + quote(info.type.kind + "List") +
                                ",\"apiVersion\":" + quote(info.api_version()) +
                                ",\"metadata\":{},\"items\":[" + items + "]}"});
}

} // namespace sim
