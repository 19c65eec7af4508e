// meta/restart_file.cpp — restart.json: the "restart" payload on the shared
// checksummed document.
#include "meta/restart_file.hpp"

#include "meta/canonical_json.hpp"
#include "meta/meta_document.hpp"

namespace seglog::detail {

namespace {

constexpr DocumentKind kRestartDocument{kRestartFileName, "seglog-restart", "restart"};

Result<LogRestart> decode_restart(const JsonFields& fields, const boost::json::value& payload) {
  auto object = fields.object(payload, "restart", {"next_index", "prev_term", "discarded_salts"});
  if (!object) return object.error();
  LogRestart restart;
  auto next_index = fields.uint(**object, "restart", "next_index");
  if (!next_index) return next_index.error();
  auto prev_term = fields.uint(**object, "restart", "prev_term");
  if (!prev_term) return prev_term.error();
  auto salts = fields.array(**object, "restart", "discarded_salts");
  if (!salts) return salts.error();
  restart.next_index = *next_index;
  restart.prev_term = *prev_term;
  for (const boost::json::value& salt : **salts) {
    const std::uint64_t* u = salt.if_uint64();
    const std::int64_t* i = salt.if_int64();
    if (u == nullptr && (i == nullptr || *i < 0)) {
      return fields.error("restart", "discarded_salts", "holds a value that is not a u64");
    }
    restart.discarded_salts.push_back(u != nullptr ? *u : static_cast<std::uint64_t>(*i));
  }
  return restart;
}

}  // namespace

std::string encode_restart(const LogRestart& restart) {
  std::string out = "{\"next_index\":";
  append_json_uint(out, restart.next_index);
  out += ",\"prev_term\":";
  append_json_uint(out, restart.prev_term);
  out += ",\"discarded_salts\":[";
  for (std::size_t k = 0; k < restart.discarded_salts.size(); ++k) {
    if (k > 0) out += ',';
    append_json_uint(out, restart.discarded_salts[k]);
  }
  out += "]}";
  return out;
}

Result<std::optional<LogRestart>> load_restart(const std::filesystem::path& dir) {
  return load_document<LogRestart>(dir, kRestartDocument, decode_restart, encode_restart);
}

Status store_restart(const std::filesystem::path& dir, const LogRestart& restart) {
  return store_document(dir, kRestartDocument, restart, decode_restart, encode_restart);
}

}  // namespace seglog::detail
