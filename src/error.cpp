// error.cpp — seglog's error category and Error's exception bridge.
#include <seglog/error.hpp>

#include <ostream>

namespace seglog {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "seglog"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::not_found:
        return "not found";
      case errc::corrupted:
        return "corrupted data";
      case errc::out_of_range:
        return "index out of range";
      case errc::compacted:
        return "log has been compacted";
      case errc::gap:
        return "gap in log indices";
      case errc::conflict:
        return "conflicting term for an existing index";
      case errc::entry_too_large:
        return "entry too large";
      case errc::invalid_argument:
        return "invalid argument";
      case errc::locked:
        return "directory locked by another writer";
      case errc::read_only:
        return "storage is read-only";
      case errc::closed:
        return "storage is closed";
      case errc::no_space:
        return "no space left on device";
      case errc::io_error:
        return "I/O error";
      case errc::stale:
        return "a read-only handle's view is out of date: the writer removed or replaced a "
               "file since the open; reopen to see the log as it is now";
    }
    return "unknown seglog error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

std::ostream& operator<<(std::ostream& out, const Error& error) {
  return out << error.code().message() << ": " << error.message();
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw Exception(error);
}

}  // namespace seglog
