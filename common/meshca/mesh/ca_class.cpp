#include "meshca/mesh/ca_class.h"

#include <algorithm>
#include <cctype>

namespace meshca {

std::string_view to_string(CaClass ca) {
  return ca == CaClass::citadel ? "CITADEL" : "MESHCA";
}

Result<std::vector<CaClass>> parse_ca_classes(std::string_view text, std::string_view flag) {
  std::vector<CaClass> classes;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string word(text.substr(start, comma - start));
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (word == "CITADEL")
      classes.push_back(CaClass::citadel);
    else if (word == "MESHCA")
      classes.push_back(CaClass::meshca);
    else
      return bad_input(std::string(flag) + ": unknown CA \"" + word +
                       "\"; valid: CITADEL, MESHCA, CITADEL,MESHCA");
    start = comma + 1;
  }
  return classes;
}

bool CaSet::has_all(const std::vector<CaClass>& cas) const {
  return std::all_of(cas.begin(), cas.end(), [this](CaClass ca) { return has(ca); });
}

std::vector<std::string> CaSet::names() const {
  std::vector<std::string> out;
  if (citadel)
    out.emplace_back("CITADEL");
  if (meshca)
    out.emplace_back("MESHCA");
  return out;
}

std::string CaSet::label() const {
  std::string out = "[";
  for (const std::string& name : names()) {
    if (out.size() > 1)
      out += ' ';
    out += name;
  }
  return out + "]";
}

MeshCaRecognizer MeshCaRecognizer::from_bundle(x509::FingerprintSet meshca_roots,
                                               std::string source) {
  return {Rule::trust_bundle, std::move(meshca_roots), std::move(source)};
}

MeshCaRecognizer MeshCaRecognizer::by_subject_cn(std::string reason) {
  return {Rule::subject_cn, {}, std::move(reason)};
}

CaClass MeshCaRecognizer::classify(const x509::Certificate& root) const {
  if (rule_ == Rule::trust_bundle)
    return roots_.contains(root.fingerprint()) ? CaClass::meshca : CaClass::citadel;
  return root.subject_cn().starts_with(kMeshCaRootCnPrefix) ? CaClass::meshca : CaClass::citadel;
}

} // namespace meshca
