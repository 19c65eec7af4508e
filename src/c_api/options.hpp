// c_api/options.hpp — seglog_options to seglog::Options (docs/c-api.md,
// "Options").
#pragma once

#include <seglog/options.hpp>
#include <seglog/seglog.h>

namespace seglog::detail {

// The Options the C struct asks for: fields beyond options->struct_size
// keep their defaults (an older caller's smaller struct). Returns
// SEGLOG_INVALID_ARGUMENT (stored in err) for a NULL struct or dir, or a
// struct_size too small to hold dir. May throw std::bad_alloc.
seglog_errc to_options(const seglog_options* options, Options& out, seglog_error* err);

}  // namespace seglog::detail
