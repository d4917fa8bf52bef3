// examples/sim.yaml, compiled into the program so `snapq demo` runs anywhere.
#pragma once

namespace snapq::cli {
extern const char* const kSimYaml;
}
