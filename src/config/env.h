// ${ENV} references in config values: "${NAME}" and "${NAME:-default}" (the
// default also when NAME is set but empty, as in the shell); "$${" is a
// literal "${". Any other '$' is left alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "snapq/config.h"

namespace snapq::config {

struct Expansion {
  std::string value;
  bool used_env = false;             // the text had at least one reference
  std::vector<std::string> missing;  // referenced, unset, no default
  std::string syntax_error;          // set when a reference is malformed
};

// With escape_braces, '{' and '}' in substituted values are doubled (for
// templates, where "{{" is a literal brace).
Expansion expandEnv(std::string_view text, const EnvLookup& env, bool escape_braces = false);

}  // namespace snapq::config
