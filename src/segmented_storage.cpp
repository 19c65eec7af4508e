// placeholder: replaced by the SegmentedStorage facade.
#include <seglog/segmented_storage.hpp>
