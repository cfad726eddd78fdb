#include "meshca/cli/confirm.h"

#include "meshca/util/terminal.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <unistd.h>

namespace meshca {
namespace {

std::string trimmed_lower(std::string text) {
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

} // namespace

Result<Confirmed> confirm_with(std::string_view question, bool assume_yes, bool interactive,
                               std::istream& in, std::ostream& prompt) {
  if (assume_yes)
    return Confirmed::yes;
  if (!interactive) {
    std::string_view action = question;
    if (!action.empty() && action.back() == '?')
      action.remove_suffix(1);
    return bad_input(std::string(action) +
                     " needs --yes when not run from a terminal; nothing was changed");
  }
  prompt << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(in, answer)) {
    prompt << '\n';
    return Confirmed::no;
  }
  const std::string word = trimmed_lower(answer);
  return word == "y" || word == "yes" ? Confirmed::yes : Confirmed::no;
}

Result<Confirmed> confirm(std::string_view question, bool assume_yes) {
  const bool interactive = is_terminal(STDIN_FILENO) && is_terminal(STDERR_FILENO);
  return confirm_with(question, assume_yes, interactive, std::cin, std::cerr);
}

} // namespace meshca
