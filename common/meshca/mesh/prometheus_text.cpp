#include "meshca/mesh/prometheus_text.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace meshca::prometheus {
namespace {

bool is_name_char(char c, bool first) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return letter || (!first && c >= '0' && c <= '9');
}

void skip_blanks(std::string_view line, std::size_t& at) {
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t'))
    ++at;
}

std::string_view read_name(std::string_view line, std::size_t& at) {
  const std::size_t start = at;
  while (at < line.size() && is_name_char(line[at], at == start))
    ++at;
  return line.substr(start, at - start);
}

// A quoted label value with the format's three escapes (\\, \", \n).
bool read_quoted(std::string_view line, std::size_t& at, std::string& value) {
  if (at >= line.size() || line[at] != '"')
    return false;
  for (++at; at < line.size(); ++at) {
    const char c = line[at];
    if (c == '"') {
      ++at;
      return true;
    }
    if (c == '\\' && at + 1 < line.size()) {
      const char next = line[++at];
      value.push_back(next == 'n' ? '\n' : next);
      continue;
    }
    value.push_back(c);
  }
  return false;
}

bool read_labels(std::string_view line, std::size_t& at, Sample& sample) {
  ++at; // '{'
  while (true) {
    skip_blanks(line, at);
    if (at < line.size() && line[at] == '}') {
      ++at;
      return true;
    }
    std::string_view key = read_name(line, at);
    skip_blanks(line, at);
    if (key.empty() || at >= line.size() || line[at] != '=')
      return false;
    ++at;
    skip_blanks(line, at);
    std::string value;
    if (!read_quoted(line, at, value))
      return false;
    sample.labels.emplace_back(key, std::move(value));
    skip_blanks(line, at);
    if (at < line.size() && line[at] == ',')
      ++at;
  }
}

bool read_value(std::string_view text, double& value) {
  if (text == "NaN" || text == "+Inf" || text == "-Inf") {
    value = text == "NaN" ? std::nan("") : (text[0] == '+' ? HUGE_VAL : -HUGE_VAL);
    return true;
  }
  const std::string copy(text); // strtod needs a terminated string
  char* end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size();
}

bool parse_line(std::string_view line, Sample& sample) {
  std::size_t at = 0;
  sample.name = read_name(line, at);
  if (sample.name.empty())
    return false;
  if (at < line.size() && line[at] == '{' && !read_labels(line, at, sample))
    return false;
  skip_blanks(line, at);
  std::size_t end = at;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t')
    ++end;
  return read_value(line.substr(at, end - at), sample.value); // a timestamp may follow
}

} // namespace

std::string_view Sample::label(std::string_view key) const {
  for (const auto& [label_name, label_value] : labels)
    if (label_name == key)
      return label_value;
  return {};
}

std::size_t for_each_sample(std::string_view text,
                            const std::function<void(const Sample&)>& on_sample) {
  std::size_t bad = 0;
  Sample sample;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    std::size_t first = 0;
    skip_blanks(line, first);
    line.remove_prefix(first);
    if (line.empty() || line.front() == '#')
      continue;
    sample.labels.clear();
    if (parse_line(line, sample))
      on_sample(sample);
    else
      ++bad;
  }
  return bad;
}

} // namespace meshca::prometheus
