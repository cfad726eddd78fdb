#pragma once
// Namespace names read from a pipe: the `-o name` lines one command prints are the next
// command's input (`kubectl meshca relabel ns a --revision R -o name | kubectl meshca rollout -`).

#include "meshca/util/result.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// Reads one namespace per line: `namespace/foo`, `foo`, or `namespace/foo labeled` (kubectl's
// trailing verb, which may be several words: `namespace/foo not labeled`). The kinds
// `namespace`, `namespaces` and `ns` are accepted. Blank lines and `#` comments are skipped,
// surrounding whitespace and a trailing '\r' are ignored, and repeated names are kept once, in
// the order first seen. A line naming another kind (`pod/foo`) or holding something that is not
// a namespace name is bad_input naming the line: `stdin line 3: "pod/web-1" is not a namespace`.
Result<std::vector<std::string>> read_namespace_names(std::istream& in);

// True for a DNS-1123 label, the rule for namespace names: 1-63 characters of [a-z0-9-],
// beginning and ending with a letter or digit.
bool is_dns1123_label(std::string_view name);

// The namespaces a read-only command is given: `names` (its positionals) plus -n, checked as
// DNS-1123 labels (so kubectl never sees a non-name), sorted, each once. -A with any of them is
// bad_input, as is a name that is not a namespace name.
Result<std::vector<std::string>>
namespaces_to_read(std::vector<std::string> names, const std::optional<std::string>& namespace_flag,
                   bool all_namespaces);

// True for a DNS-1035 label, the rule for revision names: a DNS-1123 label that begins with a
// letter.
bool is_dns1035_label(std::string_view name);

} // namespace meshca
