#pragma once
// The REST semantics of the simulated kube-apiserver, independent of the HTTP transport:
// discovery, get/list (JSON or server-side Table), create/update/patch/delete with dryRun,
// the /simctl control endpoints, and the plans for the two streaming verbs (watch, exec).

#include "server/exec.h"
#include "server/faults.h"
#include "server/mutation_log.h"
#include "server/request.h"
#include "server/resources.h"
#include "server/selectors.h"
#include "server/stats.h"
#include "server/store.h"
#include "server/table.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace sim {

// Everything a watch stream needs, resolved from the request.
struct WatchPlan {
  std::string plural, ns;
  std::uint64_t since = 0; // resourceVersion to resume after; 0: send current objects first
  LabelSelector labels;
  FieldSelector fields;
  bool table = false;
  int timeout_seconds = 0; // 0: until the client goes away
};

class ApiServer {
 public:
  ApiServer(Store& store, Faults& faults, MutationLog& log, Stats& stats);

  // Answers every non-streaming request (watch and exec requests get 400 here).
  ApiResponse handle(const ApiRequest& request, const Route& route);

  // Extra GET endpoints by exact path (e.g. /meshca/spiffe_bundle.json).
  void add_get_route(const std::string& path, std::function<ApiResponse()> handler);
  // Extra control endpoints /simctl/<name> (e.g. the mesh's /simctl/install): every method.
  void add_simctl_route(const std::string& name,
                        std::function<ApiResponse(const ApiRequest&)> handler);

  // A watch request: the plan, or the error answer (unknown resource, bad selector, 410 Expired
  // is decided later by the store).
  std::variant<WatchPlan, ApiResponse> prepare_watch(const ApiRequest& request,
                                                     const Route& route) const;
  // One JSON line ({"type":"ADDED","object":...}\n) for a change, or nullopt when it does not
  // match the plan's selectors.
  std::optional<std::string> watch_event(const WatchPlan& plan, const Change& change) const;

  // An exec request: the resolved ExecRequest, or the error answer (404 pod, 400 container or
  // phase, 400 no command).
  std::variant<ExecRequest, ApiResponse> prepare_exec(const ApiRequest& request,
                                                      const Route& route) const;

  // Records a mutating request answered by a fault instead of the handler (code 0: dropped).
  void log_fault(const ApiRequest& request, const Route& route, int code);

  Store& store() { return store_; }
  Faults& faults() { return faults_; }
  Stats& stats() { return stats_; }

 private:
  ApiResponse handle_simctl(const ApiRequest& request, const Route& route);
  ApiResponse handle_resource(const ApiRequest& request, const Route& route,
                              const ResourceInfo& info);
  ApiResponse get(const ApiRequest& request, const Route& route, const ResourceInfo& info) const;
  ApiResponse list(const ApiRequest& request, const Route& route, const ResourceInfo& info) const;
  ApiResponse create(const ApiRequest& request, const Route& route, const ResourceInfo& info);
  ApiResponse update(const ApiRequest& request, const Route& route, const ResourceInfo& info);
  ApiResponse patch(const ApiRequest& request, const Route& route, const ResourceInfo& info);
  ApiResponse remove(const ApiRequest& request, const Route& route, const ResourceInfo& info);
  ApiResponse remove_collection(const ApiRequest& request, const Route& route,
                                const ResourceInfo& info);
  void log_mutation(const ApiRequest& request, const Route& route, const ApiResponse& response,
                    const std::string& body_json, const std::string& patch_type);

  Store& store_;
  Faults& faults_;
  MutationLog& log_;
  Stats& stats_;
  std::map<std::string, std::function<ApiResponse()>> get_routes_;
  std::map<std::string, std::function<ApiResponse(const ApiRequest&)>> simctl_routes_;
};

// Helpers shared by the read and write halves.
bool wants_table(const ApiRequest& request);
bool is_dry_run(const ApiRequest& request);
std::string object_ref(const ResourceInfo& info, const std::string& name); // pods "x"
std::string not_found_message(const ResourceInfo& info, const std::string& name);
std::optional<std::string> unsupported_field(const ResourceInfo& info,
                                             const FieldSelector& selector);

} // namespace sim
