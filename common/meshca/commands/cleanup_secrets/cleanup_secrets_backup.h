#pragma once
// The CA secrets' backup: what is saved (a manifest that re-creates the Secret, server-set fields
// stripped), where (DIR/<name>.yaml), and the proof that it re-creates the same Secret.

#include "meshca/kube/kubectl.h"
#include "meshca/util/private_files.h"
#include "meshca/util/result.h"

#include <array>
#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace meshca {

inline constexpr const char* kIstioNamespace = "istio-system";
// The secrets Citadel keeps its CA in: a plugged-in CA and the self-signed one.
inline constexpr std::array<const char*, 2> kCaSecretNames = {"cacerts", "istio-ca-secret"};
// Present in the backup folder from the first delete until istiod was restarted, so a re-run
// after a failed restart restarts even though the secrets are already gone.
inline constexpr const char* kRestartPendingFile = "restart-pending";

// "cacerts.yaml".
std::string backup_file_name(std::string_view secret);

// The Secret as a manifest that `kubectl create -f` re-creates: apiVersion, kind, type, data,
// immutable, and metadata name, namespace, labels and annotations, but none of uid,
// resourceVersion, creationTimestamp, managedFields, ownerReferences, selfLink, generation, and
// no kubectl.kubernetes.io/last-applied-configuration annotation (it would repeat the data).
rapidjson::Document secret_manifest(const rapidjson::Value& fetched);

// The backup file's text: a comment naming the Secret, then the manifest as YAML. Deterministic:
// the same Secret always gives the same bytes, so a re-run recognises its own backup.
std::string backup_text(const rapidjson::Value& manifest);

// True when both Secrets hold the same type and data (metadata is not compared).
bool same_secret_content(const rapidjson::Value& a, const rapidjson::Value& b);

// What `kubectl create -f -` would create from `text`, parsed by kubectl itself
// (`create -f - --dry-run=client -o json`, the text on stdin, nothing sent to the cluster).
// `what` names the file in messages. A manifest that is not one Secret named `secret` in
// istio-system is bad_input.
Result<rapidjson::Document> parse_backup(KubectlRunner& kubectl, const std::string& text,
                                         std::string_view secret, const std::string& what);

enum class BackupOutcome { written, reused };

// Saves `fetched` (the Secret as read) into `dir`, then proves the file re-creates it: read back
// byte for byte (write_private_file) and parsed by kubectl to the same type and data. A file of
// the same name with other content is left alone: bad_input.
Result<BackupOutcome> back_up_secret(KubectlRunner& kubectl, const std::string& dir,
                                     const rapidjson::Value& fetched,
                                     const DurabilityHooks& hooks = {});

} // namespace meshca
