#pragma once
// prune-revision's Service check (istio/istio#33822, istio.io#7957: removing a canary deleted its
// gateways): a Service whose only ready endpoints are pods of the gateway Deployments being
// pruned would be left with none. Pure: Services and pods as listed; endpoints are derived from
// each Service's selector, as the endpoints controller does (Services without a selector are
// not judged).

#include "meshca/commands/prune_revision/prune_revision_plan.h"

#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

// One blocker per Service that would lose its last ready endpoint: what names the Service, its
// type and external address and the pods; fix says how to keep it served.
std::vector<PruneBlocker> orphaned_services(const PrunePlan& plan, const rapidjson::Value& services,
                                            const rapidjson::Value& pods);

} // namespace meshca
