#pragma once

#include <string>
#include <vector>

namespace snapq::sqlite {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

const std::vector<Migration>& migrations();

}  // namespace snapq::sqlite
