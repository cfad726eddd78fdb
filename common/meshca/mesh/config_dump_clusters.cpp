#include "meshca/mesh/config_dump_clusters.h"

#include "meshca/mesh/trust_domains.h"

#include <array>
#include <cstdint>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <set>
#include <utility>

namespace meshca::mesh {
namespace {

constexpr std::size_t kRefusalShown = 300;

// The fields that matter, each under its snake_case and camelCase spelling.
enum class Field : std::uint8_t {
  other,
  configs,
  type,          // "@type"
  san_plain,     // match_subject_alt_names: StringMatchers
  san_typed,     // match_typed_subject_alt_names: {san_type, matcher}
  san_verify,    // verify_subject_alt_name (v2): strings
  string_form,   // exact, prefix, contains
  safe_regex,    // safe_regex: {regex}
  regex,         // regex
  san_type,      // san_type
  matcher,       // matcher
  secret,        // an untyped DynamicSecret's secret
  secrets_dump,  // an untyped SecretsConfigDump's fields
  clusters_dump, // an untyped Clusters/ListenersConfigDump's fields
};

constexpr std::array<std::pair<std::string_view, Field>, 32> kFields{{
    {"configs", Field::configs},
    {"@type", Field::type},
    {"match_subject_alt_names", Field::san_plain},
    {"matchSubjectAltNames", Field::san_plain},
    {"match_typed_subject_alt_names", Field::san_typed},
    {"matchTypedSubjectAltNames", Field::san_typed},
    {"verify_subject_alt_name", Field::san_verify},
    {"verifySubjectAltName", Field::san_verify},
    {"exact", Field::string_form},
    {"prefix", Field::string_form},
    {"contains", Field::string_form},
    {"safe_regex", Field::safe_regex},
    {"safeRegex", Field::safe_regex},
    {"regex", Field::regex},
    {"san_type", Field::san_type},
    {"sanType", Field::san_type},
    {"matcher", Field::matcher},
    {"secret", Field::secret},
    {"dynamic_active_secrets", Field::secrets_dump},
    {"dynamicActiveSecrets", Field::secrets_dump},
    {"dynamic_warming_secrets", Field::secrets_dump},
    {"dynamicWarmingSecrets", Field::secrets_dump},
    {"static_secrets", Field::secrets_dump},
    {"staticSecrets", Field::secrets_dump},
    {"dynamic_active_clusters", Field::clusters_dump},
    {"dynamicActiveClusters", Field::clusters_dump},
    {"static_clusters", Field::clusters_dump},
    {"staticClusters", Field::clusters_dump},
    {"dynamic_listeners", Field::clusters_dump},
    {"dynamicListeners", Field::clusters_dump},
    {"static_listeners", Field::clusters_dump},
    {"staticListeners", Field::clusters_dump},
}};

Field field_of(std::string_view name) {
  for (const auto& [text, field] : kFields)
    if (text == name)
      return field;
  return Field::other;
}

// Inside a cluster only the SAN fields matter, and most keys are told apart by length alone.
Field san_field_of(std::string_view name) {
  switch (name.size()) {
  case 20: // matchSubjectAltNames, verifySubjectAltName
  case 23: // match_subject_alt_names, verify_subject_alt_name
  case 25: // matchTypedSubjectAltNames
  case 29: // match_typed_subject_alt_names
    return field_of(name);
  default:
    return Field::other;
  }
}

bool is_san_field(Field key) {
  return key == Field::san_plain || key == Field::san_typed || key == Field::san_verify;
}

// What a container is, from where it sits.
enum class Role : std::uint8_t {
  document,  // the answer itself
  configs,   // its "configs"
  config,    // one element of "configs": a dump, or one cluster of one
  inside,    // any container inside a config, where SAN matchers are looked for
  san_array, // the array of a SAN field (its kind in Frame::san)
  san_item,  // one matcher of a SAN array
  matcher,   // a typed matcher's "matcher"
  regex,     // a "safe_regex", in a san_item or a matcher
  skip,      // nothing below matters
};

struct Frame {
  Role role;
  bool object;
  Field key = Field::other; // objects: the field of the member being read
  Field san = Field::other; // the SAN field a san_array / san_item / matcher / regex belongs to
  int depth = 0;            // below the config (the config is 0)
  bool in_matcher = false;  // regex: inside a typed matcher rather than a plain item
};

// One element of "configs" being read: whether it is a clusters or listeners dump is known only
// at its end (its "@type" may come anywhere), so its trust domains wait here until then.
struct ConfigRead {
  bool typed = false;
  std::optional<std::string> type;
  bool secret_object = false, secrets_fields = false, configs_field = false,
       clusters_fields = false;
  std::set<std::string> trust_domains;

