#pragma once
// Every pod of a cluster read through kubectl a page at a time (`kubectl get --raw` with `limit`
// and `continue`, as the in-process lister does through kubectl proxy), each page reduced to the
// sidecar pods it holds before the next is read: memory stays bounded by one page (500 pods),
// where `kubectl get pods -A -o json` prints the whole list at once (about 10 MB per 1,000 pods,
// several times that as a document).

#include "meshca/kube/kubectl.h"
#include "meshca/mesh/pod_pager.h"
#include "meshca/mesh/sidecar_pods.h"
#include "meshca/util/result.h"

#include <cstddef>

namespace meshca {

// The sidecar pods of every namespace but the system ones (PodSelection's counts cover every pod
// read). A continue token that expired (410 Gone) starts the list over, once. cluster_error when
// a page cannot be read, or the token expired again.
Result<PodSelection> list_sidecar_pods_paged(KubectlRunner& kubectl, int page_size = 500);

// The same read, every namespace included when `skip_system_namespaces` is false, each page also
// shown to `observer` (mesh/pod_pager.h).
Result<PodSelection> list_pods_paged(KubectlRunner& kubectl, bool skip_system_namespaces,
                                     const PageObserver* observer, int page_size = 500);

} // namespace meshca
