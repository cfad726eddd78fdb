#pragma once
// prune-revision's Service check (istio/istio#33822, istio.io#7957: removing a canary deleted its
// gateways): a Service whose only ready endpoints are pods of the gateway Deployments being
// pruned would be left with none. Pure: Services and pods as listed; endpoints are derived from
// each Service's selector, as the endpoints controller does (Services without a selector are
// not judged).

#include "meshca/commands/prune_revision/prune_revision_plan.h"
#include "meshca/mesh/namespace_labels.h"

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

// What the check needs of a ready pod: the pod list is read a page at a time (never held whole),
// and each page's ready pods are reduced to this.
struct ReadyPod {
  std::string ns;
  std::string name;
  std::string deployment; // from its ReplicaSet owner NAME-<pod-template-hash>; "" for none
  LabelMap labels;
};

// Appends the ready pods of one PodList page (or a whole list).
void add_ready_pods(const rapidjson::Value& pod_list, std::vector<ReadyPod>& ready);

// One blocker per Service that would lose its last ready endpoint: what names the Service, its
// type and external address and the pods; fix says how to keep it served.
std::vector<PruneBlocker> orphaned_services(const PrunePlan& plan, const rapidjson::Value& services,
                                            const std::vector<ReadyPod>& ready);

} // namespace meshca
