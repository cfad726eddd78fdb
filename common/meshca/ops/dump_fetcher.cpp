#include "meshca/ops/dump_fetcher.h"

namespace meshca {

std::string config_dump_path(WantClusters clusters) {
  std::string path = "config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets";
  if (clusters == WantClusters::yes)
    path += ",dynamic_active_clusters,static_clusters";
  return path;
}

std::vector<std::string> KubectlExecFetcher::exec_args(const SidecarPod& pod) const {
  return {"exec",        "--namespace", pod.ns, pod.name, "--container", "istio-proxy", "--",
          "pilot-agent", "request",     "GET",  path_};
}

Result<std::string> KubectlExecFetcher::fetch(const SidecarPod& pod) {
  const auto args = exec_args(pod);
  auto output = run_checked(kubectl_, args,
                            "pod \"" + pod.ns + "/" + pod.name + "\": reading the proxy's config dump",
                            std::nullopt, timeout_);
  if (!output)
    return output.error();
  return std::move(output->out);
}

} // namespace meshca
