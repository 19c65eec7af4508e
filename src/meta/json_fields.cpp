// meta/json_fields.cpp — strict JSON member access.
#include "meta/json_fields.hpp"

namespace seglog::detail {

Error JsonFields::error(std::string_view where, std::string_view key,
                        std::string_view problem) const {
  std::string reason(where);
  if (!key.empty()) {
    reason += '.';
    reason += key;
  }
  reason += ' ';
  reason += problem;
  return corrupted_file(path_, reason);
}

Result<const boost::json::object*> JsonFields::object(
    const boost::json::value& value, std::string_view where,
    std::initializer_list<std::string_view> names) const {
  const boost::json::object* object = value.if_object();
  if (object == nullptr) return error(where, {}, "is not an object");
  for (const std::string_view name : names) {
    if (!object->contains(name)) {
      return error(where, name, "is missing");
    }
  }
  // Every expected name is present, so a larger object has an unknown member.
  if (object->size() != names.size()) {
    for (const auto& member : *object) {
      bool known = false;
      for (const std::string_view name : names) known = known || member.key() == name;
      if (!known) return error(where, member.key(), "is not a known member");
    }
  }
  return object;
}

Result<std::uint64_t> JsonFields::uint(const boost::json::object& object, std::string_view where,
                                       std::string_view key) const {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return error(where, key, "is missing");
  if (const std::uint64_t* u = value->if_uint64()) return *u;
  if (const std::int64_t* i = value->if_int64(); i != nullptr && *i >= 0) {
    return static_cast<std::uint64_t>(*i);
  }
  return error(where, key, "is not an unsigned integer");
}

Result<std::string> JsonFields::string(const boost::json::object& object, std::string_view where,
                                       std::string_view key) const {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return error(where, key, "is missing");
  const boost::json::string* s = value->if_string();
  if (s == nullptr) return error(where, key, "is not a string");
  return std::string(s->data(), s->size());
}

Result<bool> JsonFields::boolean(const boost::json::object& object, std::string_view where,
                                 std::string_view key) const {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return error(where, key, "is missing");
  const bool* b = value->if_bool();
  if (b == nullptr) return error(where, key, "is not true or false");
  return *b;
}

Result<const boost::json::array*> JsonFields::array(const boost::json::object& object,
                                                    std::string_view where,
                                                    std::string_view key) const {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return error(where, key, "is missing");
  const boost::json::array* a = value->if_array();
  if (a == nullptr) return error(where, key, "is not an array");
  return a;
}

}  // namespace seglog::detail
