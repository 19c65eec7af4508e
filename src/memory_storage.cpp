// placeholder: replaced by the MemoryStorage implementation.
#include <seglog/memory_storage.hpp>