  // config_dump.cpp's DumpReader::read_config, for the kinds that hold SAN matchers.
  bool holds_clusters_or_listeners() const {
    if (typed) {
      if (!type)
        return false;
      for (std::string_view suffix :
           {"ClustersConfigDump", "ListenersConfigDump", "ClustersConfigDump.DynamicCluster",
            "ClustersConfigDump.StaticCluster"})
        if (type->ends_with(suffix))
          return true;
      return false;
    }
    return !secret_object && !secrets_fields && !configs_field && clusters_fields;
  }
};

// A typed matcher waits for its san_type, which may come after the matcher.
struct TypedItem {
  bool uri = false;
  std::vector<std::string> trust_domains;
};

class ClustersHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ClustersHandler> {
 public:
  bool Default() { return true; } // null, bool, double: nothing to see

  bool Int(int n) { return san_type_number(n); }
  bool Uint(unsigned n) { return san_type_number(n); }
  bool Int64(std::int64_t n) { return san_type_number(n); }
  bool Uint64(std::uint64_t n) { return san_type_number(n); }

  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (stack_.empty())
      return true;
    const std::string_view value(text, length);
    Frame& top = stack_.back();
    switch (top.role) {
    case Role::config:
      if (top.key == Field::type && !config_.type)
        config_.type = std::string(value);
      break;
    case Role::san_array:
      if (top.san == Field::san_verify)
        add_uri(value, config_.trust_domains);
      break;
    case Role::san_item:
      if (top.san == Field::san_plain && top.key == Field::string_form)
        add_uri(value, config_.trust_domains);
      else if (top.san == Field::san_typed && top.key == Field::san_type)
        item_.uri = value == "URI";
      break;
    case Role::matcher:
      if (top.key == Field::string_form)
        if (const auto domain = trust_domain_of(value))
          item_.trust_domains.emplace_back(*domain);
      break;
    case Role::regex:
      if (top.key == Field::regex) {
        if (auto domain = trust_domain_of_regex(value)) {
          if (top.in_matcher)
            item_.trust_domains.push_back(std::move(*domain));
          else
            config_.trust_domains.insert(std::move(*domain));
        }
      }
      break;
    default:
      break;
    }
    return true;
  }

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    Frame& top = stack_.back();
    if (top.role == Role::skip)
      return true;
    const std::string_view name(text, length);
    top.key = top.role == Role::inside ? san_field_of(name) : field_of(name);
    if (top.role == Role::config) {
      switch (top.key) {
      case Field::type:
        config_.typed = true;
        break;
      case Field::secrets_dump:
        config_.secrets_fields = true;
        break;
      case Field::configs:
        config_.configs_field = true;
        break;
      case Field::clusters_dump:
        config_.clusters_fields = true;
        break;
      default:
        break;
      }
    }
    return true;
  }

  bool StartObject() { return start(true); }
  bool StartArray() { return start(false); }
  bool EndObject(rapidjson::SizeType) { return end(); }
  bool EndArray(rapidjson::SizeType) { return end(); }

  ClusterTrustDomains result() && {
    ClusterTrustDomains read;
    read.trust_domains.assign(trust_domains_.begin(), trust_domains_.end());
    read.has_clusters_or_listeners = has_clusters_or_listeners_;
    return read;
  }

 private:
  template <class Number>
  bool san_type_number(Number n) {
    // SubjectAltNameMatcher.san_type as istioctl prints it (EnumsAsInts): 3 is URI.
    if (!stack_.empty() && stack_.back().role == Role::san_item &&
        stack_.back().san == Field::san_typed && stack_.back().key == Field::san_type)
      item_.uri = n == 3;
    return true;
  }

  static void add_uri(std::string_view uri, std::set<std::string>& out) {
    if (const auto domain = trust_domain_of(uri))
      out.emplace(*domain);
  }

