#pragma once
// Start-up chores of the simulator: its own kubeconfig, the ready file, seed objects, and the
// namespaces every cluster has.

#include "server/store.h"

#include <optional>
#include <string>

namespace sim {

// Writes a kubeconfig whose only context `context_name` points at http://127.0.0.1:PORT with a
// token user. Returns an error message when the file cannot be written.
std::optional<std::string> write_kubeconfig(const std::string& path, unsigned short port,
                                            const std::string& context_name);

// Writes `text` to `path` atomically (temp file + rename), so a reader never sees half of it.
std::optional<std::string> write_file_atomically(const std::string& path, const std::string& text);

// Creates the objects of a seed file: a JSON array of objects, or a List ({"items": [...]}).
// Namespaces are created first; each object's kind picks its resource type. Returns an error
// naming the object that failed.
std::optional<std::string> load_seed(const std::string& path, Store& store);

// Creates default, kube-system, kube-public and kube-node-lease when they do not exist.
void ensure_system_namespaces(Store& store);

} // namespace sim
