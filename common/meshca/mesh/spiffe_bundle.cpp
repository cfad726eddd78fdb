#include "meshca/mesh/spiffe_bundle.h"

#include "meshca/util/base64.h"

namespace meshca::mesh {
namespace {

using rapidjson::Value;

std::optional<std::int64_t> integer_member(const Value& object, std::string_view key) {
  const auto* value = json::member(object, key);
  if (value == nullptr || !value->IsInt64())
    return std::nullopt;
  return value->GetInt64();
}

// The certificates of one x509-svid key's x5c array.
Status read_x5c(const Value& key, const std::string& where, std::vector<x509::Certificate>& out) {
  const auto* x5c = json::array_member(key, "x5c");
  if (x5c == nullptr || x5c->Empty())
    return bad_input(where + ": an x509-svid key has no \"x5c\" certificate");
  for (rapidjson::SizeType j = 0; j < x5c->Size(); ++j) {
    const std::string item = where + ".x5c[" + std::to_string(j) + "]";
    const auto text = json::as_string((*x5c)[j]);
    if (!text)
      return bad_input(item + ": expected a base64 string");
    MESHCA_TRY_ASSIGN(auto der, base64::decode(*text, item));
    MESHCA_TRY_ASSIGN(auto cert, x509::from_der(der, item));
    out.push_back(std::move(cert));
  }
  return done();
}

} // namespace

Result<SpiffeBundle> parse_spiffe_bundle(std::string_view json, std::string_view what,
                                         std::size_t max_bytes) {
  const std::string name = "SPIFFE trust bundle " + std::string(what);
  MESHCA_TRY_ASSIGN(auto document, json::parse(json, name, max_bytes));
  const auto* keys = json::array_member(document, "keys");
  if (keys == nullptr)
    return bad_input(name + ": not a SPIFFE bundle (no \"keys\" array)");
  SpiffeBundle bundle;
  bundle.sequence = integer_member(document, "spiffe_sequence");
  bundle.refresh_hint_s = integer_member(document, "spiffe_refresh_hint");
  for (rapidjson::SizeType i = 0; i < keys->Size(); ++i) {
    const Value& key = (*keys)[i];
    const auto use = json::string_member(key, "use");
    const bool x509_key = use ? *use == "x509-svid" : json::member(key, "x5c") != nullptr;
    if (!x509_key)
      continue;
    MESHCA_TRY(read_x5c(key, name + ": keys[" + std::to_string(i) + "]", bundle.x509_authorities));
  }
  if (bundle.x509_authorities.empty())
    return bad_input(name + R"(: no X.509 authority (no key with "use":"x509-svid" and "x5c"))");
  bundle.fingerprints = x509::fingerprints(bundle.x509_authorities);
  return bundle;
}

} // namespace meshca::mesh
