// meta/json_fields.hpp — strict access to parsed JSON members: exact member
// sets and exact types, every refusal an errc::corrupted naming the file.
#pragma once

#include "meta/corrupted.hpp"

#include <seglog/error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

namespace seglog::detail {

// Strict readers of one JSON document. `where` in messages names the
// enclosing object, e.g. "state" or "cluster.members[2]".
class JsonFields {
 public:
  explicit JsonFields(const std::filesystem::path& path) : path_(path) {}

  // `value` as an object with exactly the members `names` (no more, no
  // fewer). Errors: corrupted.
  [[nodiscard]] Result<const boost::json::object*> object(
      const boost::json::value& value, std::string_view where,
      std::initializer_list<std::string_view> names) const;

  // Member `key` of `object` with an exact type.
  // Errors: corrupted (missing; wrong type; a negative or fractional number).
  [[nodiscard]] Result<std::uint64_t> uint(const boost::json::object& object,
                                           std::string_view where, std::string_view key) const;
  [[nodiscard]] Result<std::string> string(const boost::json::object& object,
                                           std::string_view where, std::string_view key) const;
  [[nodiscard]] Result<bool> boolean(const boost::json::object& object, std::string_view where,
                                     std::string_view key) const;
  [[nodiscard]] Result<const boost::json::array*> array(const boost::json::object& object,
                                                        std::string_view where,
                                                        std::string_view key) const;

  Error error(std::string_view where, std::string_view key, std::string_view problem) const;

 private:
  const std::filesystem::path& path_;
};

}  // namespace seglog::detail
