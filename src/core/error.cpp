#include "outage/core/error.hpp"
