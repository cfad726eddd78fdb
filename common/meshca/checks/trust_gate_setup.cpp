#include "meshca/checks/trust_gate_setup.h"

#include "meshca/mesh/meshca_bundle_source.h"
#include "meshca/util/interrupt.h"

#include <ostream>

namespace meshca {

ClusterTarget first_cluster(MeshConnection& mesh, const CommonOptions& common) {
  return {common.connection().context.value_or(""), &mesh.runner(), mesh.readers.lister.get(),
          mesh.readers.fetcher.get()};
}

TrustGateSession::TrustGateSession(std::string kubectl_path, const CommonOptions& common,
                                   std::optional<std::string> meshca_bundle, std::ostream& notes,
                                   ClusterTarget first)
    : kubectl_path_(std::move(kubectl_path)), common_(common),
      meshca_bundle_(std::move(meshca_bundle)), notes_(notes), first_(std::move(first)) {}

TrustGateSession::TrustGateSession(std::vector<ClusterTarget> open_clusters,
                                   const MeshCaRecognizer& recognizer, std::ostream& notes)
    : notes_(notes), open_clusters_(std::move(open_clusters)), recognizer_in_use_(&recognizer) {}

TrustGateSession::~TrustGateSession() {
  gate_.reset(); // the gate reads through the readers; they stop their proxies last
  proxied_.clear();
  readers_.clear();
}

Status TrustGateSession::open() {
  if (gate_)
    return Done{};
  if (!recognizer_in_use_) {
    MESHCA_TRY_ASSIGN(auto recognizer,
                      load_meshca_recognizer({meshca_bundle_, default_cache_dir()}));
    recognizer_ = std::move(recognizer);
    recognizer_in_use_ = &*recognizer_;
  }
  notes_ << "trust gate: " << recognizer_in_use_->description() << '\n';
  if (open_clusters_.empty())
    MESHCA_TRY(start_clusters());
  MeshTrustGate::Settings settings;
  settings.clusters = open_clusters_;
  settings.recognizer = recognizer_in_use_;
  settings.cancel = &interrupt_flag();
  gate_ = std::make_unique<MeshTrustGate>(std::move(settings));
  return Done{};
}

Status TrustGateSession::start_clusters() {
  const Verbose verbose = common_.verbose ? Verbose::yes : Verbose::no;
  std::vector<ClusterTarget> clusters;
  for (const ConnectionFlags& flags : common_.connections()) {
    if (clusters.empty() && first_.kubectl != nullptr) {
      clusters.push_back(first_);
      continue;
    }
    runners_.push_back(std::make_unique<Kubectl>(kubectl_path_, flags, verbose));
    ReaderSettings reader;
    reader.proxy.kubectl = kubectl_path_;
    reader.proxy.flags = flags;
    reader.proxy.verbose = verbose;
    reader.proxy.echo = &notes_;
    MESHCA_TRY_ASSIGN(auto opened, open_cluster_readers(reader, notes_));
    readers_.push_back(std::move(opened));
    KubectlRunner* runner = runners_.back().get();
    if (auto proxied =
            proxied_reads_for(readers_.back(), *runners_.back(), flags, reader.timeout)) {
      proxied_.push_back(std::move(proxied));
      runner = proxied_.back().get();
    }
    clusters.push_back({flags.context.value_or(""), runner, readers_.back().lister.get(),
                        readers_.back().fetcher.get()});
  }
  open_clusters_ = std::move(clusters); // only once every cluster is open
  return Done{};
}

TrustGateCheck TrustGateSession::check() {
  return [this](const std::string& revision) -> Result<TrustGateVerdict> {
    MESHCA_TRY(open());
    return gate_->check(revision);
  };
}

} // namespace meshca
