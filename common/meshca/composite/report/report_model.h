#pragma once
// What `kubectl meshca report` shows (DESIGN.md, report; docs/report.md): one read of every
// cluster, reduced to what the change ticket needs. Plain values only, so the HTML page and the
// JSON document (`MigrationReport`) are both drawn from this and nothing else, and tests build it
// by hand. Every string in it may come from the cluster (names, labels, annotations, the
// kubeconfig user) and must be escaped by whatever renders it.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

using ReportTime = std::chrono::system_clock::time_point;

// One step of a cluster's migration plan (migrate plan's view).
struct ReportStep {
  int number = 0;                   // 1-based, in plan order
  std::string id;                   // "relabel-round1"
  std::string title;                // "move every injected namespace to asm-mcroot"
  std::string state;                // done, next, blocked, waiting, pending
  std::string gate;                 // what must hold before it runs
  std::string command;              // what runs it
  std::string evidence;             // why it is done, blocked or waiting (may be empty)
  std::vector<std::string> details; // blocking pods, failing checks
};

// Section 1: one per cluster.
struct ReportCluster {
  std::string context;  // the --context ("" for the kubeconfig's current one)
  std::string label;    // "east" or "the current context": what the page calls it
  ReportTime read_at{}; // when this cluster was read
  std::string error;    // set when the cluster could not be read; the rest is then empty
  std::string phase;    // status's phase ("ready-to-relabel", "migrated", ...)
  // ready: the next step can run; blocked: a gate fails; waiting: another cluster must catch
  // up; finished: nothing left; unreadable: see error.
  std::string verdict;
  std::string reason; // why blocked or waiting, or what the next step does (one line)
  std::optional<ReportStep> next;
  std::vector<std::string> old_revisions;
  std::string round1_revision; // "" when not installed
  std::string round2_revision;
  std::vector<ReportStep> steps; // the whole plan
  std::size_t sidecars = 0;      // sidecars read (in every namespace, not only the report's scope)
  std::size_t unreadable = 0;    // sidecars whose config dump could not be read
};

// "[CITADEL MESHCA]" and how many pods.
struct ReportCount {
  std::string label;
  std::size_t count = 0;
};

// Section 2: one per namespace in scope, per cluster.
struct ReportNamespace {
  std::string context;
  std::string name;
  std::string injection; // the label that injects it: "istio.io/rev=asm-2",
                         // "istio-injection=enabled", or "" (not injected)
  std::size_t pods = 0;  // sidecar pods read
  std::size_t unreadable = 0;
  std::vector<ReportCount> revisions;  // pods per injecting revision, largest first
  std::vector<ReportCount> trust_sets; // pods per trust set ("[CITADEL MESHCA]"), largest first
  std::vector<ReportCount> issuers;    // pods per certificate issuer ("MESHCA", "unknown")
  // Pods that accept no trust domain of Citadel's or of Mesh CA's (check-root --trust-domain):
  // they reject every peer with a certificate of that CA.
  std::size_t trust_domain_gaps = 0;
};

// Section 3: sidecars grouped by trust bundle and issuing chain; can each group verify each
// other's certificate chain (OpenSSL)?
struct ReportMtlsGroup {
  std::string id; // "G1"
  std::size_t pods = 0;
  std::string trusts;      // "[CITADEL MESHCA]"
  std::string issuer;      // "CITADEL", "MESHCA" or "unknown"
  std::string example_pod; // "context: ns/name" or "ns/name"
};
struct ReportMtls {
  std::vector<ReportMtlsGroup> groups;
  // accepts[i][j]: group i's bundle verifies group j's chain (i is the server checking the
  // client j, and the other way round for j → i). reasons[i][j]: why not, where false.
  std::vector<std::vector<bool>> accepts;
  std::vector<std::vector<std::string>> reasons;
  bool all_can_talk() const;
};

// Section 4: one certificate on the expiry timeline.
struct ReportCertificate {
  std::string kind;    // "root", "intermediate" or "workload"
  std::string subject; // the subject DN, or a workload's SPIFFE ID
  std::string ca;      // "CITADEL", "MESHCA" or "" when not known
  std::string sha256;  // the certificate's fingerprint (hex, colon-free)
  ReportTime not_after{};
  // Workload certificates only: when its agent should have renewed it. pilot-agent renews at
  // SECRET_GRACE_PERIOD_RATIO (default 0.5) of the lifetime, so a 24 h certificate is always
  // "closer than 60 days" and only one past this point is a finding (docs/report.md).
  std::optional<ReportTime> renew_by;
  std::size_t pods = 0;    // sidecars that trust (root) or hold (intermediate, workload) it
  std::string example_pod; // one of them, "ns/name"
  std::vector<std::string> contexts; // the clusters where it was seen
};

// Section 5: one failing (source workload → destination service) pair.
struct ReportTrafficPair {
  std::string context;
  std::string source;      // "sleep.frontend" (workload.namespace)
  std::string destination; // the service's FQDN
  double failures = 0;
  double requests = 0;     // all requests or connections counted for the pair
  std::string explanation; // why it fails, from the certificates ("" when unknown)
};
struct ReportTraffic {
  std::string window; // "60s (two reads)" or "since before.json (taken ...)"
  std::size_t sidecars = 0;
  std::size_t pairs = 0; // every pair seen
  std::vector<ReportTrafficPair> failing;
  std::vector<std::string> problems; // pods that could not reach istiod or rejected handshakes
};

// Section 6: preflight per cluster, and the ledger's records.
struct ReportFinding {
  std::string result; // "ok", "warn", "FAIL"
  std::string group;  // "Control-plane revisions"
  std::string object;
  std::string text;
  std::string fix;
};
struct ReportPreflight {
  std::string context;
  std::string step; // round1, round2, cleanup, prune
  std::string revision;
  std::string verdict;                 // "round1 to asm-2: ready, 1 warning"
  std::vector<ReportFinding> findings; // failures and warnings first
};
struct ReportLedgerEntry {
  std::string context;
  std::string step;
  std::string revision;
  std::string time; // RFC 3339
  std::string user;
  std::string command;
  std::string evidence;
  std::string sha256;
};

// Per-pod detail: in the JSON only (the page aggregates).
struct ReportPod {
  std::string context;
  std::string ns;
  std::string name;
  std::string revision;
  std::string error;
  std::string trusts; // "[CITADEL MESHCA]"
  std::string issuer; // "" when not read
  std::string spiffe_id;
  std::optional<ReportTime> cert_not_after;
  std::vector<std::string> trust_domains;
};

// Section 7: how to reproduce each figure.
struct ReportCommand {
  std::string figure;  // "Progress per namespace"
  std::string command; // "kubectl meshca check-root -A --workload-cert -o json --context east"
};

struct MigrationReport {
  std::string version; // the suite's version
  ReportTime generated_at{};
  std::vector<std::string> scope;             // the namespaces shown; empty: every namespace
  std::chrono::hours expiry_warning{60 * 24}; // certificates closer than this are flagged
  std::vector<ReportCluster> clusters;
  std::vector<ReportNamespace> namespaces;
  std::optional<ReportMtls> mtls; // absent when no sidecar holds a readable certificate
  std::vector<ReportCertificate> certificates; // roots, intermediates, earliest workload certs
  std::optional<ReportTraffic> traffic;        // when --since or --window was given
  std::vector<ReportPreflight> preflight;
  std::vector<ReportLedgerEntry> ledger;
  std::vector<ReportPod> pods; // JSON only
  std::vector<ReportCommand> commands;
  std::vector<std::string> warnings; // what could not be read or was assumed
};

} // namespace meshca
