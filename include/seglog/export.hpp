// seglog/export.hpp — SEGLOG_API marks what libseglog.so exports.
//
// The library is compiled with -fvisibility=hidden and
// -fvisibility-inlines-hidden (src/meson.build), so only declarations
// marked SEGLOG_API are in its dynamic symbol table: the public classes
// and functions of include/seglog/, never seglog::detail nor the Boost
// templates the implementation instantiates. Consumers see the same
// attribute, which is harmless for them. The check is
// tests/consumer/check_exports.sh (docs/reliability.md, "Packaging").
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define SEGLOG_API __attribute__((visibility("default")))
#else
#define SEGLOG_API
#endif