  Frame child_of(const Frame* parent, bool object) const {
    if (parent == nullptr)
      return {object ? Role::document : Role::skip, object};
    const Field key = parent->object ? parent->key : Field::other;
    switch (parent->role) {
    case Role::document:
      return {key == Field::configs ? Role::configs : Role::skip, object};
    case Role::configs:
      return {object ? Role::config : Role::skip, object};
    case Role::config:
    case Role::inside: {
      const int depth = parent->depth + 1;
      if (!object && parent->object && is_san_field(key))
        return {Role::san_array, object, Field::other, key, depth};
      return {depth > kMaxSanMatcherDepth ? Role::skip : Role::inside, object, Field::other,
              Field::other, depth};
    }
    case Role::san_array:
      return {object && parent->san != Field::san_verify ? Role::san_item : Role::skip, object,
              Field::other, parent->san};
    case Role::san_item:
      if (object && parent->san == Field::san_typed && key == Field::matcher)
        return {Role::matcher, object, Field::other, parent->san};
      if (object && parent->san == Field::san_plain && key == Field::safe_regex)
        return {Role::regex, object, Field::other, parent->san};
      return {Role::skip, object};
    case Role::matcher:
      if (object && key == Field::safe_regex)
        return {Role::regex, object, Field::other, parent->san, 0, true};
      return {Role::skip, object};
    default:
      return {Role::skip, object};
    }
  }

  bool start(bool object) {
    const Frame* parent = stack_.empty() ? nullptr : &stack_.back();
    if (parent != nullptr && parent->role == Role::config && parent->key == Field::secret && object)
      config_.secret_object = true;
    Frame frame = child_of(parent, object);
    if (frame.role == Role::config)
      config_ = ConfigRead{};
    else if (frame.role == Role::san_item)
      item_ = TypedItem{};
    stack_.push_back(frame);
    return true;
  }

  bool end() {
    const Frame frame = stack_.back();
    stack_.pop_back();
    if (frame.role == Role::san_item && frame.san == Field::san_typed && item_.uri) {
      config_.trust_domains.insert(std::make_move_iterator(item_.trust_domains.begin()),
                                   std::make_move_iterator(item_.trust_domains.end()));
    } else if (frame.role == Role::config && config_.holds_clusters_or_listeners()) {
      has_clusters_or_listeners_ = true;
      trust_domains_.merge(config_.trust_domains);
    }
    return true;
  }

  std::vector<Frame> stack_;
  ConfigRead config_;
  TypedItem item_;
  std::set<std::string> trust_domains_;
  bool has_clusters_or_listeners_ = false;
};

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The start of an answer that is no JSON object, for the message that names it.
std::string refusal_text(JsonChunkStream& stream) {
  std::string text;
  while (text.size() < kRefusalShown && stream.Peek() != '\0')
    text += stream.Take();
  while (!text.empty() && is_json_space(text.back()))
    text.pop_back();
  return text;
}

} // namespace

Result<ClusterTrustDomains> read_cluster_trust_domains(ChunkSource& answer, std::string_view what,
                                                       std::size_t max_bytes) {
  const std::string dump_of = "config dump of " + std::string(what);
  JsonChunkStream stream(answer, max_bytes);
  while (is_json_space(stream.Peek()))
    stream.Take();
  if (stream.Peek() != '{' && !stream.over_limit()) {
    ClusterTrustDomains refused;
    refused.refusal = refusal_text(stream);
    return refused;
  }
  ClustersHandler handler;
  rapidjson::Reader reader;
  const auto parsed =
      reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag>(stream, handler);
  if (stream.over_limit())
    return bad_input(dump_of + ": the answer is more than the limit of " +
                     format_byte_size(max_bytes) +
                     "; it was not read (no real proxy's dump is that large: check the source)");
  if (parsed.IsError())
    return bad_input(dump_of + ": invalid JSON at offset " + std::to_string(parsed.Offset()) +
                     ": " + rapidjson::GetParseError_En(parsed.Code()));
  if (!stream.at_end())
    return bad_input(dump_of + ": invalid JSON at offset " + std::to_string(stream.Tell()) +
                     ": a NUL byte");
  return std::move(handler).result();
}

} // namespace meshca::mesh
