// seglog/seglog.hpp — the umbrella header: everything a service needs.
#pragma once

#include <seglog/entry.hpp>
#include <seglog/error.hpp>
#include <seglog/logger.hpp>
#include <seglog/memory_storage.hpp>
#include <seglog/options.hpp>
#include <seglog/raft_state.hpp>
#include <seglog/segmented_storage.hpp>
#include <seglog/snapshot.hpp>
#include <seglog/stats.hpp>
#include <seglog/storage.hpp>
