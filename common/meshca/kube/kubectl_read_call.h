#pragma once
// The kubectl reads that have an exact API request: `kubectl get` of a known resource type as
// JSON or names, and `kubectl get --raw PATH`. Given kubectl's arguments, says which GET to send
// and turns the API's answer into what kubectl would have printed and exited with, so a caller of
// a KubectlRunner cannot tell the two apart (see proxied_reads.h). Pure: tested on its own.
//
// Anything else (writes, exec, other output formats or flags, a namespaced type without -n or
// -A, which kubectl resolves against the kubeconfig's namespace) is not a read call here and
// stays a kubectl process. Secrets are deliberately not among the types, nor raw paths under
// .../secrets: their data (CA keys) stays in kubectl, which prints only the fields asked for.

#include "meshca/util/process.h"
#include "meshca/util/result.h"

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

struct ReadCall {
  enum class Output { json, name, raw };
  Output output = Output::json;
  std::string path;  // /api/v1/namespaces/istio-system/configmaps[/NAME]
  std::string query; // "labelSelector=...&fieldSelector=..." (percent-encoded), or ""
  bool list = false; // a list (no object name): kubectl pages it and prints a List
  bool ignore_not_found = false;
  std::string type;        // plural lower case as the API names it: "configmaps"
  std::string kind;        // "ConfigMap": each listed item gets it, as kubectl prints
  std::string api_version; // "v1", "apps/v1"
  std::string name_prefix; // -o name's prefix: "configmap", "deployment.apps"
  std::string name;        // the object, when not a list
};

// The GET for `args` (kubectl's arguments, connection flags excluded), or nullopt when the call
// is not one of the reads above.
std::optional<ReadCall> read_call_for(const std::vector<std::string>& args);

// The target of one request of `call`: its path and query, with `limit` and `continue` for a
// list page (kubectl's --chunk-size is 500).
std::string read_call_target(const ReadCall& call, std::string_view continue_token = {});

// What kubectl prints and exits with for an answer that is not 2xx: "Error from server
// (NotFound): configmaps \"x\" not found" from the API's Status (its reason and message; the
// HTTP status's reason when the body is not a Status), exit 1. A list answered 404 means the type
// is not served: kubectl's `error: the server doesn't have a resource type "T"`. A 404 with
// --ignore-not-found is an empty success.
ProcessOutput read_call_failure(const ReadCall& call, int status, std::string_view body);

// The standard output for the objects read: one object as JSON; a list's pages' items, each
// given its kind and apiVersion, as kubectl's {"apiVersion":"v1","items":[...],"kind":"List"};
// -o name lines ("configmap/x"); a raw body as is. Error (bad JSON) names the target.
class ReadCallOutput {
 public:
  explicit ReadCallOutput(const ReadCall& call) : call_(call) {}

  // Adds one answer (a page of a list); returns the continue token ("" when it was the last
  // page), or an error naming `target` when the body is not the JSON expected.
  Result<std::string> add(std::string_view target, std::string body);

  // kubectl's standard output for everything added.
  std::string text() const;

 private:
  const ReadCall& call_;
  std::string raw_;                                  // raw: the body
  rapidjson::Document object_;                       // one object
  rapidjson::Document items_{rapidjson::kArrayType}; // a list's items so far
};

} // namespace meshca
